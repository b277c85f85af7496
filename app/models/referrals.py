"""Hospitalization referrals through the Hospitalization Bureau (regulation 001 annex 13, form 001-3/у):
one row per service request.

The row tracks the three steps: the clinic's specialist reviews the package (the pre-hospital examinations the
receiving department's profile requires, each with the date it was done), the Bureau registers the patient and
gives the date (outside the clinic's control: the Bureau's ticket, its referral code, hospital and date), the
specialist stamps the talon and hands it over. "Not indicated" and "examinations incomplete" are medical
decisions with their reasons, not refusals.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.patient import Patient
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

# queued: the Bureau could not be reached; the package waits for staff to send it again;
# at_bureau: sent, the Bureau has not given a date yet; dated: the Bureau's code, hospital and date are known;
# handed_over: stamped and given to the patient; not_indicated / incomplete: the specialist's medical
# decision.
REFERRAL_STATUSES = (
    "queued",
    "at_bureau",
    "dated",
    "handed_over",
    "not_indicated",
    "incomplete",
    "cancelled",
)
OPEN_REFERRAL_STATUSES = ("queued", "at_bureau", "dated")
DECISIONS = ("not_indicated", "incomplete")


class HospitalReferral(Base):
    __tablename__ = "hospital_referral"
    __table_args__ = (
        Index("ix_hospital_referral_status", "status"),
        CheckConstraint(
            "status IN ('queued', 'at_bureau', 'dated', 'handed_over', 'not_indicated', 'incomplete', "
            "'cancelled')",
            name="known_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    status: Mapped[str] = mapped_column(String(20), default="queued")

    profile: Mapped[str] = mapped_column(String(30))  # the receiving department's profile
    preferred_hospital: Mapped[str] = mapped_column(String(300), default="")
    diagnosis_code: Mapped[str] = mapped_column(String(10), default="")
    diagnosis_title: Mapped[str] = mapped_column(String(300), default="")
    # {examination code: ISO date it was done}: the checklist as the specialist reviewed it.
    examinations: Mapped[dict] = mapped_column(JSON, default=dict)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime]
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    bureau_ticket: Mapped[str] = mapped_column(String(60), default="")
    sent_at: Mapped[datetime | None]
    bureau_due_at: Mapped[datetime | None]  # the Bureau's 1 working day
    bureau_code: Mapped[str] = mapped_column(String(60), default="")
    hospital: Mapped[str] = mapped_column(String(300), default="")
    hospitalization_date: Mapped[date | None]
    dated_at: Mapped[datetime | None]
    handed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(60), default="")  # why the Bureau was not reached

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("hospital_referral", uselist=False), lazy="joined", innerjoin=True
    )
    patient: Mapped[Patient] = relationship()
    specialist: Mapped[StaffMember | None] = relationship()

    @property
    def number(self) -> str:
        return self.request.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES
