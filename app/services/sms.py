"""The one way a service tells a person about their request by SMS, and the outbox as admins read it.

    sms.send_about(request, "booked", phone=patient.phone, language=booking.language,
                   render=lambda: texts.sms_text(booking, "booked"))

The text is rendered in the recipient's language (not the visitor's), sent through the SMS adapter
(app.notify), and the request's history says what happened, as a step: `sms_<kind>` when it went out,
`sms_<kind>_failed` (with the reason) when the gateway refused it, `sms_<kind>_no_phone` when there is no
number to send to. It never raises: a failed SMS never undoes what the person asked for; the outbox keeps
the failed message for staff.

After the commit (issue 15, item 2): with a real gateway the message is only written to the outbox, as
"queued", in the request's transaction; the SMS worker (`flask send-sms`, deploy/emhana-sms.service) sends it
once the request has committed, with no transaction open while the gateway answers, and writes the step
then. A refused or unanswered message is tried again after 30 s, 1, 2, 4 ... minutes (at most an hour
apart) until the gateway takes it or it is due no more (`due_until`: a reminder until the visit, any other
message SMS_RETRY_FOR after it was written); then it fails for good, with its step. The worker is the only
one that waits on the gateway: a slow or dead gateway delays messages, never another patient's request.
With the embedded outbox (the demo's) nothing waits on a network, so the message is stored at once.
"""

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import notify
from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import OneTimeCode, ServiceRequest, SmsMessage
from app.models.notify import SMS_STATUSES
from app.services import catalogue, otp
from app.services.audit import audit
from app.services.requests import record_step

log = logging.getLogger(__name__)

OUTBOX_PAGE_SIZE = 100
DEFAULT_RETRY_FOR = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=1)
# A claimed message is tried again after this if the worker died while the gateway had it.
LEASE = timedelta(minutes=5)
OTP_PURPOSE_PREFIX = "otp:"
# Six digits standing alone: a code, not the digits of a request number (AP-2026-000123) or a link.
CODE_IN_TEXT = re.compile(r"(?<![\w-])\d{6}(?![\w-])")


def send_about(
    request: ServiceRequest,
    kind: str,
    *,
    phone: str | None,
    language: str,
    render: Callable[[], str],
    purpose: str | None = None,
    due_until: datetime | None = None,
) -> bool:
    """Send the SMS of `kind` about `request`; True when it went out or is queued for the worker.
    `purpose` defaults to "<service>:<kind>", the outbox's record of why the message was sent; `due_until`
    (a reminder: the visit) is when a message the gateway has not taken yet stops being tried."""
    if not phone:
        log.info("%s: no phone, %s message not sent", request.number, kind)
        record_step(request, f"sms_{kind}_no_phone", actor=Actor.system())
        return False
    purpose = purpose or f"{request.service}:{kind}"
    if notify.delivers_externally():
        db.session.flush()  # the request's id, for the worker's step
        retry_for = current_app.config.get("SMS_RETRY_FOR", DEFAULT_RETRY_FOR)
        message_id = notify.queue(
            phone,
            language,
            render,
            purpose=purpose,
            request_id=request.id,
            kind=kind,
            due_until=due_until or now() + retry_for,
        )
        log.info("%s: %s message queued as sms #%s", request.number, kind, message_id)
        return True
    try:
        notify.send_localized(phone, language, render, purpose=purpose)
    except notify.SmsUnavailable as error:
        log.warning("%s: %s message not sent (%s)", request.number, kind, error.reason)
        record_step(request, f"sms_{kind}_failed", actor=Actor.system(), note=error.reason)
        return False
    record_step(request, f"sms_{kind}", actor=Actor.system())
    return True


# ---- the SMS worker (`flask send-sms`) -------------------------------------------------------------------
def deliver_queued(limit: int = 20) -> int:
    """Send the queued messages that are due (at most `limit`); returns how many were tried.

    Three kinds of moment, none holding a transaction while the gateway answers: a short transaction claims
    the messages (PostgreSQL skips rows another worker holds) and commits; each is handed to the gateway with
    no transaction open; a short transaction records each outcome and commits."""
    claimed = _claim(limit)
    for message_id, phone, text in claimed:
        try:
            provider_id, error = notify.deliver(message_id, phone, text), None
        except notify.SmsUnavailable as unavailable:
            provider_id, error = "", unavailable
        _record_outcome(message_id, provider_id, error)
    return len(claimed)


def pause_after(attempts: int) -> timedelta:
    """30 s after the first failed try, then doubling, never more than an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


def _claim(limit: int) -> list[tuple[int, str, str]]:
    moment = now()
    messages = db.session.scalars(
        select(SmsMessage)
        .where(SmsMessage.status == "queued", SmsMessage.next_attempt_at <= moment)
        .order_by(SmsMessage.next_attempt_at, SmsMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for message in messages:
        if message.due_until is not None and message.due_until <= moment:
            _give_up(message, message.error or "no_longer_due")
            continue
        message.attempts += 1
        message.next_attempt_at = moment + LEASE
        claimed.append((message.id, message.phone, message.text))
    db.session.commit()
    return claimed


def _record_outcome(message_id: int, provider_id: str, error: notify.SmsUnavailable | None) -> None:
    message = db.session.get(SmsMessage, message_id)
    request = db.session.get(ServiceRequest, message.request_id) if message.request_id else None
    if error is None:
        message.status = "sent"
        message.provider_message_id = (provider_id or "")[:100]
        message.sent_at = now()
        message.error = ""
        message.next_attempt_at = None
        if request is not None:
            record_step(request, f"sms_{message.kind}", actor=Actor.system())
        log.info("sms #%s (%s) sent on try %s", message.id, message.purpose, message.attempts)
    else:
        message.error = error.reason[:300]
        retry_at = now() + pause_after(message.attempts)
        max_attempts = current_app.config.get("SMS_MAX_ATTEMPTS", 0)
        if (message.due_until is not None and retry_at >= message.due_until) or (
            max_attempts and message.attempts >= max_attempts
        ):
            _give_up(message, error.reason)
        else:
            message.next_attempt_at = retry_at
            log.warning(
                "sms #%s to %s (%s) not sent on try %s (%s): next try at %s",
                message.id,
                notify.mask_phone(message.phone),
                message.purpose,
                message.attempts,
                error.reason,
                retry_at.isoformat(),
            )
    db.session.commit()


def _give_up(message: SmsMessage, reason: str) -> None:
    message.status = "failed"
    message.error = reason[:300]
    message.next_attempt_at = None
    if message.request_id:
        request = db.session.get(ServiceRequest, message.request_id)
        record_step(request, f"sms_{message.kind}_failed", actor=Actor.system(), note=reason)
    log.warning(
        "sms #%s to %s (%s) given up after %s tries: %s",
        message.id,
        notify.mask_phone(message.phone),
        message.purpose,
        message.attempts,
        reason,
    )


def outbox_messages(*, phone: str, status: str, actor: Actor) -> list[SmsMessage]:
    """The newest messages of the outbox, filtered by part of a phone number and a status, for an admin.
    Audited: the messages name patients' phones."""
    query = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
    if phone:
        query = query.where(SmsMessage.phone.contains(phone))
    if status in SMS_STATUSES:
        query = query.where(SmsMessage.status == status)
    messages = list(db.session.scalars(query.limit(OUTBOX_PAGE_SIZE)))
    audit(actor, "view", "sms_outbox", detail=f"phone={phone} status={status} rows={len(messages)}")
    return messages


def outbox_texts(messages: list[SmsMessage]) -> dict[int, str]:
    """Each message's text as the admin page shows it: a one-time code is shown only while it can still be
    used (the demo signs in by reading it there); once used, expired, retired by a newer code or killed by
    wrong tries it is masked, and so is a code whose SMS never went (issue 13, item 6). With a real provider
    the stored copy is masked already (app.notify)."""
    codes = {
        record.sms_message_id: record
        for record in db.session.scalars(
            select(OneTimeCode).where(
                OneTimeCode.sms_message_id.in_(
                    [message.id for message in messages if message.purpose.startswith(OTP_PURPOSE_PREFIX)]
                )
            )
        )
    }
    texts = {}
    for message in messages:
        text = message.text
        if message.purpose.startswith(OTP_PURPOSE_PREFIX):
            record = codes.get(message.id)
            if record is None or not otp.is_live(record):
                text = CODE_IN_TEXT.sub(notify.MASK, text)
        texts[message.id] = text
    return texts


# ---- the outbox in words (issue 14: no raw key on a kk/ru page) -----------------------------------------
SMS_STATUS_LABELS = {
    "stored": _l("Kept in the outbox"),
    "queued": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "failed": _l("Not sent"),
}
# What a message told the person, by the kind its purpose ends with.
SMS_KIND_LABELS = {
    "booked": _l("booking made"),
    "moved": _l("booking moved"),
    "cancelled": _l("cancellation"),
    "refused": _l("refusal"),
    "reminder": _l("reminder"),
    "assigned": _l("doctor and time given"),
    "reassigned": _l("doctor or time changed"),
    "registered": _l("complaint registered"),
    "answered": _l("answer"),
    "approved": _l("approval"),
    "issued": _l("result ready"),
    "completed": _l("result ready"),
    "confirmed": _l("confirmation"),
}
# Purposes that start with the service's name in words of their own, not its slug.
_PURPOSE_SERVICES = {"home_visit": "home-visit", "attachment": "attachment", "appointment": "appointment"}
_PURPOSE_WORDS = {"complaint": _l("Complaint"), "certificate": _l("Information from a register")}


def sms_status_label(status: str) -> str:
    return str(SMS_STATUS_LABELS.get(status, status))


def purpose_label(purpose: str) -> str:
    """What an outbox message was about, in words: "One-time code", "Home call: doctor and time given".
    Purposes are `otp:<what>`, `<service slug>:<kind>`, `<word>_<kind>` or `<word>_<kind>:<number>`."""
    if purpose.startswith(OTP_PURPOSE_PREFIX):
        return _("One-time code")
    head, _sep, tail = purpose.partition(":")
    subject, kind = head, tail.split(":", 1)[0]
    if not tail or head not in {service.slug for service in catalogue.all_services()}:
        subject, _sep, kind = head.rpartition("_") if "_" in head else (head, "", "")
    slug = _PURPOSE_SERVICES.get(subject, subject)
    try:
        name = str(catalogue.get(slug).short_name)
    except KeyError:
        name = str(_PURPOSE_WORDS.get(subject, _("Notice")))
    what = SMS_KIND_LABELS.get(kind)
    return f"{name}: {what}" if what is not None else name
