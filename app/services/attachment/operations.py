"""Changing attachment: applying, checking against the register again, approving, refusing.

    application = submit_application(data, actor=Actor.patient(), channel="web")    # or channel="desk", files
    approve(application, district=district, actor=actor)           # registry, patient card, talon, SMS
    refuse(application, "free_choice_once_a_year", note="", actor=actor)   # reasoned refusal document, SMS

The flow, one service request (service "attachment") per application:
- submitted -> in_review once the register of attached population has answered (step "registry_checked"), or
  -> awaiting_registry when it cannot answer; `resume_attachment` (a registry_pending retry handler) carries
  on from there with everything the person entered.
- in_review -> completed (approved: attached in the register, talon issued) or refused (a regulation ground,
  a refusal document naming it), by a registrar or the head within one working day (the catalogue deadline).

Someone already attached here is told so and no application is made. Each operation a staff member performs
writes its audit entry here; a patient's own application and the registry retries are in the request's
history instead.
"""

import logging
from dataclasses import dataclass

from app.core.actors import Actor
from app.core.clock import local_now, now
from app.core.urls import absolute_url
from app.extensions import db
from app.models import AttachmentApplication, AttachmentFile, District, Document, ServiceRequest
from app.registries import Attachment, NotFound, RegistryUnavailable, get_registry
from app.services import audit, registry_pending, sms, uploads
from app.services import requests as request_service
from app.services.attachment import texts
from app.services.attachment.documents import issue_refusal, issue_talon
from app.services.attachment.queries import (
    application_for_request,
    assess,
    open_application_of,
    propose_district,
    validate,
)
from app.services.attachment.rules import (
    SERVICE,
    AlreadyAttachedHere,
    ApplicationInput,
    ApplicationPending,
    AttachmentError,
    DecisionBlocked,
    NotDecidable,
    PersonUnknown,
    RegistryDown,
    UploadInput,
    birth_date_of,
    check_refusal,
    is_attached_here,
)
from app.services.clinic import get_clinic
from app.services.patients import card_from_registry, find_patient

log = logging.getLogger(__name__)


def _audit_change(actor: Actor, action: str, request: ServiceRequest, detail: str) -> None:
    """The audit entry of what a staff member did to an application."""
    if actor.staff is not None:
        audit.audit(
            actor,
            action,
            "attachment_application",
            object_id=request.number,
            patient_id=request.subject_id,
            detail=detail,
        )


# ---- applying --------------------------------------------------------------------------------------------
def submit_application(
    data: ApplicationInput,
    *,
    actor: Actor,
    channel: str,
    files: list[UploadInput] | tuple = (),
) -> AttachmentApplication:
    """Register an application and run the checks.

    Raises InvalidApplication (the field and why), uploads.UploadError (a file: nothing is stored),
    AlreadyAttachedHere, ApplicationPending or PersonUnknown; none of them leaves anything behind. When the
    registry cannot answer, the application is kept in `awaiting_registry` with everything entered.
    """
    data = validate(data)
    checked_files = []
    for upload in files:
        try:
            checked_files.append((upload.kind, uploads.check(upload.stream, upload.filename)))
        except uploads.UploadError as error:
            error.field = f"{upload.kind}_file"
            raise
    pending = open_application_of(data.iin)
    if pending is not None:
        raise ApplicationPending(pending.request.number)

    clinic = get_clinic()
    patient = find_patient(data.iin)
    attachment, person, registry_down = None, None, False
    registry = get_registry()
    try:
        attachment = registry.attachment_of(data.iin)
        if patient is None:
            person = registry.find_person(data.iin)
    except NotFound:
        raise PersonUnknown() from None
    except RegistryUnavailable as error:
        log.warning("attachment application for a new applicant: registry unavailable (%s)", error.reason)
        registry_down = True
    if is_attached_here(attachment, clinic):
        raise AlreadyAttachedHere(attachment.district_number)
    if patient is None and person is not None:
        patient = card_from_registry(person, language=data.language)

    request = request_service.create_request(
        SERVICE, channel=channel, actor=actor, subject=patient, language=data.language
    )
    application = AttachmentApplication(
        request=request,
        iin=data.iin,
        address=data.address,
        phone=data.phone,
        reason=data.reason,
        reason_note=data.reason_note,
        preferred_doctor_id=data.preferred_doctor_id,
        identity_checked=data.identity_checked,
        findings={},
    )
    db.session.add(application)
    db.session.flush()
    stored_names = []
    try:
        for kind, checked in checked_files:
            stored = uploads.save(checked)
            stored_names.append(stored.stored_name)
            db.session.add(
                AttachmentFile(
                    application=application,
                    kind=kind,
                    stored_name=stored.stored_name,
                    original_name=stored.original_name,
                    content_type=stored.content_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    uploaded_at=now(),
                    uploaded_by_id=actor.staff_id,
                )
            )
        db.session.flush()
        if stored_names:
            request_service.record_step(
                request, "files_attached", actor=actor, note=f"{len(stored_names)} files"
            )
        if registry_down:
            registry_pending.wait_for_registry(request, actor=actor)
        else:
            _record_check(application, attachment, actor=actor)
    except Exception:
        for name in stored_names:  # the request will roll back: leave no orphaned file on disk
            uploads.remove(name)
        raise
    _audit_change(actor, "create", request, f"desk application, {len(files)} files")
    log.info("attachment application %s registered via %s", request.number, channel)
    return application


def _record_check(application: AttachmentApplication, attachment: Attachment, *, actor: Actor) -> None:
    """Keep what the register of attached population said, propose the district, and put the application in
    review (or, if it waited for the registry, move it on)."""
    elsewhere = attachment.is_attached and not is_attached_here(attachment, get_clinic())
    application.previous_clinic_code = attachment.clinic_code if elsewhere else ""
    application.previous_clinic_name = attachment.clinic_name if elsewhere else ""
    application.last_free_choice_on = attachment.last_free_choice_on
    application.checked_at = now()
    application.proposed_district = propose_district(application.address, birth_date_of(application.iin))
    result = assess(application)
    application.findings = {"grounds": result.grounds, "warnings": result.warnings}
    db.session.flush()
    request = application.request
    note = ", ".join(result.grounds) or "no grounds"
    if request.status == "in_review":
        request_service.record_step(request, "registry_checked", actor=actor, note=note)
    else:
        request_service.transition(request, "in_review", actor=actor, step="registry_checked", note=note)


def resume_attachment(request: ServiceRequest, actor: Actor) -> None:
    """Retry handler: the registry answers again, so run the checks the application waited for."""
    application = application_for_request(request)
    if application is None:
        return
    registry = get_registry()
    try:
        attachment = registry.attachment_of(application.iin)  # RegistryUnavailable: keep waiting
        person = registry.find_person(application.iin) if request.subject is None else None
    except NotFound:
        request_service.refuse(
            request,
            "requirements_not_met",
            actor=actor,
            note="no such person in the state database of individuals",
        )
        issue_refusal(application)
        return
    if is_attached_here(attachment, get_clinic()):
        request_service.transition(
            request, "cancelled", actor=actor, step="already_attached_here", note="attached here already"
        )
        return
    if person is not None:
        request.subject = find_patient(application.iin) or card_from_registry(
            person, language=request.language
        )
        request.applicant = request.applicant or request.subject
    _record_check(application, attachment, actor=actor)


# ---- asking the registry again ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RecheckOutcome:
    """What asking the registry again did: `result` is "checked", "cancelled" (attached here already),
    "unavailable", "not_decidable" or, for an application waiting for the registry, a registry_pending result
    word; `message` and `level` (a flash category) are what the desk is told."""

    result: str
    message: str
    level: str


def recheck(application: AttachmentApplication, *, actor: Actor, channel: str = "desk") -> RecheckOutcome:
    """Ask the registry again and run the checks with its answer. An application in review that cannot be
    checked now stays as it was (result "unavailable")."""
    try:
        result = _check_again(application, actor=actor, channel=channel)
    except RegistryUnavailable:
        outcome = RecheckOutcome("unavailable", str(registry_pending.UNAVAILABLE_MESSAGE), "warning")
    except AttachmentError as problem:
        outcome = RecheckOutcome("not_decidable", problem.message, "warning")
    else:
        outcome = RecheckOutcome(result, *texts.recheck_message(result))
    _audit_change(actor, "update", application.request, f"checked again: {outcome.result}")
    return outcome


def _check_again(application: AttachmentApplication, *, actor: Actor, channel: str) -> str:
    request = application.request
    if request.status == registry_pending.AWAITING_REGISTRY:
        return registry_pending.retry(request, actor, channel=channel).result
    if request.status != "in_review":
        raise NotDecidable()
    try:
        attachment = get_registry().attachment_of(application.iin)
    except NotFound:
        raise PersonUnknown() from None
    if is_attached_here(attachment, get_clinic()):
        request_service.transition(
            request, "cancelled", actor=actor, step="already_attached_here", channel=channel
        )
        return "cancelled"
    _record_check(application, attachment, actor=actor)
    return "checked"


# ---- deciding --------------------------------------------------------------------------------------------
def approve(
    application: AttachmentApplication, *, district: District | None, actor: Actor, channel: str = "desk"
) -> Document:
    """Attach the person in the register (replacing any attachment elsewhere), keep the card in step, issue
    the talon and send an SMS. Raises NotDecidable, DecisionBlocked, RegistryDown (nothing changed)."""
    try:
        talon = _approve(application, district=district, actor=actor, channel=channel)
    except RegistryUnavailable:
        raise RegistryDown() from None
    _audit_change(actor, "update", application.request, f"approved: district {application.district.number}")
    return talon


def _approve(
    application: AttachmentApplication, *, district: District | None, actor: Actor, channel: str
) -> Document:
    request = application.request
    if request.status != "in_review":
        raise NotDecidable()
    clinic = get_clinic()
    if clinic is None or not clinic.code:
        raise DecisionBlocked(texts.NO_CLINIC_CODE)
    registry = get_registry()
    try:
        current = registry.attachment_of(application.iin)
        patient = request.subject or find_patient(application.iin)
        person = registry.find_person(application.iin) if patient is None else None
    except NotFound:
        raise DecisionBlocked(PersonUnknown().message, ground="requirements_not_met") from None
    already_here = is_attached_here(current, clinic)
    if not already_here:
        elsewhere = current.is_attached
        application.previous_clinic_code = current.clinic_code if elsewhere else ""
        application.previous_clinic_name = current.clinic_name if elsewhere else ""
        application.last_free_choice_on = current.last_free_choice_on
        application.checked_at = now()
    result = assess(application, district=district)
    if result.district is None:
        raise DecisionBlocked(texts.NO_DISTRICT)
    if result.grounds:
        ground = result.grounds[0]
        raise DecisionBlocked(texts.approval_blocked(ground, result.details.get(ground)), ground=ground)
    target = result.district
    today = local_now().date()

    with db.session.begin_nested():  # the registry is written last: if it fails, nothing here stays either
        if patient is None:
            patient = card_from_registry(person, language=request.language)
        request.subject = patient
        request.applicant = request.applicant or patient
        patient.address = application.address
        patient.district = target
        if application.phone:
            patient.phone = application.phone
        application.district = target
        application.attached_on = today
        application.decided_at = now()
        application.decided_by_id = actor.staff_id
        db.session.flush()
        talon = issue_talon(application, patient, target, clinic)
        registry.attach(
            application.iin,
            clinic.code,
            target.number,
            today,
            free_choice=application.reason == "free_choice" and not already_here,
        )
    request.result_document_id = talon.id
    if application.previous_clinic_code and not already_here:
        request_service.record_step(
            request,
            "detached_from_previous",
            actor=actor,
            channel=channel,
            note=application.previous_clinic_name or application.previous_clinic_code,
        )
    request_service.transition(
        request, "completed", actor=actor, step="approved", channel=channel, note=f"district {target.number}"
    )
    _send_sms(application, "approved")
    log.info("attachment %s approved: district %s", request.number, target.number)
    return talon


def refuse(
    application: AttachmentApplication, ground: str, *, note: str = "", actor: Actor, channel: str = "desk"
) -> Document:
    """Refuse on one of the four regulation grounds, with a printable reasoned refusal naming it."""
    request = application.request
    if not request.is_open:
        raise NotDecidable()
    note = check_refusal(ground, note)
    application.decided_at = now()
    application.decided_by_id = actor.staff_id
    request_service.refuse(request, ground, actor=actor, channel=channel, note=note)
    document = issue_refusal(application)
    _send_sms(application, "refused")
    _audit_change(actor, "update", request, f"refused: {request.refusal_ground}")
    log.info("attachment %s refused: %s", request.number, ground)
    return document


def _send_sms(application: AttachmentApplication, outcome: str) -> None:
    """The SMS of the decision, to the phone on the card or the one given at the desk (steps
    `sms_<outcome>`, `sms_<outcome>_failed`, `sms_<outcome>_no_phone`)."""
    request = application.request
    clinic = get_clinic()
    link = absolute_url("attachment.show_application", number=request.number)
    sms.send_about(
        request,
        outcome,
        phone=(request.subject.phone if request.subject else "") or application.phone,
        language=request.language,
        render=lambda: texts.sms_text(
            outcome=outcome,
            number=request.number,
            clinic=clinic.name(request.language) if clinic else "",
            district=application.district.number if application.district else "",
            ground=request.refusal_ground,
            link=link,
        ),
        purpose=f"attachment_{outcome}",
    )
