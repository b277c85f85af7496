"""The subject's consent to a request about them: the code (and link) sent to their phone, sent again, given
(told to the applicant, typed at the desk, or confirmed on the link), declined, or run out of time, which
refuses the request on the regulation's ground "no_consent"."""

import logging
import secrets

from sqlalchemy import select

from app import notify
from app.core import batches
from app.core.actors import Actor
from app.core.clock import now
from app.core.urls import absolute_url
from app.extensions import db
from app.models import Consent, ServiceRequest
from app.registries import RegistryUnavailable
from app.services import otp, registry_pending
from app.services.audit import audit
from app.services.certificates.answer import answer_or_wait, notify_applicant
from app.services.certificates.queries import overdue_consent_requests
from app.services.certificates.rules import (
    CertificateError,
    ConsentNotPending,
    NoPhoneForConsent,
    consent_purpose,
    consent_timeout,
    token_hash,
)
from app.services.certificates.texts import (
    CONSENT_REGISTER_WORDS,
    consent_sms_text,
    new_code_sent_message,
    short_applicant_label,
)
from app.services.patient_identity import Contact, NoPhoneOnFile, UnknownPerson, contact_for
from app.services.requests import record_step, refuse, transition

log = logging.getLogger(__name__)


def ask_consent(request: ServiceRequest, contact: Contact, *, actor: Actor, ip: str = "") -> None:
    form = request.information_form
    moment = now()
    form.consent_requested_at = moment
    form.consent_deadline_at = moment + consent_timeout()
    if request.status != "awaiting_consent":
        transition(request, "awaiting_consent", actor=actor, step="consent_requested")
    try:
        _send_consent_code(request, contact, ip=ip)
    except (otp.TooManyRequests, notify.SmsUnavailable) as error:
        # The request stays; the applicant sees that the SMS did not go and may send it again.
        record_step(request, "consent_sms_failed", actor=actor, note=type(error).__name__)
        log.warning("request %s: consent code not sent (%s)", request.number, error)


def send_consent_code_again(
    request: ServiceRequest, *, actor: Actor, ip: str = "", token: str | None = None
) -> None:
    """A new code for the subject (the old one stops working), with a new link unless `token`, the link
    the subject is on, is given. Raises ConsentNotPending, otp.TooManyRequests, notify.SmsUnavailable,
    NoPhoneForConsent, RegistryUnavailable."""
    expire_consent_if_due(request)
    if request.status != "awaiting_consent":
        raise ConsentNotPending(request)
    form = request.information_form
    try:
        contact = contact_for(form.subject_iin)
    except (UnknownPerson, NoPhoneOnFile):
        raise NoPhoneForConsent(form.subject_iin) from None
    _send_consent_code(request, contact, ip=ip, token=token)
    record_step(request, "consent_code_resent", actor=actor)


def resend_consent_code(
    request: ServiceRequest, *, actor: Actor, ip: str = "", token: str | None = None
) -> str:
    """`send_consent_code_again`, turned into the message to show, good or bad (a registry or SMS outage
    included). A staff member's attempt is audited whatever came of it."""
    try:
        send_consent_code_again(request, actor=actor, ip=ip, token=token)
    except (otp.OtpError, CertificateError) as error:
        message = error.message
    except RegistryUnavailable:
        message = str(registry_pending.UNAVAILABLE_MESSAGE)
    except notify.SmsUnavailable:
        message = str(notify.SMS_UNAVAILABLE_MESSAGE)
    else:
        message = new_code_sent_message()
    if actor.staff_id is not None:
        audit(
            actor,
            "update",
            "information_form_request",
            object_id=request.number,
            detail="consent code sent again",
        )
    return message


def _send_consent_code(
    request: ServiceRequest, contact: Contact, *, ip: str, token: str | None = None
) -> None:
    form = request.information_form
    if token is None or form.consent_token_hash != token_hash(token):
        token = secrets.token_urlsafe(12)  # 96 bits, 16 characters: the SMS stays within two segments
        form.consent_token_hash = token_hash(token)
    link = absolute_url("certificates.consent_by_link", token=token)
    language = contact.sms_language(request.language)
    applicant = short_applicant_label(request)
    form_title = CONSENT_REGISTER_WORDS[form.register].in_language(language)

    def text(code: str) -> str:
        return consent_sms_text(request, applicant=applicant, form_title=form_title, code=code, link=link)

    otp.issue(
        purpose=consent_purpose(request),
        iin=form.subject_iin,
        phone=contact.phone,
        language=language,
        ip=ip,
        text=text,
    )
    db.session.flush()


def give_consent(
    request: ServiceRequest,
    code: str,
    *,
    method: str,
    channel: str,
    actor: Actor,
    ip: str = "",
) -> Consent:
    """Record the subject's consent confirmed by `code`, then answer. Raises ConsentNotPending or an
    otp.OtpError (a wrong try is counted: the caller must answer below 400 so it is committed).
    A code a registrar typed at the desk (a staff actor) is audited."""
    expire_consent_if_due(request)
    if request.status != "awaiting_consent":
        raise ConsentNotPending(request)
    form = request.information_form
    used = otp.verify(purpose=consent_purpose(request), iin=form.subject_iin, code=code)
    consent = Consent(
        request=request,
        subject_id=request.subject_id,
        subject_iin=form.subject_iin,
        method=method,
        channel=channel,
        given_at=now(),
        one_time_code_id=used.id,
        recorded_by_id=actor.staff_id,
        ip=ip[:45],
    )
    db.session.add(consent)
    form.consent_token_hash = None  # the link has done its job
    db.session.flush()
    record_step(request, "consent_given", actor=actor, channel=channel, note=method)
    answer_or_wait(request, actor)
    if actor.staff_id is not None:
        audit(
            actor,
            "update",
            "information_form_request",
            object_id=request.number,
            detail="consent given at the desk",
        )
    return consent


def decline_consent(request: ServiceRequest, *, channel: str) -> None:
    """The subject said no on the consent link: refused at once, on the regulation's ground."""
    expire_consent_if_due(request)
    if request.status != "awaiting_consent":
        raise ConsentNotPending(request)
    request.information_form.consent_token_hash = None
    refuse(
        request, "no_consent", actor=Actor(label="subject"), channel=channel, note="declined by the subject"
    )
    notify_applicant(request, "refused")


def expire_consent_if_due(request: ServiceRequest) -> bool:
    """Refuse the request on the "no_consent" ground if its consent time ran out. Safe to call on every
    access (the status pages do) and from `flask expire-consents`."""
    form = request.information_form
    if (
        request.status != "awaiting_consent"
        or form.consent_deadline_at is None
        or now() <= form.consent_deadline_at
    ):
        return False
    form.consent_token_hash = None
    minutes = round(consent_timeout().total_seconds() / 60)
    refuse(request, "no_consent", actor=Actor.system(), note=f"no consent within {minutes} minutes")
    log.info("request %s refused: no consent in time", request.number)
    notify_applicant(request, "refused")
    return True


def expire_overdue_consents() -> int:
    """Every request whose consent time ran out, refused, in small transactions committed here
    (app.core.batches: the desk is never kept waiting for the write lock). Returns how many."""
    keys = [request.id for request in overdue_consent_requests()]

    def expire(chunk) -> int:
        overdue = db.session.scalars(
            select(ServiceRequest).where(ServiceRequest.id.in_(chunk)).order_by(ServiceRequest.id)
        ).all()
        return sum(1 for request in overdue if expire_consent_if_due(request))

    return batches.run_in_batches(keys, expire, label="consent expiry").done
