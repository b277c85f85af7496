"""Urgent-care calls (regulation 001 annex 12, «неотложная медицинская помощь»): one row per service request.

The row is the urgent-care dispatch journal's entry (АДАЖ): who called, who the patient is (the IIN only when
known), where exactly (entrance and floor), why, the urgency category, the team it was passed to and when,
when the team arrived and finished, the result, the ICD-10 diagnosis and the doctor. The clock of the call is
elapsed time: received + 7 hours for the examination, then 5 minutes to register the result.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.clinic import District
from app.models.patient import Patient
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

# registered: in the journal, no team yet; passed: given to a team; arrived: the team is with the patient;
# examined: the examination ended, the result waits to be registered (5 minutes); done: result registered;
# handed_to_103: red flags, handed to the emergency service at once (never queued); cancelled.
CALL_STATUSES = ("registered", "passed", "arrived", "examined", "done", "handed_to_103", "cancelled")
LIVE_STATUSES = ("registered", "passed", "arrived", "examined")
RESULTS = ("treated_at_home", "referred_to_district_doctor", "hospitalised", "handed_to_103", "care_refused")
CALLER_KINDS = ("self", "other")
# Urgency categories of the 103 triage (MoH order No. 450): the 4th is the PHC urgent-care department's; a
# 3rd-category call the 103 service passes on is taken too. Categories 1 and 2 are 103's own.
URGENCY_CATEGORIES = (3, 4)


class UrgentCall(Base):
    __tablename__ = "urgent_call"
    __table_args__ = (
        Index("ix_urgent_call_status", "status"),
        Index("ix_urgent_call_team_received", "team_id", "received_at"),
        CheckConstraint(
            "status IN ('registered', 'passed', 'arrived', 'examined', 'done', 'handed_to_103', 'cancelled')",
            name="known_status",
        ),
        CheckConstraint(
            "result IS NULL OR result IN ('treated_at_home', 'referred_to_district_doctor', 'hospitalised', "
            "'handed_to_103', 'care_refused')",
            name="known_result",
        ),
        CheckConstraint("caller_kind IN ('self', 'other')", name="known_caller_kind"),
        CheckConstraint("urgency_category IN (3, 4)", name="known_urgency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))  # when the IIN is known
    status: Mapped[str] = mapped_column(String(20), default="registered")

    received_at: Mapped[datetime]
    examination_due_at: Mapped[datetime]  # received + 7 clock hours

    caller_kind: Mapped[str] = mapped_column(String(10), default="self")
    caller_name: Mapped[str] = mapped_column(String(200), default="")
    caller_phone: Mapped[str] = mapped_column(String(20))

    # The patient as the caller names them; the card's when the IIN is known.
    patient_iin: Mapped[str] = mapped_column(String(12), default="")
    patient_name: Mapped[str] = mapped_column(String(200))
    patient_age: Mapped[int | None]
    patient_sex: Mapped[str] = mapped_column(String(1), default="")

    address: Mapped[str] = mapped_column(String(500))
    entrance: Mapped[str] = mapped_column(String(20), default="")
    floor: Mapped[str] = mapped_column(String(20), default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    complaint: Mapped[str] = mapped_column(Text)
    urgency_category: Mapped[int] = mapped_column(default=4)
    red_flags: Mapped[list] = mapped_column(JSON, default=list)

    team_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))  # the doctor or feldsher
    passed_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    examined_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(30))
    diagnosis_code: Mapped[str] = mapped_column(String(10), default="")
    diagnosis_title: Mapped[str] = mapped_column(String(300), default="")
    result_note: Mapped[str] = mapped_column(Text, default="")
    result_registered_at: Mapped[datetime | None]
    result_registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    handed_to_103_at: Mapped[datetime | None]
    handover_note: Mapped[str] = mapped_column(Text, default="")  # whom at 103 it was handed to

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("urgent_call", uselist=False), lazy="joined", innerjoin=True
    )
    patient: Mapped[Patient | None] = relationship()
    district: Mapped[District | None] = relationship()
    team: Mapped[StaffMember | None] = relationship(foreign_keys=[team_id])
    result_registered_by: Mapped[StaffMember | None] = relationship(foreign_keys=[result_registered_by_id])

    @property
    def number(self) -> str:
        return self.request.number

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES
