"""Written complaints (regulation 004, items 8-14): registered with a number and date, assigned to the
head, answered in writing within 15 working days, the answer printed as a reply letter.

Complaints are not one of the 14 services, so they have their own table and number series (CM-2026-000001)
rather than a service request; the series shares the request counter, so numbers never repeat.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import notify
from app.core.actors import Actor
from app.core.bilingual import Bilingual
from app.core.clock import now
from app.core.iin import InvalidIin, parse_iin
from app.core.urls import absolute_url
from app.extensions import db
from app.models import Complaint, Patient, StaffMember, StaffRole
from app.models.feedback import OPEN_COMPLAINT_STATUSES
from app.models.requests import CHANNELS
from app.services import documents, rate_limit
from app.services import requests as request_service
from app.services.calendar import get_calendar
from app.services.local_registry import normalise_phone

log = logging.getLogger(__name__)

NUMBER_PREFIX = "CM"
# Enough for a family at one computer or a busy kiosk; stops a script from flooding the head's list.
COMPLAINTS_PER_IP = 10
COMPLAINTS_PER_IIN = 5
COMPLAINT_WINDOW = timedelta(hours=1)
ANSWER_WORKING_DAYS = 15  # regulation 004, item 12: from the day of registration
MAX_TEXT = 5000

# The written answer (regulation 004, item 12), issued by the document engine: numbered, stored, verifiable.
REPLY_KIND = documents.register_kind("complaint_reply", "CMR", Bilingual("Шағымға жауап", "Ответ на жалобу"))
REPLY_TEMPLATE = "documents/complaint_reply.html"

STATUS_LABELS = {
    "registered": _l("Received"),
    "in_review": _l("Being reviewed"),
    "answered": _l("Answered"),
}


class ComplaintError(ValueError):
    """A complaint cannot be taken or answered as given; `field` names the form field, if one is at fault."""

    def __init__(self, field: str | None, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ComplaintInput:
    complainant_name: str
    iin: str
    postal_address: str
    phone: str
    text: str
    related_number: str = ""


def file_complaint(
    data: ComplaintInput, *, channel: str, actor: Actor, language: str = "kk", ip: str = ""
) -> Complaint:
    """Register a complaint: number, date, the 15-working-day deadline, and the head it is assigned to.

    The complainant gets an SMS with the number and the deadline. `ip` limits how many complaints one
    address may send (web and kiosk; the desk passes none).
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    name = " ".join(data.complainant_name.split())
    if not name:
        raise ComplaintError("complainant_name", _l("Enter your surname, name and patronymic."))
    try:
        iin = parse_iin(data.iin).iin
    except InvalidIin as error:
        raise ComplaintError("iin", error.message) from error
    address = data.postal_address.strip()
    if not address:
        raise ComplaintError("postal_address", _l("Enter the postal address for the written answer."))
    try:
        phone = normalise_phone(data.phone)
    except ValueError:
        phone = ""
    if not phone:
        raise ComplaintError("phone", _l("Enter a Kazakhstan phone number, for example +7 701 123 45 67."))
    text = data.text.strip()
    if not text:
        raise ComplaintError("text", _l("Describe what you are complaining about."))
    if len(text) > MAX_TEXT:
        raise ComplaintError(
            "text", _l("The text is too long: at most %(count)s characters.", count=MAX_TEXT)
        )
    related = None
    if data.related_number.strip():
        related = request_service.find_by_number(data.related_number)
        if related is None:
            raise ComplaintError(
                "related_number",
                _l("There is no request with this number. Check it, or leave the field empty."),
            )

    try:
        rate_limit.check_and_count(
            rate_limit.Limit("complaint:ip", ip, COMPLAINTS_PER_IP, COMPLAINT_WINDOW),
            rate_limit.Limit("complaint:iin", iin, COMPLAINTS_PER_IIN, COMPLAINT_WINDOW),
        )
    except rate_limit.RateLimited as error:
        raise ComplaintError(
            None,
            _l(
                "Too many complaints were sent in a short time. Please try again later, or hand the "
                "complaint in at the registry desk."
            ),
        ) from error

    filed_at = now()
    complaint = Complaint(
        number=request_service.next_number(NUMBER_PREFIX, filed_at.year),
        channel=channel,
        status="registered",
        language=language if language in ("kk", "ru") else "kk",
        filed_at=filed_at,
        deadline_at=answer_deadline(filed_at),
        complainant_name=name,
        iin=iin,
        postal_address=address,
        phone=phone,
        text=text,
        patient_id=db.session.scalar(select(Patient.id).where(Patient.iin == iin)),
        related_request=related,
        created_by=actor.staff,
        assigned_to=head_on_duty(),
    )
    db.session.add(complaint)
    db.session.flush()
    log.info("complaint %s registered via %s", complaint.number, channel)
    _send_sms(
        complaint,
        lambda: _(
            "Your complaint %(number)s is registered. The answer is due by %(deadline)s. "
            "Follow it at %(url)s",
            number=complaint.number,
            deadline=format_date(complaint.deadline_at, "short"),
            url=absolute_url("status.find_request"),
        ),
        purpose="complaint_registered",
    )
    return complaint


def answer_deadline(filed_at: datetime) -> datetime:
    """Close of the 15th working day of the clinic's calendar after the day of registration.

    The clinic's calendar counts Saturdays it is open as working days, so the deadline is never later than
    a five-day-week count would give: the complainant is answered no later than the law requires.
    """
    return get_calendar().add_working_days(filed_at, ANSWER_WORKING_DAYS)


def head_on_duty() -> StaffMember | None:
    """The head complaints are assigned to: the first active account holding the head role."""
    heads = db.session.scalars(
        select(StaffMember)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .where(StaffRole.role == "head", StaffMember.is_active_account.is_(True))
        .order_by(StaffMember.id)
    ).all()
    return heads[0] if heads else None


def find_by_number(number: str) -> Complaint | None:
    return db.session.scalars(select(Complaint).where(Complaint.number == number.strip().upper())).first()


def get(complaint_id: int) -> Complaint | None:
    return db.session.get(Complaint, complaint_id)


LIST_FILTERS = ("open", "overdue", "answered", "all")


def list_complaints(which: str = "open") -> list[Complaint]:
    """The head's list: open ones by deadline (most urgent first), answered ones newest first."""
    query = select(Complaint)
    if which == "open":
        query = query.where(Complaint.status.in_(OPEN_COMPLAINT_STATUSES)).order_by(Complaint.deadline_at)
    elif which == "overdue":
        query = query.where(
            Complaint.status.in_(OPEN_COMPLAINT_STATUSES), Complaint.deadline_at < now()
        ).order_by(Complaint.deadline_at)
    elif which == "answered":
        query = query.where(Complaint.status == "answered").order_by(Complaint.answered_at.desc())
    else:
        query = query.order_by(Complaint.filed_at.desc())
    return list(db.session.scalars(query.limit(500)))


def save_draft(complaint: Complaint, answer_text: str, *, actor: Actor) -> None:
    """Keep the head's draft; the complainant sees the complaint as being reviewed."""
    _check_can_answer(complaint)
    complaint.answer_text = answer_text.strip()
    complaint.status = "in_review"
    if complaint.assigned_to_id is None and actor.staff is not None:
        complaint.assigned_to = actor.staff
    db.session.flush()


def answer(complaint: Complaint, answer_text: str, *, actor: Actor) -> Complaint:
    """Give the written, reasoned answer: it is issued as the reply letter (a stored PDF) in the
    complainant's language, and the complainant is told by SMS."""
    _check_can_answer(complaint)
    text = answer_text.strip()
    if not text:
        raise ComplaintError("answer_text", _l("Write the answer to the complaint."))
    if len(text) > MAX_TEXT:
        raise ComplaintError(
            "answer_text", _l("The text is too long: at most %(count)s characters.", count=MAX_TEXT)
        )
    complaint.answer_text = text
    complaint.status = "answered"
    complaint.answered_at = now()
    complaint.answered_by = actor.staff
    db.session.flush()
    complaint.reply_document = documents.issue_document(
        REPLY_KIND.code,
        REPLY_TEMPLATE,
        {"complaint": complaint},
        subject=complaint.patient,
        language=complaint.language,
        valid_until=None,
    )
    db.session.flush()
    log.info("complaint %s answered", complaint.number)
    _send_sms(
        complaint,
        lambda: _(
            "The answer to your complaint %(number)s is ready. Read it at %(url)s; it is also sent by post.",
            number=complaint.number,
            url=absolute_url("status.find_request"),
        ),
        purpose="complaint_answered",
    )
    return complaint


def _check_can_answer(complaint: Complaint) -> None:
    if not complaint.is_open:
        raise ComplaintError(None, _l("This complaint has already been answered."))


@dataclass(frozen=True)
class ComplaintFigures:
    filed: int  # registered within the period
    answered: int  # of those, answered so far
    answered_in_time: int  # of those, answered by the deadline
    open_now: int  # open at this moment, whenever filed
    overdue_now: int  # open and past the deadline at this moment


def figures(start_at: datetime, end_at: datetime) -> ComplaintFigures:
    """Complaints filed in [start_at, end_at), and the open and overdue ones right now."""
    in_period = (Complaint.filed_at >= start_at, Complaint.filed_at < end_at)
    moment = now()

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count(Complaint.id)).where(*conditions)) or 0

    return ComplaintFigures(
        filed=count(*in_period),
        answered=count(*in_period, Complaint.status == "answered"),
        answered_in_time=count(
            *in_period, Complaint.status == "answered", Complaint.answered_at <= Complaint.deadline_at
        ),
        open_now=count(Complaint.status.in_(OPEN_COMPLAINT_STATUSES)),
        overdue_now=count(Complaint.status.in_(OPEN_COMPLAINT_STATUSES), Complaint.deadline_at < moment),
    )


def _send_sms(complaint: Complaint, render: Callable[[], str], *, purpose: str) -> None:
    """Tell the complainant by SMS. A failed SMS never undoes the complaint: the outbox keeps it for staff."""
    try:
        notify.send_localized(
            complaint.phone, complaint.language, render, purpose=f"{purpose}:{complaint.number}"
        )
    except notify.SmsUnavailable:
        log.warning("complaint %s: the SMS could not be sent", complaint.number)
