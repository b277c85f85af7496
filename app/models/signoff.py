"""The sign-off of a clinic document that several staff members sign in turn (app.services.signoff).

One `Signoff` per service request: which step it is at, since when and until when. Every signature and every
send-back is a `Signature` row, never changed or deleted: who, in which position, when, what they confirmed,
or why they sent the document back and to which step."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.requests import ServiceRequest, make_append_only
from app.models.staff import StaffMember

SIGNATURE_ACTIONS = ("signed", "sent_back")


class Signoff(Base):
    __tablename__ = "signoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    position: Mapped[int] = mapped_column(default=0)  # index of the current step in the service's steps
    step_started_at: Mapped[datetime]
    step_due_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("signoff", uselist=False), lazy="joined", innerjoin=True
    )
    signatures: Mapped[list["Signature"]] = relationship(
        back_populates="signoff", order_by="Signature.id", lazy="selectin"
    )


class Signature(Base):
    """One signature (or send-back) of one step. Append-only."""

    __tablename__ = "signoff_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    signoff_id: Mapped[int] = mapped_column(ForeignKey("signoff.id"), index=True)
    position: Mapped[int]
    step: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(12))  # signed | sent_back
    role: Mapped[str] = mapped_column(String(20))  # the step's role the signatory held
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    staff_name: Mapped[str] = mapped_column(String(200))  # as printed, kept even if the account changes
    started_at: Mapped[datetime]  # when the step became current
    due_at: Mapped[datetime | None]  # the step's deadline
    at: Mapped[datetime]
    confirmed: Mapped[str] = mapped_column(Text, default="")  # what the signatory confirmed, in words
    reason: Mapped[str] = mapped_column(Text, default="")  # a send-back's reason
    back_to: Mapped[str] = mapped_column(String(40), default="")  # a send-back's target step

    signoff: Mapped[Signoff] = relationship(back_populates="signatures")
    staff: Mapped[StaffMember | None] = relationship()


make_append_only(Signature)


class ClinicModule(Base):
    """A part of the clinic an admin switches on or off (the day hospital, the training centre)."""

    __tablename__ = "clinic_module"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
