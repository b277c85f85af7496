"""Answering a request from the registry: ask it about the subject, issue the form as a stored document,
and tell a web or kiosk applicant by SMS how their request ended. A registry outage leaves the request
waiting (registry_pending), to be carried on by `operations.resume`."""

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.core.urls import absolute_url
from app.extensions import db
from app.models import ServiceRequest
from app.registries import NotFound, RegistryUnavailable, get_registry
from app.services import registry_pending, sms
from app.services.certificates.rules import FORMS, TEMPLATE, valid_until_for
from app.services.certificates.texts import FormAnswer, outcome_sms_text
from app.services.documents import issue_document
from app.services.patients import card_from_registry
from app.services.requests import record_step, transition


def answer_or_wait(request: ServiceRequest, actor: Actor) -> None:
    try:
        # A savepoint: a failure half-way (say, while rendering) must not leave a half-answered request.
        with db.session.begin_nested():
            answer_from_registry(request, actor)
    except RegistryUnavailable as error:
        registry_pending.wait_for_registry(request, actor=actor, note=error.reason)


def answer_from_registry(request: ServiceRequest, actor: Actor) -> None:
    """Ask the registry and issue the form. Raises RegistryUnavailable."""
    form = request.information_form
    spec = FORMS[form.register]
    remember_attempt(request)
    registry = get_registry()
    try:
        person = registry.find_person(form.subject_iin)
        status = registry.register_status(form.subject_iin, spec.register)
    except NotFound:
        transition(request, "cancelled", actor=actor, step="subject_not_found")
        notify_applicant(request, "cancelled")
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


def remember_attempt(request: ServiceRequest) -> None:
    request.information_form.last_registry_attempt_at = now()


def notify_applicant(request: ServiceRequest, outcome: str) -> None:
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
