"""Home doctor calls (regulations 001 service 1, 002 «Вызов врача на дом»): one row per service request.

The row is the home-call journal's entry: who the doctor goes to, where, why, who called and how to call them
back, the district doctor and the visit window given as the answer, and what the doctor found.

One live call per patient and visit day is the database's job: a partial unique index on (patient, visit day)
covers every call that is not refused or cancelled, so two calls registered at once (a relative online and
another at the desk) cannot both be saved. The same index works on SQLite and PostgreSQL.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.clinic import District
from app.models.patient import Patient
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

# waiting: the register of attached population has not answered yet (request in awaiting_registry);
# unassigned: accepted, but no doctor could be given automatically: the registrar assigns one;
# assigned: a doctor and a visit window are given (the answer of the service); done: the doctor marked
# the outcome; refused: on a regulation ground; cancelled: the caller or the desk called it off.
VISIT_STATUSES = ("waiting", "unassigned", "assigned", "done", "refused", "cancelled")
LIVE_STATUSES = ("waiting", "unassigned", "assigned", "done")
OUTCOMES = ("visited", "not_at_home", "hospitalised")
# Red flags of regulation-style triage: the emergency number 103 is shown and the call is marked urgent.
RED_FLAGS = ("chest_pain", "breathing", "unconscious", "bleeding", "infant_fever")
# Why a call taken now is for a later day: after today's cut-off, or the clinic is closed today.
DEFERRAL_REASONS = ("after_cutoff", "day_off", "public_holiday")
APPLICANT_KINDS = ("self", "relative", "other")

_IS_LIVE = text("status IN ('waiting', 'unassigned', 'assigned', 'done')")


class HomeVisit(Base):
    __tablename__ = "home_visit"
    __table_args__ = (
        Index(
            "uq_home_visit_patient_day_live",
            "patient_id",
            "visit_day",
            unique=True,
            sqlite_where=_IS_LIVE,
            postgresql_where=_IS_LIVE,
        ),
        Index("ix_home_visit_day_status", "visit_day", "status"),
        Index("ix_home_visit_doctor_day", "doctor_id", "visit_day"),
        CheckConstraint(
            "status IN ('waiting', 'unassigned', 'assigned', 'done', 'refused', 'cancelled')",
            name="known_status",
        ),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('visited', 'not_at_home', 'hospitalised')", name="known_outcome"
        ),
        CheckConstraint("applicant_kind IN ('self', 'relative', 'other')", name="known_applicant_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    status: Mapped[str] = mapped_column(String(20), default="waiting")

    # Who called: the patient, a relative (name and relationship kept as they said them), or someone else.
    applicant_kind: Mapped[str] = mapped_column(String(10), default="self")
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    applicant_relationship: Mapped[str] = mapped_column(String(100), default="")

    # The journal's columns (regulation 001 annex 1): condition and complaint, actual address, phone.
    address: Mapped[str] = mapped_column(String(500))
    address_differs_from_registry: Mapped[bool] = mapped_column(default=False)
    complaint: Mapped[str] = mapped_column(Text)
    temperature: Mapped[float | None]  # °C as the caller measured it
    callback_phone: Mapped[str] = mapped_column(String(20))
    # Where the SMS notices go: the phone on file the caller proved with a one-time code, or the call-back
    # phone a registrar took down. Never a number typed on the website without a code.
    notice_phone: Mapped[str] = mapped_column(String(20), default="")
    notice_language: Mapped[str] = mapped_column(String(2), default="kk")  # the recipient card's language
    is_urgent: Mapped[bool] = mapped_column(default=False)
    red_flags: Mapped[list] = mapped_column(JSON, default=list)

    # The day the doctor comes, and why it is not the day of the call when it is not.
    visit_day: Mapped[date]
    deferred_reason: Mapped[str | None] = mapped_column(String(20))

    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # True when the patient's own district doctor does not work that day and a colleague covers.
    is_covering_doctor: Mapped[bool] = mapped_column(default=False)
    window_starts_at: Mapped[datetime | None]
    window_ends_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]  # when the date and time of the visit were given

    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    outcome_at: Mapped[datetime | None]
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    created_at: Mapped[datetime]

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("home_visit", uselist=False), lazy="joined", innerjoin=True
    )
    patient: Mapped[Patient] = relationship()
    district: Mapped[District | None] = relationship()
    doctor: Mapped[StaffMember | None] = relationship(foreign_keys=[doctor_id])
    outcome_by: Mapped[StaffMember | None] = relationship(foreign_keys=[outcome_by_id])

    @property
    def number(self) -> str:
        return self.request.number

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def has_window(self) -> bool:
        return self.window_starts_at is not None and self.window_ends_at is not None
