"""Reading complaints: lookups, the head's list, the figures, what the status page shows, and the staff's
audited looks at a complaint (each `open_*`/`print_*` takes the actor and records the read)."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import Complaint, Document, ServiceRequest, StaffMember, StaffRole
from app.models.requests import OPEN_STATUSES
from app.services import request_summary, status
from app.services import requests as request_service
from app.services.audit import audit
from app.services.complaints import texts
from app.services.complaints.rules import LIST_FILTERS, SERVICE

LIST_LIMIT = 500


@dataclass(frozen=True)
class ComplaintFigures:
    filed: int  # registered within the period
    answered: int  # of those, answered so far
    answered_in_time: int  # of those, answered by the deadline
    open_now: int  # open at this moment, whenever filed
    overdue_now: int  # open and past the deadline at this moment


def find_by_number(number: str) -> Complaint | None:
    return db.session.scalars(
        select(Complaint)
        .join(Complaint.request)
        .where(ServiceRequest.number == (number or "").strip().upper(), ServiceRequest.service == SERVICE)
    ).first()


def get(complaint_id: int) -> Complaint | None:
    return db.session.get(Complaint, complaint_id)


def complaint_for_request(request: ServiceRequest) -> Complaint | None:
    return db.session.scalars(select(Complaint).where(Complaint.request_id == request.id)).first()


def head_on_duty() -> StaffMember | None:
    """The head complaints are assigned to: the first active account holding the head role."""
    return db.session.scalars(
        select(StaffMember)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .where(StaffRole.role == "head", StaffMember.is_active_account.is_(True))
        .order_by(StaffMember.id)
        .limit(1)
    ).first()


def list_complaints(which: str = "open") -> list[Complaint]:
    """The head's list: open ones by deadline (most urgent first), answered ones newest first."""
    query = select(Complaint).join(Complaint.request)
    is_open = ServiceRequest.status.in_(OPEN_STATUSES)
    if which == "open":
        query = query.where(is_open).order_by(ServiceRequest.deadline_at)
    elif which == "overdue":
        query = query.where(is_open, ServiceRequest.deadline_at < now()).order_by(ServiceRequest.deadline_at)
    elif which == "answered":
        query = query.where(ServiceRequest.status == "completed").order_by(ServiceRequest.completed_at.desc())
    else:
        query = query.order_by(ServiceRequest.created_at.desc())
    return list(db.session.scalars(query.limit(LIST_LIMIT)))


def open_list(which: str, *, actor: Actor) -> list[Complaint]:
    """The head's list (an unknown filter shows the open ones), the read recorded in the audit log."""
    which = which if which in LIST_FILTERS else "open"
    audit(actor, "view", "complaint_list", detail=f"show={which}")
    return list_complaints(which)


def open_complaint(complaint: Complaint, *, actor: Actor) -> Complaint:
    """The head opens a complaint (the complainant's personal data); the read is audited."""
    audit(actor, "view", "complaint", object_id=complaint.number, patient_id=complaint.patient_id)
    return complaint


def open_receipt(complaint: Complaint, *, actor: Actor) -> Complaint:
    """The registrar or the head opens the receipt handed to the complainant; the read is audited."""
    audit(
        actor,
        "view",
        "complaint",
        object_id=complaint.number,
        patient_id=complaint.patient_id,
        detail="receipt",
    )
    return complaint


def print_reply(complaint: Complaint, *, actor: Actor) -> Document | None:
    """The stored reply letter, exactly as issued (None before the answer); the print is audited."""
    document = complaint.reply_document
    if document is not None:
        audit(
            actor,
            "print",
            "complaint",
            object_id=complaint.number,
            patient_id=complaint.patient_id,
            detail=document.number,
        )
    return document


def figures(start_at: datetime, end_at: datetime) -> ComplaintFigures:
    """Complaints filed in [start_at, end_at), and the open and overdue ones right now."""
    counts = request_service.counts(SERVICE, start_at, end_at)
    return ComplaintFigures(
        filed=counts.received,
        answered=counts.answered,
        answered_in_time=counts.answered_in_time,
        open_now=counts.open_now,
        overdue_now=counts.overdue_now,
    )


# ---- the status page's hooks ---------------------------------------------------------------------------


def follower(request: ServiceRequest) -> status.Follower | None:
    """A complaint is followed with a code sent to the phone written in it, in the language of its answer:
    the code proves this complaint only, never the IIN written in it. Signed in as a patient, only the person
    whose card it is on follows it without that code: a typed IIN makes no one its follower."""
    complaint = complaint_for_request(request)
    if complaint is None:
        return None
    card_iin = request.subject.iin if request.subject is not None else ""
    return status.Follower(iin=card_iin, phone=complaint.phone, language=request.language)


def complaint_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """What the complainant reads about the answer on the status page: the last day of the answer, who
    answers or where the answer is, and where to go next if they disagree (004 items 8, 12 and 14)."""
    if not (request.status == "completed" or request.is_open):
        return None
    facts = ()
    if request.deadline_at is not None:
        facts = (request_summary.Fact(str(texts.ANSWER_DUE_LABEL), format_date(request.deadline_at, "long")),)
    first = texts.ANSWER_ALSO_BY_POST if request.status == "completed" else texts.ANSWERED_IN_WRITING
    return request_summary.Summary(
        title=str(texts.ANSWER_TITLE),
        facts=facts,
        notes=(str(first), str(texts.APPEAL_TO_AUTHORISED_BODIES), str(texts.COURT)),
        document_label=str(texts.READ_THE_ANSWER) if request.status == "completed" else "",
    )
