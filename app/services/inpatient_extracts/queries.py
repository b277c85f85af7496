"""Reading inpatient extracts: one request, the journal of issued extracts; staff looks are audited."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import Document, InpatientExtract, Patient, ServiceRequest
from app.services import modules
from app.services.audit import audit
from app.services.inpatient_extracts.rules import MODULE, SERVICE


def is_offered() -> bool:
    """The clinic has a day hospital and issues extracts itself."""
    return modules.is_enabled(MODULE)


def find_by_number(number: str) -> ServiceRequest | None:
    request = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.number == (number or "").strip().upper())
    ).first()
    # A request of this service without its own row (monitoring's history in the demo) is not one to open.
    if request is None or request.service != SERVICE or request.inpatient_extract is None:
        return None
    return request


def open_request(request: ServiceRequest, *, actor: Actor) -> ServiceRequest:
    audit(actor, "view", "inpatient_extract", object_id=request.number, patient_id=request.subject_id)
    return request


def open_patient(patient: Patient, *, actor: Actor) -> Patient:
    audit(actor, "view", "patient", object_id=patient.id, patient_id=patient.id, detail="inpatient extract")
    return patient


def open_document(document: Document, *, actor: Actor) -> Document:
    audit(actor, "print", "document", object_id=document.number, patient_id=document.subject_id)
    return document


@dataclass(frozen=True)
class JournalRow:
    document: Document
    request: ServiceRequest
    extract: InpatientExtract


def journal(start: date, end: date) -> list[JournalRow]:
    """Extracts issued in [start, end] (local days): number, date, patient, card, department, issued to."""
    start_at = datetime.combine(start, time.min, ALMATY)
    end_at = datetime.combine(end + timedelta(days=1), time.min, ALMATY)
    rows = db.session.execute(
        select(Document, ServiceRequest, InpatientExtract)
        .join(ServiceRequest, ServiceRequest.result_document_id == Document.id)
        .join(InpatientExtract, InpatientExtract.request_id == ServiceRequest.id)
        .where(Document.issued_at >= start_at, Document.issued_at < end_at)
        .options(selectinload(ServiceRequest.subject), selectinload(InpatientExtract.doctor))
        .order_by(Document.issued_at, Document.id)
    ).all()
    return [JournalRow(document, request, extract) for document, request, extract in rows]


def open_journal(start: date, end: date, *, actor: Actor, printed: bool = False) -> list[JournalRow]:
    audit(
        actor,
        "print" if printed else "view",
        "inpatient_extract_journal",
        detail=f"{start.isoformat()}..{end.isoformat()}",
    )
    return journal(start, end)
