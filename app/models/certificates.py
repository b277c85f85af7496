"""Information-form requests (regulation 004): TB dispensary register, psychiatric and narcological
dynamic observation. One row per service request, holding what the generic request does not."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.consent import Consent
from app.models.requests import ServiceRequest


class InformationFormRequest(Base):
    __tablename__ = "information_form_request"
    __table_args__ = (
        CheckConstraint("register IN ('tb', 'psychiatry', 'narcology')", name="known_register"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    register: Mapped[str] = mapped_column(String(20))
    # Kept as typed, because the subject may have no clinic card yet while the registry is down.
    subject_iin: Mapped[str] = mapped_column(String(12), index=True)
    applicant_iin: Mapped[str] = mapped_column(String(12), default="", index=True)  # "" at the desk
    for_self: Mapped[bool]

    # Third-party requests: the link the subject may open to consent (only its SHA-256 is kept).
    consent_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    consent_requested_at: Mapped[datetime | None]
    consent_deadline_at: Mapped[datetime | None]

    # The answer, once the registry gave it. Only the status the form prints is kept, never more.
    last_registry_attempt_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    is_registered: Mapped[bool | None]
    registry_source: Mapped[str] = mapped_column(String(200), default="")

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("information_form", uselist=False), lazy="joined", innerjoin=True
    )
    consent: Mapped[Consent | None] = relationship(
        primaryjoin="InformationFormRequest.request_id == foreign(Consent.request_id)",
        viewonly=True,
        uselist=False,
    )
