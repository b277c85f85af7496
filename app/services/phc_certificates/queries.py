"""Reading PHC certificates: one request, the register of issued certificates; staff looks are audited."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import Document, Patient, PhcCertificate, ServiceRequest
from app.services.audit import audit
from app.services.phc_certificates.rules import SERVICE


def find_by_number(number: str) -> ServiceRequest | None:
    request = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.number == (number or "").strip().upper())
    ).first()
    # A request of this service without its own row (monitoring's history in the demo) is not one to open.
    if request is None or request.service != SERVICE or request.phc_certificate is None:
        return None
    return request


def open_request(request: ServiceRequest, *, actor: Actor) -> ServiceRequest:
    audit(actor, "view", "phc_certificate", object_id=request.number, patient_id=request.subject_id)
    return request


def open_patient(patient: Patient, *, actor: Actor) -> Patient:
    audit(actor, "view", "patient", object_id=patient.id, patient_id=patient.id, detail="phc certificate")
    return patient


@dataclass(frozen=True)
class RegisterRow:
    document: Document
    request: ServiceRequest
    certificate: PhcCertificate


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, ALMATY),
        datetime.combine(end + timedelta(days=1), time.min, ALMATY),
    )


def register(start: date, end: date) -> list[RegisterRow]:
    """Certificates issued in [start, end] (local days), oldest first: number, date, patient, kind, purpose,
    doctor."""
    start_at, end_at = _day_bounds(start, end)
    rows = db.session.execute(
        select(Document, ServiceRequest, PhcCertificate)
        .join(ServiceRequest, ServiceRequest.result_document_id == Document.id)
        .join(PhcCertificate, PhcCertificate.request_id == ServiceRequest.id)
        .where(Document.issued_at >= start_at, Document.issued_at < end_at)
        .options(selectinload(ServiceRequest.subject), selectinload(PhcCertificate.doctor))
        .order_by(Document.issued_at, Document.id)
    ).all()
    return [RegisterRow(document, request, certificate) for document, request, certificate in rows]


def open_register(start: date, end: date, *, actor: Actor, printed: bool = False) -> list[RegisterRow]:
    audit(
        actor,
        "print" if printed else "view",
        "phc_certificate_register",
        detail=f"{start.isoformat()}..{end.isoformat()}",
    )
    return register(start, end)


def open_document(document: Document, *, actor: Actor) -> Document:
    """A staff member prints an issued certificate: audited against the person it is about."""
    audit(actor, "print", "document", object_id=document.number, patient_id=document.subject_id)
    return document
