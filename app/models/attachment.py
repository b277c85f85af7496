"""Attachment to the clinic (МСАК ұйымына тіркелу / прикрепление к организации ПМСП): applications, files.

Each application is one service request (app.models.requests.ServiceRequest, service "attachment") with the
details only this service needs: what the person asked for, what the checks found, and the decision.
"""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.clinic import District
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

# Why the person asks to be attached here (regulation 002 item 17 and the once-a-year rule tell them apart).
REASONS = ("residence", "free_choice", "other")
FILE_KINDS = ("application", "identity")


class AttachmentApplication(Base):
    __tablename__ = "attachment_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    # Kept here as well as on the patient card: an application taken while the registry was down has no card
    # yet, and the card is made from the registry's answer.
    iin: Mapped[str] = mapped_column(String(12), index=True)
    address: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str] = mapped_column(String(20), default="")  # a contact phone given at the desk
    reason: Mapped[str] = mapped_column(String(20))  # one of REASONS
    reason_note: Mapped[str] = mapped_column(Text, default="")
    preferred_doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # Desk applications: the registrar saw the identity document (regulation: its absence is a ground).
    identity_checked: Mapped[bool] = mapped_column(default=False)

    # What the checks found, when the registry last answered (see app.services.attachment.Findings).
    checked_at: Mapped[datetime | None]
    proposed_district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    previous_clinic_code: Mapped[str] = mapped_column(String(20), default="")
    previous_clinic_name: Mapped[str] = mapped_column(String(300), default="")
    last_free_choice_on: Mapped[date | None]
    findings: Mapped[dict] = mapped_column(JSON, default=dict)

    # The decision.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    attached_on: Mapped[date | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    request: Mapped[ServiceRequest] = relationship()
    preferred_doctor: Mapped[StaffMember | None] = relationship(foreign_keys=[preferred_doctor_id])
    proposed_district: Mapped[District | None] = relationship(foreign_keys=[proposed_district_id])
    district: Mapped[District | None] = relationship(foreign_keys=[district_id])
    decided_by: Mapped[StaffMember | None] = relationship(foreign_keys=[decided_by_id])
    files: Mapped[list["AttachmentFile"]] = relationship(
        back_populates="application", order_by="AttachmentFile.id", lazy="selectin"
    )


class AttachmentFile(Base):
    """A scan or photo brought to the desk. The bytes live under instance/uploads (app.services.uploads)."""

    __tablename__ = "attachment_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("attachment_application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # one of FILE_KINDS
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random; never the uploaded name
    original_name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    application: Mapped[AttachmentApplication] = relationship(back_populates="files")
    uploaded_by: Mapped[StaffMember | None] = relationship()
