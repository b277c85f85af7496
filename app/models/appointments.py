"""Doctors' schedules and appointment bookings.

A schedule is a *plan*: a weekly pattern (hours and a break per weekday), a slot length, a room, and dated
exceptions (sick day, training, leave, extra hours). Slots are computed from the plan on the fly
(app.services.schedules) and never stored; only a booking is a row.

No double booking is the database's job, not a read-then-write check: a partial unique index on
(doctor, slot start) covers every booking that still holds its slot (any status but "cancelled"), so two
concurrent bookings of one slot cannot both commit, and cancelling a booking frees its slot at once. The same
index works on SQLite (3.8+) and PostgreSQL.
"""

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.patient import Patient
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

EXCEPTION_KINDS = ("sick_day", "training", "leave", "extra_hours")
ABSENCE_KINDS = ("sick_day", "training", "leave")

# pending: held while the registry of attached population cannot answer (request in awaiting_registry);
# booked: confirmed; attended / no_show: marked by the doctor; cancelled: the slot is free again.
APPOINTMENT_STATUSES = ("pending", "booked", "attended", "no_show", "cancelled")
SLOT_HOLDING_STATUSES = ("pending", "booked", "attended", "no_show")
UPCOMING_STATUSES = ("pending", "booked")

_HOLDS_SLOT = text("status != 'cancelled'")
# The longest "condition / reason for the visit" a booking keeps: brief notes, as the journal asks for.
REASON_MAX_LENGTH = 300


class DoctorSchedule(Base):
    """One doctor's working plan: slot length, room, and the weekly pattern in `weekdays`."""

    __tablename__ = "doctor_schedule"
    __table_args__ = (CheckConstraint("slot_minutes BETWEEN 5 AND 120", name="slot_minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), unique=True)
    slot_minutes: Mapped[int] = mapped_column(default=15)
    room: Mapped[str] = mapped_column(String(20), default="")
    # Patients may book this doctor online; the desk books any doctor with a plan.
    bookable_online: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    doctor: Mapped[StaffMember] = relationship(foreign_keys=[doctor_id])
    weekdays: Mapped[list["ScheduleWeekday"]] = relationship(
        back_populates="schedule",
        cascade="all, delete-orphan",
        order_by="ScheduleWeekday.weekday",
        lazy="selectin",
    )

    def plan_for(self, iso_weekday: int) -> "ScheduleWeekday | None":
        return next((row for row in self.weekdays if row.weekday == iso_weekday), None)


class ScheduleWeekday(Base):
    """The hours of one weekday in a doctor's weekly plan, with an optional break (lunch, paperwork)."""

    __tablename__ = "schedule_weekday"
    __table_args__ = (
        UniqueConstraint("schedule_id", "weekday"),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="iso_weekday"),
        CheckConstraint("starts < ends", name="starts_before_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("doctor_schedule.id", ondelete="CASCADE"))
    weekday: Mapped[int]  # ISO: 1 = Monday
    starts: Mapped[time]
    ends: Mapped[time]
    break_starts: Mapped[time | None]
    break_ends: Mapped[time | None]
    # Home-visit hours of a district doctor, inside the working hours: no patient is booked at the clinic
    # then, and home calls are given within them (app.services.schedules, app.services.home_visits.windows).
    home_starts: Mapped[time | None]
    home_ends: Mapped[time | None]

    schedule: Mapped[DoctorSchedule] = relationship(back_populates="weekdays")


class ScheduleException(Base):
    """A dated change to one doctor's plan.

    Absences (sick day, training, leave) take the whole day when `starts`/`ends` are empty, or that part of
    it; extra hours add the span `starts`-`ends`, even on a day the plan or the calendar leaves free.
    """

    __tablename__ = "schedule_exception"
    __table_args__ = (
        CheckConstraint("kind IN ('sick_day', 'training', 'leave', 'extra_hours')", name="known_kind"),
        Index("ix_schedule_exception_doctor_day", "doctor_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    starts: Mapped[time | None]
    ends: Mapped[time | None]
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    doctor: Mapped[StaffMember] = relationship(foreign_keys=[doctor_id])

    @property
    def is_absence(self) -> bool:
        return self.kind in ABSENCE_KINDS

    @property
    def is_whole_day(self) -> bool:
        return self.starts is None or self.ends is None


class Appointment(Base):
    """A booking: one slot of one doctor for one patient, linked one-to-one to its service request.

    The booking number is the request's number (AP-2026-000123).
    """

    __tablename__ = "appointment"
    __table_args__ = (
        # The guarantee against double booking (see the module docstring).
        Index(
            "uq_appointment_doctor_slot_held",
            "doctor_id",
            "starts_at",
            unique=True,
            sqlite_where=_HOLDS_SLOT,
            postgresql_where=_HOLDS_SLOT,
        ),
        Index("ix_appointment_doctor_starts", "doctor_id", "starts_at"),
        Index("ix_appointment_patient_starts", "patient_id", "starts_at"),
        Index("ix_appointment_status_starts", "status", "starts_at"),
        CheckConstraint(
            "status IN ('pending', 'booked', 'attended', 'no_show', 'cancelled')", name="known_status"
        ),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    speciality: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    room: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(20), default="booked")
    channel: Mapped[str] = mapped_column(String(10))  # where it was booked: web | kiosk | desk | phone
    language: Mapped[str] = mapped_column(String(2), default="kk")  # of the talon and the SMS messages
    # The pre-registration journal's «көрсетілетін қызметті алушының жағдайы және жазатайым оқиға немесе ауруы
    # бойынша қысқа мәліметтер» (001 annex 2 item 8): what the patient (online) or the registrar (desk, phone)
    # gave as the condition or the reason for the visit; optional, normalised and capped by the service.
    reason: Mapped[str] = mapped_column(String(REASON_MAX_LENGTH), default="")

    booked_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancellation_note: Mapped[str] = mapped_column(Text, default="")
    attendance_marked_at: Mapped[datetime | None]
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # Set when the day-before reminder went out: `flask send-reminders` skips it afterwards.
    reminder_sent_at: Mapped[datetime | None]
    talon_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    request: Mapped[ServiceRequest] = relationship()
    patient: Mapped[Patient] = relationship()
    doctor: Mapped[StaffMember] = relationship(foreign_keys=[doctor_id])
    attendance_marked_by: Mapped[StaffMember | None] = relationship(foreign_keys=[attendance_marked_by_id])

    @property
    def number(self) -> str:
        return self.request.number

    @property
    def holds_slot(self) -> bool:
        return self.status in SLOT_HOLDING_STATUSES

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING_STATUSES
