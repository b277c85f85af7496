"""The one way a service tells a person about their request by SMS, and the outbox as admins read it.

    sms.send_about(request, "booked", phone=patient.phone, language=booking.language,
                   render=lambda: texts.sms_text(booking, "booked"))

The text is rendered in the recipient's language (not the visitor's), sent through the SMS adapter
(app.notify), and the request's history says what happened, as a step: `sms_<kind>` when it went out,
`sms_<kind>_failed` (with the reason) when the gateway refused it, `sms_<kind>_no_phone` when there is no
number to send to. It never raises: a failed SMS never undoes what the person asked for; the outbox keeps
the failed message for staff.
"""

import logging
import re
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import notify
from app.core.actors import Actor
from app.extensions import db
from app.models import OneTimeCode, ServiceRequest, SmsMessage
from app.models.notify import SMS_STATUSES
from app.services import catalogue, otp
from app.services.audit import audit
from app.services.requests import record_step

log = logging.getLogger(__name__)

OUTBOX_PAGE_SIZE = 100
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
) -> bool:
    """Send the SMS of `kind` about `request`; True when it went out. `purpose` defaults to
    "<service>:<kind>", the outbox's record of why the message was sent."""
    if not phone:
        log.info("%s: no phone, %s message not sent", request.number, kind)
        record_step(request, f"sms_{kind}_no_phone", actor=Actor.system())
        return False
    try:
        notify.send_localized(phone, language, render, purpose=purpose or f"{request.service}:{kind}")
    except notify.SmsUnavailable as error:
        log.warning("%s: %s message not sent (%s)", request.number, kind, error.reason)
        record_step(request, f"sms_{kind}_failed", actor=Actor.system(), note=error.reason)
        return False
    record_step(request, f"sms_{kind}", actor=Actor.system())
    return True


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
SMS_STATUS_LABELS = {"stored": _l("Kept in the outbox"), "sent": _l("Sent"), "failed": _l("Not sent")}
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
