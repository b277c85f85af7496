"""Changes of services 10 and 11: the registrar receives (step 1), the attending doctor fills the sheet or the
certificate and signs (step 2), the head of department or the deputy chief physician (3) and the medical
advisory commission (4) sign when the routing needs them, the issuing desk stamps and registers it in the
book (last step). A sheet is extended by a new visit (the same steps, one more period) and closed by its
doctor. Each writes its events (through app.services.signoff) and its audit entry."""

import logging
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from app.core.actors import Actor
from app.core.clock import local_now, now
from app.core.inputs import without_bidi_controls
from app.extensions import db
from app.models import Patient, ServiceRequest, SickLeave, SickLeavePeriod, SickLeaveSettings
from app.models.sick_leave import ONE_OPEN_INDEX, OVERLAP_MARKER
from app.registries import RegistryUnavailable
from app.services import documents, icd10, patients, registry_pending, signoff
from app.services.audit import audit
from app.services.clinic import get_clinic
from app.services.requests import create_request, record_step, transition
from app.services.sick_leave import texts
from app.services.sick_leave.queries import get_settings, open_sheet_of, routing_of
from app.services.sick_leave.rules import (
    CAUSES,
    ISSUE_MODES,
    MAX_PERIOD_DAYS,
    OUTCOMES,
    REGIMES,
    SERVICES,
    SHEET,
    SheetFields,
    SickLeaveError,
    is_valid_national_number,
)

log = logging.getLogger(__name__)

SHEET_DOCUMENT = "sick_leave_sheet"
CERTIFICATE_DOCUMENT = "sick_leave_certificate"


def _clean(value: str, limit: int = 300) -> str:
    return without_bidi_controls(" ".join((value or "").split()))[:limit]


def _today() -> date:
    return local_now().date()


def _flush_or_refuse() -> None:
    """Flush in a savepoint; the database's refusals (an overlapping period, a second open sheet) become the
    person's message with nothing changed."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except DBAPIError as error:
        words = str(error.orig)
        if OVERLAP_MARKER in words:
            raise SickLeaveError(texts.OVERLAP, field="starts_on") from error
        if ONE_OPEN_INDEX in words or "sick_leave.patient_id" in words:
            raise SickLeaveError(texts.ONE_OPEN_SHEET) from error
        raise


# ---- step 1: the registrar --------------------------------------------------------------------------------
def receive(
    patient: Patient, service: str, *, identity_document: str, actor: Actor, language: str = "kk"
) -> ServiceRequest:
    """Step 1 at the desk: a visit of a new sheet, of the person's open sheet (an extension), or of a new
    certificate; its sign-off, the registrar's signature, and the register of attached population asked."""
    if service not in SERVICES:
        raise ValueError(service)
    identity_document = _clean(identity_document, 200)
    if not identity_document:
        raise SickLeaveError(texts.IDENTITY_NEEDED, field="identity_document")
    existing = open_sheet_of(patient) if service == SHEET else None
    if existing is not None and any(not period.registered for period in existing.periods):
        raise SickLeaveError(texts.VISIT_IN_PROGRESS)
    request = create_request(service, channel="desk", actor=actor, subject=patient, language=language)
    if existing is None:
        sheet = SickLeave(
            kind="sheet" if service == SHEET else "certificate",
            patient=patient,
            opened_request=request,
            state="open",
            created_at=now(),
        )
        db.session.add(sheet)
    else:
        sheet = existing
    period = SickLeavePeriod(
        sick_leave=sheet, patient_id=patient.id, request=request, position=len(sheet.periods)
    )
    db.session.add(period)
    _flush_or_refuse()
    signoff.start(request, actor=actor)
    signoff.sign(request, "documents_checked", actor=actor, confirmed=identity_document)
    _check_register(request, period, actor=actor)
    return request


def receive_again(request: ServiceRequest, *, identity_document: str, actor: Actor) -> ServiceRequest:
    """Step 1 once more, after the doctor sent the visit back: the documents checked again and signed."""
    signoff.check_turn(request, "documents_checked", actor=actor)
    identity_document = _clean(identity_document, 200)
    if not identity_document:
        raise SickLeaveError(texts.IDENTITY_NEEDED, field="identity_document")
    signoff.sign(request, "documents_checked", actor=actor, confirmed=identity_document)
    return request


def _check_register(request: ServiceRequest, period: SickLeavePeriod, *, actor: Actor) -> None:
    check = patients.check_attachment(request.subject)
    period.attachment_state = check.state
    if check.state == "unavailable":
        registry_pending.wait_for_registry(request, actor=actor)
    else:
        record_step(request, "registry_checked", actor=actor, note=check.state)


def resume_after_registry(request: ServiceRequest, actor: Actor) -> None:
    """Retry handler: the register of attached population answers a visit that waited for it."""
    check = patients.check_attachment(request.subject)
    if check.state == "unavailable":
        raise RegistryUnavailable("unavailable", "still no answer about the attachment")
    request.sick_leave_period.attachment_state = check.state
    transition(request, "in_review", actor=actor, step="registry_checked", note=check.state)


# ---- step 2: the attending doctor --------------------------------------------------------------------------
def _check_opening(fields: SheetFields, kind: str) -> None:
    if fields.starts_on is None or fields.ends_on is None:
        raise SickLeaveError(texts.DATES_NEEDED, field="starts_on")
    if fields.starts_on > _today():
        raise SickLeaveError(texts.STARTS_IN_FUTURE, field="starts_on")
    if not fields.diagnosis or icd10.find(fields.diagnosis) is None:
        raise SickLeaveError(texts.DIAGNOSIS_NEEDED, field="diagnosis")
    if not _clean(fields.workplace):
        raise SickLeaveError(texts.WORKPLACE_NEEDED, field="workplace")
    if kind == "certificate":
        return
    if fields.cause not in CAUSES:
        raise SickLeaveError(texts.UNKNOWN_CAUSE, field="cause")
    if fields.regime not in REGIMES:
        raise SickLeaveError(texts.UNKNOWN_REGIME, field="regime")
    if fields.issue_mode not in ISSUE_MODES:
        raise SickLeaveError(texts.UNKNOWN_MODE, field="issue_mode")
    if fields.issue_mode == "electronic" and not is_valid_national_number(fields.national_number.strip()):
        raise SickLeaveError(texts.NATIONAL_NUMBER_INVALID, field="national_number")
    if not fields.primary and not _clean(fields.continues_number, 40):
        raise SickLeaveError(texts.CONTINUES_NEEDED, field="continues_number")


def _check_dates(starts_on: date, ends_on: date | None) -> None:
    if ends_on is None:
        raise SickLeaveError(texts.END_NEEDED, field="ends_on")
    if ends_on < starts_on:
        raise SickLeaveError(texts.END_BEFORE_START, field="ends_on")
    if (ends_on - starts_on).days + 1 > MAX_PERIOD_DAYS:
        raise SickLeaveError(texts.too_long(MAX_PERIOD_DAYS), field="ends_on")


def _overlapping(period: SickLeavePeriod, starts_on: date, ends_on: date) -> bool:
    """The friendly check before the database's own (the trigger refuses whatever slips past this)."""
    query = select(func.count(SickLeavePeriod.id)).where(
        SickLeavePeriod.patient_id == period.patient_id,
        SickLeavePeriod.id != period.id,
        SickLeavePeriod.starts_on <= ends_on,
        SickLeavePeriod.ends_on >= starts_on,
    )
    return bool(db.session.scalar(query))


def sign_as_doctor(request: ServiceRequest, fields: SheetFields, *, actor: Actor) -> ServiceRequest:
    """Step 2: the doctor, having seen the register's answer and examined the person, fills the sheet (or
    the extension, or the certificate) and signs; the routing decides the next step."""
    signoff.check_turn(request, "doctor_signed", actor=actor)
    if request.status == registry_pending.AWAITING_REGISTRY:
        raise SickLeaveError(texts.WAITS_FOR_REGISTRY)
    period = request.sick_leave_period
    sheet = period.sick_leave
    opening = period.position == 0
    if opening:
        _check_opening(fields, sheet.kind)
        starts_on = fields.starts_on
    else:
        previous = sheet.periods[period.position - 1]
        starts_on = previous.ends_on + timedelta(days=1)
    _check_dates(starts_on, fields.ends_on)
    if _overlapping(period, starts_on, fields.ends_on):
        raise SickLeaveError(texts.OVERLAP, field="starts_on")
    if opening:
        sheet.workplace = _clean(fields.workplace)
        sheet.diagnosis_open = icd10.normalise(fields.diagnosis)
        sheet.doctor_id = actor.staff_id
        sheet.department = actor.staff.speciality or ""
        if sheet.kind == "sheet":
            sheet.issue_mode = fields.issue_mode
            sheet.number = (
                fields.national_number.strip() if fields.issue_mode == "electronic" else request.number
            )
            sheet.primary = fields.primary
            sheet.continues_number = "" if fields.primary else _clean(fields.continues_number, 40)
            sheet.cause = fields.cause
            sheet.regime = fields.regime
        else:
            sheet.number = request.number
            sheet.diagnosis_consent = fields.diagnosis_consent
    elif fields.diagnosis and icd10.find(fields.diagnosis) is not None:
        sheet.diagnosis_close = icd10.normalise(fields.diagnosis)
    period.starts_on = starts_on
    period.ends_on = fields.ends_on
    period.doctor_id = actor.staff_id
    period.doctor_name = actor.staff.full_name
    _flush_or_refuse()
    routing = routing_of(period)
    note = "; ".join(str(reason) for reason in routing.reasons)
    signoff.sign(request, "doctor_signed", actor=actor, confirmed=note)
    return _issue_when_complete(request)


# ---- steps 3 and 4: the head of department or deputy chief physician, the commission -----------------------
def sign_as_head(request: ServiceRequest, *, actor: Actor) -> ServiceRequest:
    signoff.check_turn(request, "head_signed", actor=actor)
    period = request.sick_leave_period
    routing = routing_of(period)
    if routing.needs_deputy and not actor.staff.has_role("head"):
        audit(actor, "refused", "signoff", object_id=request.number, patient_id=request.subject_id)
        raise SickLeaveError(texts.deputy_needed(get_settings().deputy_after_days))
    period.head_name = actor.staff.full_name
    signoff.sign(request, "head_signed", actor=actor)
    return _issue_when_complete(request)


def sign_as_commission(request: ServiceRequest, *, protocol: str, actor: Actor) -> ServiceRequest:
    signoff.check_turn(request, "commission_signed", actor=actor)
    protocol = _clean(protocol, 60)
    if not protocol:
        raise SickLeaveError(texts.PROTOCOL_NEEDED, field="protocol")
    request.sick_leave_period.commission_protocol = protocol
    signoff.sign(request, "commission_signed", actor=actor, confirmed=f"№ {protocol}")
    return _issue_when_complete(request)


# ---- the last step: the issuing desk -----------------------------------------------------------------------
def register_in_book(request: ServiceRequest, *, actor: Actor) -> ServiceRequest:
    """The issuing desk stamps the sheet and enters it (or its extension) in the register book."""
    signoff.check_turn(request, "issued", actor=actor)
    period = request.sick_leave_period
    sheet = period.sick_leave
    if sheet.book_number is None:
        last = db.session.scalar(select(func.max(SickLeave.book_number))) or 0
        sheet.book_number = last + 1
        sheet.registered_at = now()
    period.registered = True
    if sheet.kind == "certificate":
        sheet.state = "closed"
        sheet.closed_at = now()
    signoff.sign(request, "issued", actor=actor, confirmed=f"№ {sheet.book_number}")
    return _issue_when_complete(request)


def _issue_when_complete(request: ServiceRequest) -> ServiceRequest:
    """Once the last signature is given, the paper sheet or the certificate is issued with every signature;
    an electronic sheet lives in the national system, and only its registration is kept here."""
    if request.status != "completed" or request.result_document is not None:
        return request
    sheet = request.sick_leave_period.sick_leave
    if sheet.kind == "sheet" and sheet.issue_mode == "electronic":
        return request
    kind = SHEET_DOCUMENT if sheet.kind == "sheet" else CERTIFICATE_DOCUMENT
    request.result_document = documents.issue_document(
        kind,
        f"documents/{kind}.html",
        document_context(request),
        subject=request.subject,
        language=request.language,
        valid_until=None,
        flush=False,
    )
    db.session.flush()
    log.info("sick leave %s issued for %s", request.result_document.number, request.number)
    return request


def document_context(request: ServiceRequest) -> dict:
    period = request.sick_leave_period
    sheet = period.sick_leave
    return {
        "request": request,
        "sheet": sheet,
        "periods": [p for p in sheet.periods if p.starts_on is not None and p.position <= period.position],
        "patient": request.subject,
        "clinic": get_clinic(),
        "signatories": signoff.signatories(request),
        "causes": CAUSES,
        "regimes": REGIMES,
        "outcomes": OUTCOMES,
        "diagnosis_open": icd10.find(sheet.diagnosis_open) if sheet.diagnosis_open else None,
    }


def send_back(request: ServiceRequest, *, reason: str, actor: Actor) -> ServiceRequest:
    signoff.send_back(request, actor=actor, reason=reason)
    return request


# ---- closing -----------------------------------------------------------------------------------------------
def close(
    sheet: SickLeave, *, outcome: str, return_on: date | None, diagnosis: str, actor: Actor
) -> SickLeave:
    """The attending doctor closes the sheet: «приступить к работе с …» or «продолжает болеть»."""
    if actor.staff is None or not actor.staff.has_role("doctor"):
        audit(actor, "refused", "sick_leave", object_id=sheet.number, patient_id=sheet.patient_id)
        raise SickLeaveError(texts.NOT_A_DOCTOR)
    if sheet.kind != "sheet" or sheet.state != "open":
        raise SickLeaveError(texts.NOTHING_OPEN)
    if any(not period.registered for period in sheet.periods):
        raise SickLeaveError(texts.VISIT_IN_PROGRESS)
    if outcome not in OUTCOMES:
        raise SickLeaveError(texts.OUTCOME_NEEDED, field="outcome")
    last_day = sheet.periods[-1].ends_on
    if outcome == "return_to_work":
        if return_on is None:
            raise SickLeaveError(texts.RETURN_DATE_NEEDED, field="return_on")
        if return_on <= last_day:
            raise SickLeaveError(texts.RETURN_DATE_BEFORE_END, field="return_on")
    if diagnosis and icd10.find(diagnosis) is None:
        raise SickLeaveError(texts.DIAGNOSIS_NEEDED, field="diagnosis")
    sheet.outcome = outcome
    sheet.return_on = return_on if outcome == "return_to_work" else None
    if diagnosis:
        sheet.diagnosis_close = icd10.normalise(diagnosis)
    sheet.state = "closed"
    sheet.closed_at = now()
    sheet.closed_by_name = actor.staff.full_name
    audit(
        actor,
        "update",
        "sick_leave",
        object_id=sheet.number,
        patient_id=sheet.patient_id,
        detail=f"closed: {outcome}",
    )
    db.session.flush()
    return sheet


# ---- settings ----------------------------------------------------------------------------------------------
def save_settings(
    *, doctor_alone_days: int, deputy_after_days: int, commission_after_days: int, backdate_days: int, actor
) -> SickLeaveSettings:
    settings = get_settings()
    settings.doctor_alone_days = doctor_alone_days
    settings.deputy_after_days = deputy_after_days
    settings.commission_after_days = commission_after_days
    settings.backdate_days = backdate_days
    settings.changed_at = now()
    db.session.add(settings)
    audit(
        actor,
        "update",
        "sick_leave_settings",
        detail=f"{doctor_alone_days}/{deputy_after_days}/{commission_after_days}/{backdate_days}",
    )
    db.session.flush()
    return settings
