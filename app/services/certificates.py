"""Information forms of regulation 004 (ҚР ДСМ-51): is a person on the TB dispensary register, or under
dynamic observation in psychiatry or narcology. The answer is automatic, from the registries.

A request is for oneself (the applicant proved their IIN with a one-time code) or for another person, who
must consent: the subject gets a consent code by SMS and either tells it to the applicant, or opens the
consent link and confirms with it (at the desk the registrar types it). No consent within CONSENT_TIMEOUT
refuses the request on the regulation's only ground, "no_consent". The form is issued as a stored document
(app.services.documents), valid 10 calendar days.

Statuses: for oneself `submitted -> completed`; for another person `awaiting_consent -> completed | refused`;
either may pass through `awaiting_registry` while the registry does not answer (registry_pending retries
it, and so does the applicant's status page), with the 30-minute deadline of the catalogue running.

Privacy: nothing about the subject is read from the registry before consent except the phone to ask for it,
and the subject's clinic card is only created when the form is issued. The status is shown on screen only to
the applicant of a consented request or the subject (`may_view`); every step is a request event, and staff
views are audited by the staff views.
"""

import contextlib
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import notify
from app.core.actors import Actor
from app.core.bilingual import Bilingual as T
from app.core.clock import ALMATY, now
from app.core.urls import absolute_url
from app.extensions import db
from app.models import Consent, Document, InformationFormRequest, Patient, ServiceRequest
from app.registries import NotFound, RegistryUnavailable, get_registry
from app.services import catalogue, otp, rate_limit, registry_pending, request_summary
from app.services.documents import issue_document, register_kind
from app.services.patient_identity import Contact, NoPhoneOnFile, UnknownPerson, contact_for
from app.services.patients import card_from_registry, find_patient
from app.services.requests import create_request, record_step, refuse, transition

log = logging.getLogger(__name__)

VALIDITY_DAYS = 10  # standard row 11: "Қолданылу мерзімі – күнтізбелік 10 күн"
TEMPLATE = "documents/information_form.html"
PENDING_STATUSES = ("submitted", "awaiting_consent", "awaiting_registry")
# How often the applicant's status page may ask a waiting registry again (registry_pending also retries).
LAZY_RETRY_INTERVAL = timedelta(seconds=30)


@dataclass(frozen=True)
class FormSpec:
    """One of the three forms, worded as the regulation's annex prints it."""

    register: str  # the registries' register code
    service_slug: str  # app.services.catalogue
    document_kind: str
    caption: str  # top right, above "нысаны"
    title_explanation: str  # after "Сведения/Мәлімет"
    status_label: T  # the status line: Kazakh label, Russian label under it
    name: object  # short name for our screens (lazy message)


_STANDARD = "мемлекеттік көрсетілетін қызмет стандартына қосымша"
_DYNAMIC_OBSERVATION = T("Динамикалық бақылауда тұратыны (тұрмайтыны)", "На динамическом наблюдении")

FORMS: dict[str, FormSpec] = {
    "tb": FormSpec(
        register="tb",
        service_slug="tb-certificate",
        document_kind="tb_form",
        caption=f'«"Фтизиатрия" Фтизиопульмонология орталығынан мәліметтер ұсыну» {_STANDARD}',
        title_explanation=(
            "(туберкулезбен ауыратын науқастардың диспансерлік есепте тұратыны немесе тұрмайтыны)"
        ),
        status_label=T("Диспансерлік есепте тұратыны (тұрмайтыны)", "На диспансерном учете"),
        name=_l("TB dispensary register"),
    ),
    "psychiatry": FormSpec(
        register="psychiatry",
        service_slug="psychiatry-certificate",
        document_kind="psychiatry_form",
        caption=f'«"Психиатрия" Психикалық денсаулық орталығынан мәліметтер ұсыну» {_STANDARD}',
        title_explanation=(
            "(психикалық мінез-құлық бұзылуларымен науқастардың динамикалық бақылауда тұрғаны туралы "
            "(немесе динамикалық бақылауда болмауы))"
        ),
        status_label=_DYNAMIC_OBSERVATION,
        name=_l("Psychiatric dynamic observation"),
    ),
    "narcology": FormSpec(
        register="narcology",
        service_slug="narcology-certificate",
        document_kind="narcology_form",
        caption=f'«"Наркология" Психикалық денсаулық орталығынан мәліметтер ұсыну» {_STANDARD}',
        title_explanation=(
            "(наркологиялық науқастардың динамикалық бақылауда тұрғаны туралы "
            "(немесе динамикалық бақылауда болмауы))"
        ),
        status_label=_DYNAMIC_OBSERVATION,
        name=_l("Narcological dynamic observation"),
    ),
}
REGISTERS = tuple(FORMS)
SERVICE_SLUGS = tuple(spec.service_slug for spec in FORMS.values())
STATUS_VALUES = {True: T("тұрады", "состоит"), False: T("тұрмайды", "не состоит")}

DOCUMENT_KINDS = {
    "tb": register_kind(
        "tb_form",
        "TBF",
        T("Туберкулезге қарсы ұйымнан мәлімет", "Сведения из противотуберкулёзной организации"),
    ),
    "psychiatry": register_kind(
        "psychiatry_form",
        "PSF",
        T(
            "«Психиатрия» психикалық денсаулық орталығынан мәлімет",
            "Сведения из центра психического здоровья «Психиатрия»",
        ),
    ),
    "narcology": register_kind(
        "narcology_form",
        "NRF",
        T(
            "«Наркология» психикалық денсаулық орталығынан мәлімет",
            "Сведения из центра психического здоровья «Наркология»",
        ),
    ),
}


@dataclass(frozen=True)
class FormAnswer:
    """What the printed form says about the subject."""

    issued_on: date
    full_name: str
    birth_date: date
    address: str
    is_registered: bool
    source: str
    subject_iin: str

    @property
    def status_text(self) -> str:
        value = STATUS_VALUES[self.is_registered]
        return f"{value.kk} / {value.ru}"


# ---- errors the person sees --------------------------------------------------------------------------------


class CertificateError(Exception):
    @property
    def message(self) -> str:
        raise NotImplementedError


class SubjectUnknown(CertificateError):
    @property
    def message(self) -> str:
        return _(
            "No person with this IIN is found in the state database of individuals. Please check the IIN."
        )


class NoPhoneForConsent(CertificateError):
    @property
    def message(self) -> str:
        return _(
            "This person has no mobile phone number on file, so they cannot give consent by SMS. Please come "
            "to the clinic's registry desk together, each with an identity document."
        )


class TooManyCertificateRequests(CertificateError):
    def __init__(self, retry_after_minutes: int):
        super().__init__("too many requests")
        self.retry_after_minutes = retry_after_minutes

    @property
    def message(self) -> str:
        return _(
            "You have made too many requests for information forms today. Please try again later or apply "
            "at the clinic's registry desk."
        )


class ConsentNotPending(CertificateError):
    def __init__(self, request: ServiceRequest):
        super().__init__(f"{request.number} is {request.status}")
        self.status = request.status

    @property
    def message(self) -> str:
        if self.status == "refused":
            return _("The request was refused because the person did not consent in time.")
        return _("This request no longer waits for consent.")


class IdentityNotChecked(CertificateError):
    @property
    def message(self) -> str:
        return _("Check the identity document and tick the box before issuing the form.")


# ---- queries -----------------------------------------------------------------------------------------------


def form_spec(request: ServiceRequest) -> FormSpec:
    return FORMS[request.information_form.register]


def find_request(number: str) -> ServiceRequest | None:
    request = db.session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.number == (number or "").strip().upper(), ServiceRequest.service.in_(SERVICE_SLUGS)
        )
    ).first()
    return request if request is not None and request.information_form is not None else None


def find_by_consent_token(token: str) -> ServiceRequest | None:
    if not token or len(token) > 100:
        return None
    form = db.session.scalars(
        select(InformationFormRequest).where(InformationFormRequest.consent_token_hash == _token_hash(token))
    ).first()
    return form.request if form is not None else None


def requests_of(iin: str, limit: int = 20) -> list[ServiceRequest]:
    """The person's own requests and those they made for others, newest first."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .join(InformationFormRequest, InformationFormRequest.request_id == ServiceRequest.id)
            .where(
                (InformationFormRequest.applicant_iin == iin) | (InformationFormRequest.subject_iin == iin)
            )
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(limit)
        )
    )


def desk_requests(limit: int = 50) -> list[ServiceRequest]:
    """The registrar's list: requests made at the desk, and any request waiting for the registry (staff
    may retry those), newest first. Web requests that were answered are not the desk's business."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(
                ServiceRequest.service.in_(SERVICE_SLUGS),
                (ServiceRequest.channel == "desk") | (ServiceRequest.status == "awaiting_registry"),
            )
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(limit)
        )
    )


def desk_may_see_result(request: ServiceRequest) -> bool:
    """Staff see (and print) the answer of requests made at the desk only; a patient's own web request
    stays between the patient and the registry, even for staff who can open it."""
    return request.channel == "desk" and request.status == "completed"


def may_view(request: ServiceRequest, iin: str | None) -> bool:
    """May the person signed in with `iin` open this request's page: its applicant or its subject.

    Opening the page is not seeing the answer: that is `may_see_result`."""
    if not iin:
        return False
    form = request.information_form
    if iin == form.subject_iin:
        return True
    return iin == form.applicant_iin


def may_see_result(request: ServiceRequest, iin: str | None) -> bool:
    """The subject's status, on screen or as the PDF: to the subject, or to the applicant once the subject
    consented (a completed third-party request always has a consent; checked again all the same)."""
    form = request.information_form
    if not may_view(request, iin) or request.status != "completed":
        return False
    return iin == form.subject_iin or form.for_self or has_consent(request)


def result_document(request: ServiceRequest) -> Document | None:
    return db.session.get(Document, request.result_document_id) if request.result_document_id else None


def refusal_ground_text(request: ServiceRequest) -> str:
    if not request.refusal_ground:
        return ""
    return str(catalogue.get(request.service).refusal_grounds[request.refusal_ground])


def consent_sms_failed(request: ServiceRequest) -> bool:
    """Did the latest attempt to send the subject their consent code fail (the applicant should resend)?"""
    if request.status != "awaiting_consent":
        return False
    steps = [event.step for event in request.events if event.step.startswith("consent_")]
    return bool(steps) and steps[-1] == "consent_sms_failed"


def has_consent(request: ServiceRequest) -> bool:
    return db.session.scalars(select(Consent.id).where(Consent.request_id == request.id)).first() is not None


def consent_timeout() -> timedelta:
    value = current_app.config["CONSENT_TIMEOUT"]
    return value if isinstance(value, timedelta) else timedelta(minutes=float(value))


def valid_until_for(issued_at: datetime) -> datetime:
    """The end (Almaty time) of the 10th calendar day after the day of issue."""
    last_day = issued_at.astimezone(ALMATY).date() + timedelta(days=VALIDITY_DAYS)
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=ALMATY)


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
    front of the registrar applies for the subject, who consents by the code sent to their phone."""
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
    return request


def _count_request(applicant_iin: str, ip: str) -> None:
    per_day = int(current_app.config["CERTIFICATE_REQUESTS_PER_DAY"])
    try:
        rate_limit.check_and_count(
            rate_limit.Limit("certificate_request:iin", applicant_iin, per_day, timedelta(days=1)),
            rate_limit.Limit("certificate_request:ip", ip, per_day * 5, timedelta(days=1)),
        )
    except rate_limit.RateLimited as limited:
        raise TooManyCertificateRequests(limited.retry_after_minutes) from None


# ---- consent -----------------------------------------------------------------------------------------------


def consent_purpose(request: ServiceRequest) -> str:
    return f"consent:{request.number}"


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


def _send_consent_code(
    request: ServiceRequest, contact: Contact, *, ip: str, token: str | None = None
) -> None:
    form = request.information_form
    if token is None or form.consent_token_hash != _token_hash(token):
        token = secrets.token_urlsafe(24)
        form.consent_token_hash = _token_hash(token)
    link = absolute_url("certificates.consent_by_link", token=token)
    language = contact.sms_language(request.language)
    applicant = applicant_label(request)
    kind = DOCUMENT_KINDS[form.register].title.in_language(language)

    def text(code: str) -> str:
        return _(
            "%(applicant)s asks for the information form «%(form)s» about you (request %(number)s). "
            "If you agree, tell them the code %(code)s or confirm at %(link)s. "
            "If you do not agree, do nothing.",
            applicant=applicant,
            form=kind,
            number=request.number,
            code=code,
            link=link,
        )

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
    otp.OtpError (a wrong try is counted: the caller must answer below 400 so it is committed)."""
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
    overdue = db.session.scalars(
        select(ServiceRequest)
        .join(InformationFormRequest, InformationFormRequest.request_id == ServiceRequest.id)
        .where(
            ServiceRequest.status == "awaiting_consent", InformationFormRequest.consent_deadline_at < now()
        )
        .order_by(ServiceRequest.id)
    ).all()
    return sum(1 for request in overdue if expire_consent_if_due(request))


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
    """registry_pending's retry handler: carry on from where the registry stopped the request.
    Raises RegistryUnavailable while the registry is still down."""
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


registry_pending.register_retry_handler("tb-certificate", resume)
registry_pending.register_retry_handler("psychiatry-certificate", resume)
registry_pending.register_retry_handler("narcology-certificate", resume)


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


def form_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """The form a completed request gave, for the status page (app.services.request_summary): its number
    and how long it is valid. Whether the person is registered stays in the form and on the request page,
    where `may_see_result` decides who reads it."""
    if request.status != "completed" or request.information_form is None:
        return None
    document = result_document(request)
    if document is None or document.revoked_at is not None:
        return None
    facts = [
        request_summary.Fact(_("Form number"), document.number),
        request_summary.Fact(_("Issued"), format_datetime(document.issued_at, "short")),
    ]
    if document.valid_until is not None:
        facts.append(request_summary.Fact(_("Valid until"), format_date(document.valid_until, "d MMMM yyyy")))
    return request_summary.Summary(
        title=str(form_spec(request).name),
        facts=tuple(facts),
        link_endpoint="certificates.show_request",
        link_label=_("Open the request"),
    )


for _slug in SERVICE_SLUGS:
    request_summary.register(_slug, form_summary)


def record_view(request: ServiceRequest, what: str, *, channel: str) -> None:
    """A patient saw the result on screen or downloaded the PDF: an event in the request's log."""
    record_step(request, what, actor=Actor.applicant(), channel=channel)


# ---- helpers -----------------------------------------------------------------------------------------------


def _remember_attempt(request: ServiceRequest) -> None:
    request.information_form.last_registry_attempt_at = now()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def applicant_label(request: ServiceRequest) -> str:
    """Who asked, as the subject is told: the applicant's name."""
    if request.applicant is not None:
        return request.applicant.full_name
    return request.applicant_name or _("A person")


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
    """Tell a web or kiosk applicant by SMS how their request ended (never the subject's status)."""
    applicant = request.applicant
    if request.channel == "desk" or applicant is None or not applicant.phone:
        return
    link = absolute_url("certificates.show_request", number=request.number)

    def text() -> str:
        if outcome == "completed":
            return _(
                "Your information form for request %(number)s is ready: %(link)s",
                number=request.number,
                link=link,
            )
        if outcome == "refused":
            return _(
                "Request %(number)s was refused: the person did not give consent. %(link)s",
                number=request.number,
                link=link,
            )
        return _(
            "Request %(number)s could not be completed. Please apply at the clinic's registry desk.",
            number=request.number,
        )

    # On failure the status page says the same, and the failed message is in the outbox for staff.
    with contextlib.suppress(notify.SmsUnavailable):
        notify.send_localized(applicant.phone, applicant.language, text, purpose=f"certificate_{outcome}")
