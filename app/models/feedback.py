"""What people tell the clinic about its services: satisfaction survey answers (regulation 003) and
written complaints (regulation 004, items 8-14)."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.document import Document
from app.models.patient import Patient
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

SURVEY_QUESTIONS = ("process", "information")
SURVEY_RATINGS = ("not_satisfied", "partly_satisfied", "satisfied")


class SurveyResponse(Base):
    """One answer to the two questions of regulation 003, given once per completed request.

    The request link exists only so the same request cannot be rated twice: reports count answers by
    service, channel and day and never read it. The day (not the moment) is kept so an answer cannot be
    matched to a request by its timestamp.
    """

    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_survey_response_service_day", "service", "answered_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    service: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))  # where the request was made
    answered_on: Mapped[date]  # local (Asia/Almaty) calendar day
    process_rating: Mapped[str] = mapped_column(String(20))  # question 1, one of SURVEY_RATINGS
    information_rating: Mapped[str] = mapped_column(String(20))  # question 2


COMPLAINT_STATUSES = ("registered", "in_review", "answered")
OPEN_COMPLAINT_STATUSES = ("registered", "in_review")


class Complaint(Base):
    """A written complaint: registered with a number (CM-2026-000001) and answered within 15 working days."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status_deadline", "status", "deadline_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="registered")
    language: Mapped[str] = mapped_column(String(2), default="kk")  # of the written answer
    filed_at: Mapped[datetime] = mapped_column(index=True)
    deadline_at: Mapped[datetime]

    # What regulation 004 item 10 requires of the complainant, as they wrote it.
    complainant_name: Mapped[str] = mapped_column(String(200))
    iin: Mapped[str] = mapped_column(String(12), index=True)
    postal_address: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)

    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))  # the card with that IIN, if any
    related_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))  # desk entry
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    reply_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    patient: Mapped[Patient | None] = relationship()
    related_request: Mapped[ServiceRequest | None] = relationship()
    created_by: Mapped[StaffMember | None] = relationship(foreign_keys=[created_by_id])
    assigned_to: Mapped[StaffMember | None] = relationship(foreign_keys=[assigned_to_id])
    answered_by: Mapped[StaffMember | None] = relationship(foreign_keys=[answered_by_id])
    reply_document: Mapped[Document | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT_STATUSES

    def is_overdue(self, at: datetime) -> bool:
        return self.is_open and self.deadline_at < at
