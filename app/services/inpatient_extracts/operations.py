"""Changes of service 8: the four sign-offs of 001 annex 8 (doctor 15 min, head of department 15 min, senior
nurse 15 min, discharge desk 15 min), each through app.services.signoff; the last one issues the extract."""

import logging

from app.core.actors import Actor
from app.core.clock import local_now
from app.core.inputs import without_bidi_controls
from app.extensions import db
from app.models import InpatientExtract, Patient, ServiceRequest
from app.services import documents, signoff
from app.services.clinic import get_clinic
from app.services.inpatient_extracts import texts
from app.services.inpatient_extracts.diagnoses import check_code
from app.services.inpatient_extracts.diagnoses import title as diagnosis_title
from app.services.inpatient_extracts.queries import is_offered
from app.services.inpatient_extracts.rules import (
    MAX_OTHER_DIAGNOSES,
    MAX_TEXT,
    SERVICE,
    DischargeSummary,
    ExtractError,
)
from app.services.requests import create_request

log = logging.getLogger(__name__)

DOCUMENT_KIND = "inpatient_extract"
TEMPLATE = "documents/inpatient_extract.html"


def _line(value: str, limit: int = 200) -> str:
    return without_bidi_controls(" ".join((value or "").split()))[:limit]


def _text(value: str) -> str:
    return without_bidi_controls((value or "").strip())[:MAX_TEXT]


def _check_offered() -> None:
    if not is_offered():
        raise ExtractError(texts.MODULE_OFF)


def check_summary(summary: DischargeSummary) -> dict:
    """The summary's values, cleaned, or ExtractError naming the field."""
    for name in ("card_number", "department", "admitted_on", "discharged_on"):
        value = getattr(summary, name)
        if not (value.strip() if isinstance(value, str) else value):
            raise ExtractError(texts.FIELD_NEEDED, field=name)
    if summary.discharged_on < summary.admitted_on:
        raise ExtractError(texts.DATES_ORDER, field="discharged_on")
    if summary.discharged_on > local_now().date():
        raise ExtractError(texts.DATE_IN_FUTURE, field="discharged_on")
    if len(summary.other_diagnoses) > MAX_OTHER_DIAGNOSES:
        raise ExtractError(texts.too_many_diagnoses(MAX_OTHER_DIAGNOSES), field="other_diagnoses")
    main = check_code(summary.main_diagnosis, "main_diagnosis")
    others = [check_code(code, "other_diagnoses") for code in summary.other_diagnoses]
    if not _text(summary.condition):
        raise ExtractError(texts.FIELD_NEEDED, field="condition")
    return {
        "card_number": _line(summary.card_number, 30),
        "department": _line(summary.department),
        "admitted_on": summary.admitted_on,
        "discharged_on": summary.discharged_on,
        "main_diagnosis": main,
        "other_diagnoses": others,
        "examinations": _text(summary.examinations),
        "treatment": _text(summary.treatment),
        "condition": _text(summary.condition),
        "recommendations": _text(summary.recommendations),
        "sick_leave": _line(summary.sick_leave, 300),
    }


def _summary_note(extract: InpatientExtract) -> str:
    codes = ", ".join([extract.main_diagnosis, *extract.other_diagnoses])
    return f"{extract.card_number}; {extract.department}; {codes}"


def write_summary(
    patient: Patient, summary: DischargeSummary, *, actor: Actor, language: str = "kk"
) -> ServiceRequest:
    """Step 1: the attending or duty doctor writes the discharge summary and signs it."""
    _check_offered()
    if actor.staff is None or not actor.staff.has_role("doctor"):
        raise signoff.NotYourStep(signoff.not_your_step_message(("doctor",)))
    values = check_summary(summary)
    request = create_request(SERVICE, channel="desk", actor=actor, subject=patient, language=language)
    extract = InpatientExtract(request=request, doctor_id=actor.staff_id, **values)
    db.session.add(extract)
    signoff.start(request, actor=actor)
    signoff.sign(request, "summary_signed", actor=actor, confirmed=_summary_note(extract))
    return request


def rewrite_summary(request: ServiceRequest, summary: DischargeSummary, *, actor: Actor) -> ServiceRequest:
    """Step 1 again, after the document was sent back: the corrected summary, signed again."""
    _check_offered()
    signoff.check_turn(request, "summary_signed", actor=actor)
    values = check_summary(summary)
    extract = request.inpatient_extract
    for name, value in values.items():
        setattr(extract, name, value)
    extract.doctor_id = actor.staff_id
    signoff.sign(request, "summary_signed", actor=actor, confirmed=_summary_note(extract))
    return request


def _surname_matches(written: str, full_name: str) -> bool:
    written = written.strip().casefold()
    return len(written) >= 2 and "." not in written and written in full_name.casefold().split()


def sign_as_head(request: ServiceRequest, *, surname: str, actor: Actor) -> ServiceRequest:
    """Step 2: the head of department signs, writing their surname in full."""
    _check_offered()
    signoff.check_turn(request, "head_signed", actor=actor)
    surname = _line(surname, 100)
    if not _surname_matches(surname, actor.staff.full_name):
        raise ExtractError(texts.surname_mismatch(actor.staff.full_name), field="surname")
    request.inpatient_extract.head_surname = surname
    signoff.sign(request, "head_signed", actor=actor, confirmed=surname)
    return request


def stamp(request: ServiceRequest, *, stamped: bool, actor: Actor) -> ServiceRequest:
    """Step 3: the senior nurse certifies the extract with the provider's stamp."""
    _check_offered()
    signoff.check_turn(request, "stamped", actor=actor)
    if not stamped:
        raise ExtractError(texts.STAMP_NEEDED, field="stamped")
    signoff.sign(request, "stamped", actor=actor)
    return request


def hand_over(
    request: ServiceRequest, *, identity_document: str, handed_to: str, actor: Actor
) -> ServiceRequest:
    """Step 4: the discharge desk checks the identity document and hands the extract over; it is issued."""
    _check_offered()
    signoff.check_turn(request, "handed_over", actor=actor)
    identity_document, handed_to = _line(identity_document), _line(handed_to)
    if not identity_document:
        raise ExtractError(texts.IDENTITY_NEEDED, field="identity_document")
    if not handed_to:
        raise ExtractError(texts.IDENTITY_NEEDED, field="handed_to")
    extract = request.inpatient_extract
    extract.handover_document = identity_document
    extract.handed_to = handed_to
    signoff.sign(request, "handed_over", actor=actor, confirmed=f"{handed_to}, {identity_document}")
    document = documents.issue_document(
        DOCUMENT_KIND,
        TEMPLATE,
        extract_context(request),
        subject=request.subject,
        language=request.language,
        valid_until=None,
        flush=False,
    )
    request.result_document = document
    db.session.flush()
    log.info("inpatient extract %s issued for %s", document.number, request.number)
    return request


def send_back(request: ServiceRequest, *, reason: str, to_step: str | None, actor: Actor) -> ServiceRequest:
    _check_offered()
    signoff.send_back(request, actor=actor, reason=reason, to_step=to_step or None)
    return request


def extract_context(request: ServiceRequest) -> dict:
    return {
        "request": request,
        "extract": request.inpatient_extract,
        "patient": request.subject,
        "clinic": get_clinic(),
        "signatories": signoff.signatories(request),
        "diagnosis_title": lambda code: diagnosis_title(code, request.language),
    }
