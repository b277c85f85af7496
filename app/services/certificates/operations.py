"""Every change to an information-form request: making it (web, kiosk, desk), the subject's consent,
answering from the registry and issuing the form, and the registry desk's audited reads and changes.

Each operation writes its request events; a staff member's read or change also writes its audit entry
(`app.services.audit`), with the actor the web layer passes (`app.auth.current_actor()`).
"""

import logging
import secrets
from datetime import timedelta

from app import notify
from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.core.urls import absolute_url
from app.extensions import db
from app.models import Consent, Document, InformationFormRequest, Patient, ServiceRequest
from app.registries import NotFound, RegistryUnavailable, get_registry
from app.services import otp, rate_limit, registry_pending, sms
from app.services.audit import audit
from app.services.certificates.queries import (
    desk_may_see_result,
    desk_requests,
    has_consent,
    overdue_consent_requests,
    result_document,
)
from app.services.certificates.rules import (
    FORMS,
    LAZY_RETRY_INTERVAL,
    TEMPLATE,
    CertificateError,
    ConsentNotPending,
    IdentityNotChecked,
    NoPhoneForConsent,
    SubjectUnknown,
    TooManyCertificateRequests,
    consent_purpose,
    consent_timeout,
    requests_per_day,
    token_hash,
    valid_until_for,
)
from app.services.certificates.texts import (
    DOCUMENT_TITLES,
    FormAnswer,
    applicant_label,
    consent_sms_text,
    new_code_sent_message,
    outcome_sms_text,
)
from app.services.documents import issue_document
from app.services.patient_identity import Contact, NoPhoneOnFile, UnknownPerson, contact_for
from app.services.patients import card_from_registry, find_patient
from app.services.requests import create_request, record_step, refuse, transition

log = logging.getLogger(__name__)

# ---- making requests ---------------------------------------------------------------------------------------


def request_form(
    register: str,
    *,
    applicant_iin: str,
    subject_iin: str,
    channel: str,
    actor: Actor,
    language: str,
    ip: str = "",
) -> ServiceRequest:
    """A request from a person who proved `applicant_iin` with a one-time code (web, kiosk).

    For oneself the form is issued at once (or the request waits for the registry). For another person
    the subject is asked for consent first; SubjectUnknown and NoPhoneForConsent are raised before
    anything is stored, and so is TooManyCertificateRequests."""
    spec = FORMS[register]
    _count_request(applicant_iin, ip)
    for_self = subject_iin == applicant_iin
    contact = None
    if not for_self:
        try:
            contact = contact_for(subject_iin)
        except UnknownPerson:
            raise SubjectUnknown(subject_iin) from None
        except NoPhoneOnFile:
            raise NoPhoneForConsent(subject_iin) from None
        except RegistryUnavailable:
            contact = None  # the request waits; the consent code goes out once the registry answers
    applicant = _card_for(applicant_iin, language)
    request = create_request(
        spec.service_slug,
        channel=channel,
        actor=actor,
        subject=applicant if for_self else None,
        applicant=applicant,
        applicant_name=applicant.full_name if applicant else "",
        language=language,
        flush=False,  # flushed below with the form: one flush, and no query for a form it cannot have yet
    )
    request.applicant = applicant  # never the subject standing in for a missing card
    db.session.add(
        InformationFormRequest(
            request=request,
            register=register,
            subject_iin=subject_iin,
            applicant_iin=applicant_iin,
            for_self=for_self,
            registry_source="",
        )
    )
    db.session.flush()
    if for_self:
        _answer_or_wait(request, actor)
    elif contact is None:
        registry_pending.wait_for_registry(request, actor=actor, note="consent: subject's phone")
        _remember_attempt(request)
    else:
        _ask_consent(request, contact, actor=actor, ip=ip)
    return request


def request_form_at_desk(
    register: str,
    *,
    subject_iin: str,
    applicant_name: str,
    applicant_iin: str,
    subject_present: bool,
    identity_checked: bool,
    identity_note: str,
    actor: Actor,
    language: str,
) -> ServiceRequest:
    """A registrar's request after checking the identity document of the person in front of them.

    `subject_present`: the subject applies in person and gets the form at once. Otherwise the person in
    front of the registrar applies for the subject, who consents by the code sent to their phone.
    Audited as the registrar's creation of the request."""
    if not identity_checked:
        raise IdentityNotChecked()
    spec = FORMS[register]
    contact = None
    if subject_present:
        try:
            get_registry().find_person(subject_iin)
        except NotFound:
            raise SubjectUnknown(subject_iin) from None
        except RegistryUnavailable:
            pass  # the request waits for the registry, like any other
    else:
        try:
            contact = contact_for(subject_iin)
        except UnknownPerson:
            raise SubjectUnknown(subject_iin) from None
        except NoPhoneOnFile:
            raise NoPhoneForConsent(subject_iin) from None
        except RegistryUnavailable:
            contact = None
    applicant = find_patient(applicant_iin) if applicant_iin else None
    request = create_request(
        spec.service_slug,
        channel="desk",
        actor=actor,
        subject=find_patient(subject_iin) if subject_present else None,
        applicant=applicant,
        applicant_name=applicant_name.strip()[:200],
        language=language,
        flush=False,  # flushed below, with the form
    )
    if not subject_present:
        request.applicant = applicant
    db.session.add(
        InformationFormRequest(
            request=request,
            register=register,
            subject_iin=subject_iin,
            applicant_iin=subject_iin if subject_present else applicant_iin,
            for_self=subject_present,
            registry_source="",
        )
    )
    db.session.flush()
    record_step(request, "identity_checked", actor=actor, note=identity_note.strip()[:200])
    if subject_present:
        _answer_or_wait(request, actor)
    elif contact is None:
        registry_pending.wait_for_registry(request, actor=actor, note="consent: subject's phone")
        _remember_attempt(request)
    else:
        _ask_consent(request, contact, actor=actor)
    audit(
        actor,
        "create",
        "information_form_request",
        object_id=request.number,
        patient_id=request.subject_id,
        detail=register,
    )
    return request


def _count_request(applicant_iin: str, ip: str) -> None:
    per_day = requests_per_day()
    try:
        rate_limit.check_and_count(
            rate_limit.Limit("certificate_request:iin", applicant_iin, per_day, timedelta(days=1)),
            rate_limit.Limit("certificate_request:ip", ip, per_day * 5, timedelta(days=1)),
        )
    except rate_limit.RateLimited as limited:
        raise TooManyCertificateRequests(limited.retry_after_minutes) from None


# ---- consent -----------------------------------------------------------------------------------------------


def _ask_consent(request: ServiceRequest, contact: Contact, *, actor: Actor, ip: str = "") -> None:
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
        token = secrets.token_urlsafe(24)
        form.consent_token_hash = token_hash(token)
    link = absolute_url("certificates.consent_by_link", token=token)
    language = contact.sms_language(request.language)
    applicant = applicant_label(request)
    form_title = DOCUMENT_TITLES[form.register].in_language(language)

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
    _answer_or_wait(request, actor)
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
    _notify_applicant(request, "refused")


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
    _notify_applicant(request, "refused")
    return True


def expire_overdue_consents() -> int:
    """Every request whose consent time ran out, refused. Returns how many."""
    return sum(1 for request in overdue_consent_requests() if expire_consent_if_due(request))


# ---- answering ---------------------------------------------------------------------------------------------


def refresh(request: ServiceRequest) -> None:
    """Lazy upkeep when someone looks at the request: expire consent, retry a waiting registry."""
    if expire_consent_if_due(request):
        return
    form = request.information_form
    if request.status == "awaiting_registry" and (
        form.last_registry_attempt_at is None or now() - form.last_registry_attempt_at >= LAZY_RETRY_INTERVAL
    ):
        # Noted before the retry: a failed retry rolls its own savepoint back, and the page polls often.
        _remember_attempt(request)
        registry_pending.retry(request, Actor.system())


def resume(request: ServiceRequest, actor: Actor) -> None:
    """registry_pending's retry handler (the package registers it): carry on from where the registry
    stopped the request. Raises RegistryUnavailable while the registry is still down."""
    form = request.information_form
    _remember_attempt(request)
    if not form.for_self and not has_consent(request):
        if form.consent_requested_at is None:
            try:
                contact = contact_for(form.subject_iin)
            except (UnknownPerson, NoPhoneOnFile):
                transition(request, "cancelled", actor=actor, step="no_phone_for_consent")
                _notify_applicant(request, "cancelled")
                return
            _ask_consent(request, contact, actor=actor)
        return
    _answer(request, actor)
    if request.status == "completed":
        _notify_applicant(request, "completed")


def _answer_or_wait(request: ServiceRequest, actor: Actor) -> None:
    try:
        # A savepoint: a failure half-way (say, while rendering) must not leave a half-answered request.
        with db.session.begin_nested():
            _answer(request, actor)
    except RegistryUnavailable as error:
        registry_pending.wait_for_registry(request, actor=actor, note=error.reason)


def _answer(request: ServiceRequest, actor: Actor) -> None:
    """Ask the registry and issue the form. Raises RegistryUnavailable."""
    form = request.information_form
    spec = FORMS[form.register]
    _remember_attempt(request)
    registry = get_registry()
    try:
        person = registry.find_person(form.subject_iin)
        status = registry.register_status(form.subject_iin, spec.register)
    except NotFound:
        transition(request, "cancelled", actor=actor, step="subject_not_found")
        _notify_applicant(request, "cancelled")
        return
    record_step(request, "registry_checked", actor=actor, note=status.source)
    if request.subject is None:
        request.subject = card_from_registry(person, language=request.language)
    subject = request.subject
    form.answered_at = now()
    form.is_registered = status.is_registered
    form.registry_source = status.source[:200]
    answer = FormAnswer(
        issued_on=now().astimezone(ALMATY).date(),
        full_name=person.full_name,
        birth_date=person.birth_date,
        address=person.address,
        is_registered=status.is_registered,
        source=status.source,
        subject_iin=person.iin,
    )
    document = issue_document(
        spec.document_kind,
        TEMPLATE,
        {"spec": spec, "answer": answer},
        subject=subject,
        language=request.language,
        valid_until=valid_until_for(now()),
        flush=False,  # stored with the request's own changes, in the savepoint's last flush
    )
    request.result_document = document
    transition(request, "completed", actor=actor, step="form_issued", note=document.number)


def record_view(request: ServiceRequest, what: str, *, channel: str) -> None:
    """A patient saw the result on screen or downloaded the PDF: an event in the request's log."""
    record_step(request, what, actor=Actor.applicant(), channel=channel)


# ---- the registry desk: staff reads and changes, audited ------------------------------------------------


def desk_list(*, actor: Actor) -> list[ServiceRequest]:
    """The registrar's list (`queries.desk_requests`), the reading audited."""
    audit(actor, "view", "information_form_requests", detail="desk list")
    return desk_requests()


def open_at_desk(request: ServiceRequest, *, actor: Actor) -> None:
    """Staff open a request: its lazy upkeep (`refresh`), then the read, audited."""
    refresh(request)
    show_at_desk(request, actor=actor)


def show_at_desk(request: ServiceRequest, *, actor: Actor) -> None:
    """Staff are shown a request again (after a wrong consent code): the read, audited."""
    audit(actor, "view", "information_form_request", object_id=request.number, patient_id=request.subject_id)


def retry_at_desk(request: ServiceRequest, *, actor: Actor) -> registry_pending.RetryOutcome:
    """A registrar asks the registry again for a waiting request; audited with what came of it."""
    outcome = registry_pending.retry(request, actor, channel="desk")
    audit(
        actor,
        "update",
        "information_form_request",
        object_id=request.number,
        detail=f"registry retry: {outcome.result}",
    )
    return outcome


def print_at_desk(request: ServiceRequest, *, actor: Actor) -> Document | None:
    """The form of a request to print at the desk, the printing audited; None when staff may not see it
    (`desk_may_see_result`) or there is none."""
    document = result_document(request)
    if document is None or not desk_may_see_result(request):
        return None
    audit(actor, "print", "document", object_id=document.number, patient_id=document.subject_id)
    return document


# ---- helpers -----------------------------------------------------------------------------------------------


def _remember_attempt(request: ServiceRequest) -> None:
    request.information_form.last_registry_attempt_at = now()


def _card_for(iin: str, language: str) -> Patient | None:
    """The applicant's clinic card, made from the registry when the clinic has none (None if it is down)."""
    patient = find_patient(iin)
    if patient is not None:
        return patient
    try:
        person = get_registry().find_person(iin)
    except (NotFound, RegistryUnavailable):
        return None
    return card_from_registry(person, language=language)


def _notify_applicant(request: ServiceRequest, outcome: str) -> None:
    """Tell a web or kiosk applicant by SMS how their request ended (never the subject's status), as the
    request's step `sms_<outcome>`. On failure the status page says the same, and the failed message is in
    the outbox for staff."""
    applicant = request.applicant
    if request.channel == "desk" or applicant is None:
        return
    link = absolute_url("certificates.show_request", number=request.number)
    sms.send_about(
        request,
        outcome,
        phone=applicant.phone,
        language=applicant.language,
        render=lambda: outcome_sms_text(request, outcome, link=link),
        purpose=f"certificate_{outcome}",
    )
