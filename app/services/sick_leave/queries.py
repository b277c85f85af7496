"""Reading sick leave: one visit, a person's open sheet, the routing, the register book; staff looks are
audited."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import Document, Patient, ServiceRequest, SickLeave, SickLeavePeriod, SickLeaveSettings
from app.services.audit import audit
from app.services.sick_leave.rules import CAUSES, OUTCOMES, SERVICES, Routing, route

DEFAULTS = {"doctor_alone_days": 6, "deputy_after_days": 20, "commission_after_days": 30, "backdate_days": 1}


def get_settings() -> SickLeaveSettings:
    """The clinic's thresholds, or the defaults when an admin has not saved any yet."""
    settings = db.session.scalars(select(SickLeaveSettings).order_by(SickLeaveSettings.id)).first()
    return settings or SickLeaveSettings(**DEFAULTS)


def find_by_number(number: str) -> ServiceRequest | None:
    request = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.number == (number or "").strip().upper())
    ).first()
    # A request of these services without its own row (monitoring's history in the demo) is not one to open.
    if request is None or request.service not in SERVICES or request.sick_leave_period is None:
        return None
    return request


def find_sheet(sheet_id: int) -> SickLeave | None:
    return db.session.get(SickLeave, sheet_id)


def open_sheet_of(patient: Patient) -> SickLeave | None:
    return db.session.scalars(
        select(SickLeave).where(
            SickLeave.patient_id == patient.id, SickLeave.kind == "sheet", SickLeave.state == "open"
        )
    ).first()


def routing_of(period: SickLeavePeriod) -> Routing:
    """The signatures the visit of `period` needs: days of every period so far, and, for the opening, how
    many days back it starts from the visit."""
    sheet = period.sick_leave
    total = sum(p.days for p in sheet.periods if p.position <= period.position)
    backdated = 0
    if period.position == 0 and period.starts_on is not None:
        visit_day = period.request.created_at.astimezone(ALMATY).date()
        backdated = (visit_day - period.starts_on).days
    if sheet.kind != "sheet":
        return Routing(total)
    return route(total, backdated, get_settings())


def step_needed(request: ServiceRequest, step) -> bool:
    """The sign-off's question (app.services.signoff): does this visit need the head's or the commission's
    signature?"""
    if step.code not in ("head_signed", "commission_signed"):
        return True
    period = request.sick_leave_period
    if period is None:
        return False
    routing = routing_of(period)
    return routing.needs_head if step.code == "head_signed" else routing.needs_commission


def open_request(request: ServiceRequest, *, actor: Actor) -> ServiceRequest:
    audit(actor, "view", "sick_leave", object_id=request.number, patient_id=request.subject_id)
    return request


def open_patient(patient: Patient, *, actor: Actor) -> Patient:
    audit(actor, "view", "patient", object_id=patient.id, patient_id=patient.id, detail="sick leave")
    return patient


def open_document(document: Document, *, actor: Actor) -> Document:
    audit(actor, "print", "document", object_id=document.number, patient_id=document.subject_id)
    return document


# ---- the register book -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BookFilter:
    start: date
    end: date
    doctor_id: int | None = None
    department: str = ""


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, ALMATY),
        datetime.combine(end + timedelta(days=1), time.min, ALMATY),
    )


def register_book(book: BookFilter) -> list[SickLeave]:
    """Sheets and certificates entered in the book in [start, end] (local days), in the book's order, with
    every period; optionally of one doctor or one department."""
    start_at, end_at = _day_bounds(book.start, book.end)
    query = (
        select(SickLeave)
        .where(
            SickLeave.book_number.is_not(None),
            SickLeave.registered_at >= start_at,
            SickLeave.registered_at < end_at,
        )
        .options(selectinload(SickLeave.patient))  # each line names the person: loaded with the rows
        .order_by(SickLeave.book_number)
    )
    if book.doctor_id:
        query = query.where(SickLeave.doctor_id == book.doctor_id)
    if book.department:
        query = query.where(SickLeave.department == book.department)
    return list(db.session.scalars(query))


def open_register_book(book: BookFilter, *, actor: Actor, action: str = "view") -> list[SickLeave]:
    audit(
        actor,
        action,
        "sick_leave_register_book",
        detail=f"{book.start.isoformat()}..{book.end.isoformat()} doctor={book.doctor_id or ''} "
        f"department={book.department}",
    )
    return register_book(book)


def book_csv(rows: list[SickLeave], language: str) -> str:
    """The register book as CSV (UTF-8 with a BOM for spreadsheet programs), one row per sheet."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "№",
            "kind",
            "number",
            "registered",
            "patient",
            "iin",
            "birth_date",
            "sex",
            "workplace",
            "diagnosis_open",
            "diagnosis_close",
            "cause",
            "periods",
            "outcome",
            "return_on",
            "doctor",
            "department",
        ]
    )
    for sheet in rows:
        periods = "; ".join(
            f"{p.starts_on:%d.%m.%Y}-{p.ends_on:%d.%m.%Y} {p.doctor_name}"
            + (f" / {p.head_name}" if p.head_name else "")
            + (f" / ВКК № {p.commission_protocol}" if p.commission_protocol else "")
            for p in sheet.periods
            if p.registered
        )
        writer.writerow(
            [
                sheet.book_number,
                sheet.kind,
                sheet.number,
                sheet.registered_at.astimezone(ALMATY).strftime("%d.%m.%Y"),
                sheet.patient.full_name,
                sheet.patient.iin,
                sheet.patient.birth_date.strftime("%d.%m.%Y"),
                sheet.patient.sex,
                sheet.workplace,
                sheet.diagnosis_open,
                sheet.diagnosis_close,
                CAUSES[sheet.cause].in_language(language) if sheet.cause in CAUSES else "",
                periods,
                OUTCOMES[sheet.outcome].in_language(language) if sheet.outcome in OUTCOMES else "",
                sheet.return_on.strftime("%d.%m.%Y") if sheet.return_on else "",
                sheet.doctor.full_name if sheet.doctor else "",
                sheet.department,
            ]
        )
    return buffer.getvalue()
