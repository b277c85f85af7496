"""Reading inpatient extracts: one request, the journal of issued extracts; staff looks are audited."""

from datetime import date

from sqlalchemy import select

from app.core.actors import Actor
from app.extensions import db
from app.models import InpatientExtract, Patient, ServiceRequest
from app.services import modules, signoff
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


def journal(start: date, end: date) -> list[signoff.IssuedRow]:
    """Extracts issued in [start, end] (local days), oldest first (the sign-off kernel's journal; each row's
    `record` is the InpatientExtract: card, department, issued to)."""
    return signoff.issued(InpatientExtract, start, end, also_load=(InpatientExtract.doctor,))


def open_journal(start: date, end: date, *, actor: Actor, printed: bool = False) -> list[signoff.IssuedRow]:
    return signoff.open_issued(
        InpatientExtract,
        start,
        end,
        also_load=(InpatientExtract.doctor,),
        journal="inpatient_extract_journal",
        actor=actor,
        printed=printed,
    )
