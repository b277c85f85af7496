"""What people tell the clinic about its services: satisfaction survey answers (regulation 003) and
written complaints (regulation 004, items 8-14)."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, case, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

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
    __table_args__ = (
        Index("ix_survey_response_service_day", "service", "answered_on"),
        Index("ix_survey_response_answered_on", "answered_on"),  # monitoring, all services (issue 22)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    service: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))  # where the request was made
    answered_on: Mapped[date]  # local (Asia/Almaty) calendar day
    process_rating: Mapped[str] = mapped_column(String(20))  # question 1, one of SURVEY_RATINGS
    information_rating: Mapped[str] = mapped_column(String(20))  # question 2


# A complaint is a service request (service "complaint", numbered CM-2026-000001): its number, channel,
# status, deadline, language and history are the request's. Its status in the complaint's own words
# (regulation 004: registered, being reviewed, answered):
COMPLAINT_STATUSES = {"submitted": "registered", "in_review": "in_review", "completed": "answered"}


class Complaint(Base):
    """A written complaint, registered and answered by its deadline (5 working days since issue 24): what the
    complainant wrote (regulation 004 item 10) and the head's answer. The reply letter is the request's result
    document."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)

    # What regulation 004 item 10 requires of the complainant, as they wrote it.
    complainant_name: Mapped[str] = mapped_column(String(200))
    iin: Mapped[str] = mapped_column(String(12), index=True)
    postal_address: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)

    related_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    request: Mapped[ServiceRequest] = relationship(
        foreign_keys=[request_id],
        backref=backref("complaint", uselist=False),
        lazy="joined",
        innerjoin=True,
    )
    related_request: Mapped[ServiceRequest | None] = relationship(foreign_keys=[related_request_id])
    assigned_to: Mapped[StaffMember | None] = relationship(foreign_keys=[assigned_to_id])
    answered_by: Mapped[StaffMember | None] = relationship(foreign_keys=[answered_by_id])

    # ---- the request's facts, in the complaint's words ----

    @hybrid_property
    def number(self) -> str:
        return self.request.number

    @number.inplace.expression
    @classmethod
    def _number_expression(cls):
        """The request's number as a column of the complaint row, so `select(Complaint.number)` lists the
        complaints' numbers. A scalar subquery alone names no table for the outer query to read FROM; the
        CASE on the row's own request_id (never NULL) anchors it to the complaint row."""
        number = (
            select(ServiceRequest.number)
            .where(ServiceRequest.id == cls.request_id)
            .correlate_except(ServiceRequest)
            .scalar_subquery()
        )
        return case((cls.request_id.is_not(None), number))

    @property
    def status(self) -> str:
        return COMPLAINT_STATUSES.get(self.request.status, self.request.status)

    @property
    def channel(self) -> str:
        return self.request.channel

    @property
    def language(self) -> str:
        """Of the written answer."""
        return self.request.language

    @property
    def filed_at(self) -> datetime:
        return self.request.created_at

    @property
    def deadline_at(self) -> datetime:
        return self.request.deadline_at

    @property
    def answered_at(self) -> datetime | None:
        return self.request.completed_at

    @property
    def created_by(self) -> StaffMember | None:
        """The registrar who took the complaint at the desk."""
        return self.request.created_by

    @property
    def created_by_id(self) -> int | None:
        return self.request.created_by_id

    @property
    def patient(self) -> Patient | None:
        """The card with the complainant's IIN, if there was one when the complaint was filed."""
        return self.request.subject

    @property
    def patient_id(self) -> int | None:
        return self.request.subject_id

    @property
    def reply_document(self) -> Document | None:
        return self.request.result_document

    @property
    def reply_document_id(self) -> int | None:
        return self.request.result_document_id

    @property
    def is_open(self) -> bool:
        return self.request.is_open

    def is_overdue(self, at: datetime) -> bool:
        return self.is_open and self.deadline_at < at
