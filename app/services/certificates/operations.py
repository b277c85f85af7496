"""Every other change to an information-form request: making it (web, kiosk, desk), its lazy upkeep and the
registry retry, the patient's views of the answer, and the registry desk's audited reads and changes. The
consent steps are in `consent`, answering from the registry in `answer`.

Each operation writes its request events; a staff member's read or change also writes its audit entry
(`app.services.audit`), with the actor the web layer passes (`app.auth.current_actor()`).
"""

from datetime import timedelta

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import Document, InformationFormRequest, Patient, ServiceRequest
from app.registries import NotFound, RegistryUnavailable, get_registry
from app.services import rate_limit, registry_pending
from app.services.audit import audit
from app.services.certificates.answer import (
    answer_from_registry,
    answer_or_wait,
    notify_applicant,
    remember_attempt,
)
from app.services.certificates.consent import ask_consent, expire_consent_if_due
from app.services.certificates.queries import desk_may_see_result, desk_requests, has_consent, result_document
from app.services.certificates.rules import (
    FORMS,
    LAZY_RETRY_INTERVAL,
    IdentityNotChecked,
    NoPhoneForConsent,
    SubjectUnknown,
    TooManyCertificateRequests,
    requests_per_day,
)
from app.services.patient_identity import NoPhoneOnFile, UnknownPerson, contact_for
from app.services.patients import card_from_registry, find_patient
from app.services.requests import create_request, record_step, transition

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
        answer_or_wait(request, actor)
    elif contact is None:
        registry_pending.wait_for_registry(request, actor=actor, note="consent: subject's phone")
        remember_attempt(request)
    else:
        ask_consent(request, contact, actor=actor, ip=ip)
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
        answer_or_wait(request, actor)
    elif contact is None:
        registry_pending.wait_for_registry(request, actor=actor, note="consent: subject's phone")
        remember_attempt(request)
    else:
        ask_consent(request, contact, actor=actor)
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
            rate_limit.origin_limit("certificate_request:ip", ip, per_day * 5, timedelta(days=1)),
        )
    except rate_limit.RateLimited as limited:
        raise TooManyCertificateRequests(limited.retry_after_minutes) from None


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


# ---- upkeep and the registry ----------------------------------------------------------------------------


def refresh(request: ServiceRequest) -> None:
    """Lazy upkeep when someone looks at the request: expire consent, retry a waiting registry."""
    if expire_consent_if_due(request):
        return
    form = request.information_form
    if request.status == "awaiting_registry" and (
        form.last_registry_attempt_at is None or now() - form.last_registry_attempt_at >= LAZY_RETRY_INTERVAL
    ):
        # Noted before the retry: a failed retry rolls its own savepoint back, and the page polls often.
        remember_attempt(request)
        registry_pending.retry(request, Actor.system())


def resume(request: ServiceRequest, actor: Actor) -> None:
    """registry_pending's retry handler (the package registers it): carry on from where the registry
    stopped the request. Raises RegistryUnavailable while the registry is still down."""
    form = request.information_form
    remember_attempt(request)
    if not form.for_self and not has_consent(request):
        if form.consent_requested_at is None:
            try:
                contact = contact_for(form.subject_iin)
            except (UnknownPerson, NoPhoneOnFile):
                transition(request, "cancelled", actor=actor, step="no_phone_for_consent")
                notify_applicant(request, "cancelled")
                return
            ask_consent(request, contact, actor=actor)
        return
    answer_from_registry(request, actor)
    if request.status == "completed":
        notify_applicant(request, "completed")


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
