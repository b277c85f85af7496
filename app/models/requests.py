"""The generic service request every service is built on, and its append-only event log."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.document import Document
from app.models.patient import Patient
from app.models.staff import StaffMember

CHANNELS = ("web", "kiosk", "desk", "phone")
STATUSES = (
    "submitted",
    "awaiting_consent",
    "awaiting_registry",
    "in_review",
    "completed",
    "refused",
    "cancelled",
)
OPEN_STATUSES = ("submitted", "awaiting_consent", "awaiting_registry", "in_review")
FINAL_STATUSES = ("completed", "refused", "cancelled")


class ServiceRequest(Base):
    __tablename__ = "service_request"
    __table_args__ = (
        Index("ix_service_request_service_created", "service", "created_at"),
        Index("ix_service_request_status_deadline", "status", "deadline_at"),
        # Monitoring's period filter for all services at once, with what its figures count, so a year's
        # figures are read from the index alone (issue 22).
        Index(
            "ix_service_request_period_figures",
            "created_at",
            "service",
            "channel",
            "status",
            "deadline_at",
            "completed_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. AP-2026-000123
    service: Mapped[str] = mapped_column(String(40))  # slug from app.services.catalogue
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="submitted")

    # The person the request is about, and who asked (the same person, a relative, or a registrar).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200), default="")  # when the applicant has no card
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    language: Mapped[str] = mapped_column(String(2), default="kk")

    created_at: Mapped[datetime]
    deadline_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    refusal_ground: Mapped[str | None] = mapped_column(String(40))  # a code from the service's ground list
    refusal_note: Mapped[str] = mapped_column(Text, default="")
    result_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    subject: Mapped[Patient | None] = relationship(foreign_keys=[subject_id])
    applicant: Mapped[Patient | None] = relationship(foreign_keys=[applicant_id])
    created_by: Mapped[StaffMember | None] = relationship()
    # Lets a service link a document that is not flushed yet (no id), so both go in one flush (issue 7).
    result_document: Mapped[Document | None] = relationship(foreign_keys=[result_document_id])
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id", lazy="selectin"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestEvent(Base):
    """One step of one request: who did what, when, through which channel. Never updated or deleted."""

    __tablename__ = "request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    at: Mapped[datetime]
    step: Mapped[str] = mapped_column(String(40))  # "submitted", "registry_checked", "completed", ...
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")  # "patient", "system", a name
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
    actor_staff: Mapped[StaffMember | None] = relationship()


class RequestCounter(Base):
    """Last number issued per prefix and year; incremented under the row lock, so numbers never repeat."""

    __tablename__ = "request_counter"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a row of an append-only log."""


def make_append_only(model) -> None:
    @event.listens_for(model, "before_update")
    def _refuse_update(mapper, connection, target):
        raise AppendOnlyError(f"{model.__tablename__} is append-only")

    @event.listens_for(model, "before_delete")
    def _refuse_delete(mapper, connection, target):
        raise AppendOnlyError(f"{model.__tablename__} is append-only")


make_append_only(RequestEvent)
