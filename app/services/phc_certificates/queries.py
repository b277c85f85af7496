"""Reading PHC certificates: one request, the register of issued certificates; staff looks are audited."""

from datetime import date

from sqlalchemy import select

from app.core.actors import Actor
from app.extensions import db
from app.models import Patient, PhcCertificate, ServiceRequest
from app.services import signoff
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


def register(start: date, end: date) -> list[signoff.IssuedRow]:
    """Certificates issued in [start, end] (local days), oldest first (the sign-off kernel's journal; each
    row's `record` is the PhcCertificate: kind, purpose, doctor)."""
    return signoff.issued(PhcCertificate, start, end, also_load=(PhcCertificate.doctor,))


def open_register(start: date, end: date, *, actor: Actor, printed: bool = False) -> list[signoff.IssuedRow]:
    return signoff.open_issued(
        PhcCertificate,
        start,
        end,
        also_load=(PhcCertificate.doctor,),
        journal="phc_certificate_register",
        actor=actor,
        printed=printed,
    )
