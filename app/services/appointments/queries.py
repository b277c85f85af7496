"""Reading appointments: the chooser (speciality -> doctor -> day -> slot), the checks a booking must pass,
a patient's bookings and the week of a doctor's plan (the journal and the doctor's visits: day_journal.py).

Nothing here changes a booking. The staff reads of a person's data (the desk's patient card and search, the
journal, the visits, opening a booking to move it) take the staff `actor` and record the read in the audit
log, which is the one thing they write.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY, local_now, now
from app.core.inputs import search_text
from app.extensions import db
from app.models import Appointment, Patient, ScheduleException, ServiceRequest, StaffMember
from app.models.appointments import SLOT_HOLDING_STATUSES, UPCOMING_STATUSES
from app.services import audit, request_summary, schedules
from app.services.appointments.rules import (
    BookingLimitReached,
    DoctorAbsent,
    HomeCallTime,
    OverlappingBooking,
    SlotInPast,
    SlotNotOffered,
    as_date,
    as_int,
    bookable_days,
    max_per_speciality,
    no_show_window,
    parse_slot_key,
)
from app.services.appointments.texts import (
    DAY_FULL_MESSAGE,
    DAY_PASSED_MESSAGE,
    DOCTOR_NOT_BOOKABLE_MESSAGE,
    SLOT_PASSED_MESSAGE,
    SLOT_TAKEN_MESSAGE,
    TIME_NOT_IN_PLAN_MESSAGE,
    beyond_horizon_message,
    day_state_reason,
    home_calls_message,
    limit_message,
    overlap_message,
    progress_of,
    summary_of,
)
from app.services.specialities import SPECIALITIES


# ---- choosing: specialities, doctors, days, slots ----------------------------------------------------
@dataclass(frozen=True)
class DoctorChoice:
    doctor: StaffMember
    schedule: object  # DoctorSchedule
    is_district_doctor: bool


@dataclass(frozen=True)
class DayChoice:
    day: date
    state: str  # DoctorDay.state, or "full" when every slot is held or past
    free_count: int
    absence_kind: str | None = None

    @property
    def is_open(self) -> bool:
        return self.free_count > 0


def specialities_offered(*, online: bool) -> list:
    """Specialities with at least one doctor who has a plan, in the catalogue's order."""
    codes = schedules.specialities_with_schedules(online_only=online)
    return [speciality for speciality in SPECIALITIES if speciality.code in codes]


def doctors_for(speciality: str, patient: Patient | None, *, online: bool) -> list[DoctorChoice]:
    """Doctors of the speciality; the patient's district doctor first."""
    district_id = patient.district_id if patient is not None else None
    choices = [
        DoctorChoice(plan.doctor, plan, district_id is not None and plan.doctor.district_id == district_id)
        for plan in schedules.schedules_of_speciality(speciality, online_only=online)
    ]
    choices.sort(key=lambda choice: (not choice.is_district_doctor, choice.doctor.full_name))
    return choices


def bookable_doctor(doctor_id: int | None, *, online: bool) -> StaffMember | None:
    if not doctor_id:
        return None
    schedule = schedules.schedule_of(doctor_id)
    if schedule is None or not schedule.doctor.is_active_account or (online and not schedule.bookable_online):
        return None
    return schedule.doctor


def _horizon(schedule, moment: datetime, calendar=None) -> list[tuple[schedules.DoctorDay, list]]:
    """Each day of the booking horizon with the slots still free on it: one query for the exceptions and
    one for the held slots, whatever the number of days."""
    first, last = bookable_days(moment.astimezone(ALMATY).date())
    held = schedules.held_starts(schedule.doctor_id, first, last) if schedule is not None else set()
    calls = schedules.home_call_windows(schedule.doctor_id, first, last) if schedule is not None else []
    return [
        (
            day,
            [slot for slot in day.slots if slot.starts_at > moment and schedules.is_free(slot, held, calls)],
        )
        for day in schedules.doctor_days(schedule, first, last, calendar=calendar)
    ]


def _day_choice(day: schedules.DoctorDay, free: list) -> DayChoice:
    state = "full" if day.slots and not free else day.state
    return DayChoice(day.day, state, len(free), day.absence.kind if day.absence is not None else None)


def days_for(doctor: StaffMember, *, moment: datetime | None = None) -> list[DayChoice]:
    """Each bookable day of the horizon with how many free slots the doctor has left."""
    horizon = _horizon(schedules.schedule_of(doctor.id), moment or now())
    return [_day_choice(day, free) for day, free in horizon]


def free_slots(doctor: StaffMember, day: date, *, moment: datetime | None = None) -> list[schedules.Slot]:
    moment = moment or now()
    first, last = bookable_days(moment.astimezone(ALMATY).date())
    if not first <= day <= last:
        return []
    schedule = schedules.schedule_of(doctor.id)
    held = schedules.held_starts(doctor.id, day, day)
    calls = schedules.home_call_windows(doctor.id, day, day)
    return [
        slot
        for slot in schedules.doctor_day(schedule, day).slots
        if slot.starts_at > moment and schedules.is_free(slot, held, calls)
    ]


def day_unavailable_reason(doctor: StaffMember, day: date):
    """Why the doctor takes no bookings on `day` (translatable), or None when there are slots."""
    first, last = bookable_days()
    if day < first:
        return DAY_PASSED_MESSAGE
    if day > last:
        return beyond_horizon_message()
    schedule = schedules.schedule_of(doctor.id)
    return day_state_reason(doctor, schedules.doctor_day(schedule, day))


@dataclass
class Choice:
    """Where a person is in "speciality -> doctor -> day -> slot", every step checked against the data.

    Built from whatever the browser sent; a value that no longer fits (a doctor of another speciality, a day
    outside the horizon, a slot taken meanwhile) is dropped with a `notice`, and the steps before it stay.
    """

    specialities: list
    speciality: object = None  # Speciality
    doctors: list[DoctorChoice] = field(default_factory=list)
    doctor: StaffMember | None = None
    days: list[DayChoice] = field(default_factory=list)
    day: date | None = None
    day_reason: object = None  # why the chosen day has no slots (translatable)
    slots: list[schedules.Slot] = field(default_factory=list)
    slot: schedules.Slot | None = None
    notice: object = None

    def params(self, **changes) -> dict:
        """Query parameters of this choice, with `changes`, for links to the next step."""
        values = {
            "speciality": self.speciality.code if self.speciality else None,
            "doctor": self.doctor.id if self.doctor else None,
            "day": self.day.isoformat() if self.day else None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}


def choose(
    *,
    patient: Patient | None,
    online: bool,
    speciality: str | None = None,
    doctor_id: str | int | None = None,
    day: str | date | None = None,
    slot: str | None = None,
    fixed_speciality: str | None = None,
) -> Choice:
    offered = specialities_offered(online=online)
    choice = Choice(specialities=offered)
    code = fixed_speciality or speciality
    choice.speciality = next((s for s in offered if s.code == code), None)
    if choice.speciality is None:
        return choice
    choice.doctors = doctors_for(choice.speciality.code, patient, online=online)
    wanted = as_int(doctor_id)
    picked = next((c for c in choice.doctors if c.doctor.id == wanted), None)
    if picked is None:
        return choice
    choice.doctor = picked.doctor
    moment = now()
    horizon = _horizon(picked.schedule, moment)
    choice.days = [_day_choice(day, free) for day, free in horizon]
    choice.day = as_date(day)
    if choice.day is None:
        return choice
    chosen = next(((d, free) for d, free in horizon if d.day == choice.day), None)
    if chosen is None:
        choice.day_reason = day_unavailable_reason(choice.doctor, choice.day)
        choice.day = None
        return choice
    doctor_day, choice.slots = chosen
    if not choice.slots:
        choice.day_reason = day_state_reason(choice.doctor, doctor_day) or DAY_FULL_MESSAGE
    starts_at = parse_slot_key(slot)
    if starts_at is not None:
        choice.slot = next((s for s in choice.slots if s.starts_at == starts_at), None)
        if choice.slot is None:
            choice.notice = SLOT_TAKEN_MESSAGE if starts_at > moment else SLOT_PASSED_MESSAGE
    return choice


def choice_from(
    values,
    *,
    patient: Patient | None,
    online: bool,
    notice=None,
    fixed_speciality: str | None = None,
    **steps,
) -> Choice:
    """choose() from what the browser sent: `values` is the query string or the form (any mapping); a step
    given in `steps` (speciality, doctor, day, slot) wins over it, as after a refusal that keeps the doctor
    and day but drops the slot. `notice`, when given, replaces the choice's own."""

    def step(name):
        return steps[name] if name in steps else values.get(name)

    choice = choose(
        patient=patient,
        online=online,
        speciality=step("speciality"),
        doctor_id=step("doctor"),
        day=step("day"),
        slot=step("slot"),
        fixed_speciality=fixed_speciality,
    )
    if notice is not None:
        choice.notice = notice
    return choice


def move_choice(
    booking: Appointment, values, *, online: bool, notice=None, actor: Actor | None = None, **steps
) -> Choice:
    """The chooser for moving `booking` (patient online or at the desk): another time of the same
    speciality, the booking's own patient deciding which doctor is the district one. A staff `actor` opens
    the booking: that read is audited ("view", "appointment", detail "move")."""
    if actor is not None and actor.staff is not None:
        audit.audit(
            actor,
            "view",
            "appointment",
            object_id=booking.number,
            patient_id=booking.patient_id,
            detail="move",
        )
    return choice_from(
        values,
        patient=booking.patient,
        online=online,
        notice=notice,
        fixed_speciality=booking.speciality,
        **steps,
    )


# ---- checks shared by booking and moving -------------------------------------------------------------
def checked_slot(doctor: StaffMember, starts_at: datetime, *, online: bool) -> schedules.Slot:
    """The slot of the doctor's plan that starts at `starts_at`, if it may be booked now; else a refusal."""
    moment = now()
    if starts_at <= moment:
        raise SlotInPast(SLOT_PASSED_MESSAGE)
    day = starts_at.astimezone(ALMATY).date()
    _, last = bookable_days(moment.astimezone(ALMATY).date())
    if day > last:
        raise SlotNotOffered(beyond_horizon_message())
    schedule = schedules.schedule_of(doctor.id)
    if schedule is None or (online and not schedule.bookable_online):
        raise SlotNotOffered(DOCTOR_NOT_BOOKABLE_MESSAGE)
    doctor_day = schedules.doctor_day(schedule, day)
    slot = next((s for s in doctor_day.slots if s.starts_at == starts_at), None)
    home = schedules.home_calls_at(doctor_day, doctor.id, starts_at, slot)
    if home is not None:
        raise HomeCallTime(home_calls_message(doctor, home))
    if slot is None:
        reason = day_state_reason(doctor, doctor_day)
        if doctor_day.state == "absent":
            raise DoctorAbsent(reason)
        raise SlotNotOffered(reason or TIME_NOT_IN_PLAN_MESSAGE)
    return slot


def check_patient_rules(
    patient: Patient, speciality: str, slot: schedules.Slot, *, ignore: Appointment | None = None
) -> None:
    """No two overlapping bookings, and no more future bookings per speciality than the limit."""
    upcoming = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status.in_(UPCOMING_STATUSES),
            Appointment.ends_at > now(),
        )
        .order_by(Appointment.starts_at)
    ).all()
    upcoming = [a for a in upcoming if ignore is None or a.id != ignore.id]
    for booking in upcoming:
        if booking.starts_at < slot.ends_at and slot.starts_at < booking.ends_at:
            raise OverlappingBooking(overlap_message(booking))
    same = [a for a in upcoming if a.speciality == speciality]
    if len(same) >= max_per_speciality():
        raise BookingLimitReached(limit_message(same[0], max_per_speciality()))


def slot_is_held(doctor_id: int, starts_at: datetime) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.doctor_id == doctor_id,
                Appointment.starts_at == starts_at,
                Appointment.status.in_(SLOT_HOLDING_STATUSES),
            )
        )
        > 0
    )


# ---- reading bookings --------------------------------------------------------------------------------
def appointment_for_request(request: ServiceRequest) -> Appointment | None:
    return request_summary.row_of(Appointment, request)


def prefetch_bookings(requests: list[ServiceRequest]) -> None:
    """The bookings of many requests and their doctors, in one query each (a person's list of requests)."""
    request_summary.prefetch_rows(Appointment, requests, selectinload(Appointment.doctor))


def find_by_number(number: str) -> Appointment | None:
    return db.session.scalars(
        select(Appointment)
        .join(Appointment.request)
        .where(ServiceRequest.number == (number or "").strip().upper())
    ).first()


def bookings_of(patient_id: int, *, upcoming_only: bool = False, limit: int = 50) -> list[Appointment]:
    """The patient's bookings, newest first, with the number (the request) and the doctor every list of
    bookings shows loaded in the same query: not two or three more queries per booking."""
    query = (
        select(Appointment)
        .where(Appointment.patient_id == patient_id)
        .options(
            joinedload(Appointment.request).lazyload(ServiceRequest.events),
            joinedload(Appointment.doctor).lazyload(StaffMember.role_rows),
        )
    )
    if upcoming_only:
        query = query.where(Appointment.status.in_(UPCOMING_STATUSES), Appointment.ends_at > now())
    return list(db.session.scalars(query.order_by(Appointment.starts_at.desc()).limit(limit)))


def no_show_count(patient_id: int) -> int:
    return no_show_counts([patient_id])[patient_id]


def no_show_counts(patient_ids) -> dict[int, int]:
    """`no_show_count` of many patients in one query: patient id -> no-shows in the window ."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Appointment.patient_id, func.count())
        .where(
            Appointment.patient_id.in_(ids),
            Appointment.status == "no_show",
            Appointment.starts_at >= now() - no_show_window(),
        )
        .group_by(Appointment.patient_id)
    )
    return dict.fromkeys(ids, 0) | {patient_id: count for patient_id, count in rows}


def booking_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """The status page's summary of a booking request (registered in __init__)."""
    appointment = appointment_for_request(request)
    return summary_of(appointment) if appointment is not None else None


def booking_progress(request: ServiceRequest) -> request_summary.Progress | None:
    """What happened to the patient so far (registered in __init__): booked, visit done, missed."""
    appointment = appointment_for_request(request)
    return progress_of(appointment) if appointment is not None else None


# ---- the desk -----------------------------------------------------------------------------------------
def patient_by_id(patient_id: int) -> Patient | None:
    return db.session.get(Patient, patient_id)


def search_patients(query: str, *, actor: Actor, limit: int = 20) -> list[Patient]:
    """By IIN (exact, or its beginning) or by surname / name (beginning, any case). The search is audited."""
    text = search_text(query)
    if not text:
        return []
    digits = text.replace(" ", "")
    if digits.isdigit():
        condition = Patient.iin.startswith(digits, autoescape=True)
    else:
        words = text.split()
        condition = _name_starts(Patient.last_name, words[0])
        for word in words[1:3]:
            condition = condition & or_(
                _name_starts(Patient.first_name, word), _name_starts(Patient.middle_name, word)
            )
    found = list(
        db.session.scalars(
            select(Patient).where(condition).order_by(Patient.last_name, Patient.first_name).limit(limit)
        )
    )
    audit.audit(actor, "search", "patient", detail=f"appointments desk: {len(found)} found")
    return found


def _name_starts(column, word: str):
    # SQLite's lower() knows only ASCII, so Cyrillic and Kazakh letters are matched in the spellings people
    # type: as typed, Capitalised, lower and UPPER case.
    variants = {word, word.capitalize(), word.lower(), word.upper()}
    return or_(*(column.startswith(variant, autoescape=True) for variant in variants))


@dataclass(frozen=True)
class PatientCard:
    """What the desk shows about a patient beside the chooser: their bookings and recent no-shows."""

    bookings: list[Appointment]
    no_shows: int


def patient_card(patient: Patient, *, actor: Actor) -> PatientCard:
    """The patient's card at the desk; every showing of it is a read of their data, audited."""
    audit.audit(
        actor, "view", "patient", object_id=patient.id, patient_id=patient.id, detail="appointments desk"
    )
    return PatientCard(bookings=bookings_of(patient.id), no_shows=no_show_count(patient.id))


# ---- a doctor's week, for the schedule editor -----------------------------------------------------------
def doctors_for_schedules() -> list[StaffMember]:
    """Every doctor with a speciality, whether or not they have a plan yet, by name."""
    doctors = db.session.scalars(
        select(StaffMember).where(StaffMember.speciality.is_not(None)).order_by(StaffMember.full_name)
    ).all()
    return [doctor for doctor in doctors if doctor.has_role("doctor")]


def doctor_by_id(doctor_id: int) -> StaffMember | None:
    doctor = db.session.get(StaffMember, doctor_id)
    return doctor if doctor is not None and doctor.has_role("doctor") else None


def exception_of(doctor: StaffMember, exception_id: int) -> ScheduleException | None:
    exception = db.session.get(ScheduleException, exception_id)
    return exception if exception is not None and exception.doctor_id == doctor.id else None


def slot_state(slot: schedules.Slot, held: set[datetime], moment: datetime) -> str:
    if slot.starts_at in held:
        return "held"
    return "past" if slot.starts_at <= moment else "free"


def week_of(doctor: StaffMember, requested: date) -> dict:
    """The week (Monday to Sunday) holding `requested` of the doctor's plan: each day's slots, which are
    held, the bookings stranded by changes, and the exceptions of the coming year, as template values."""
    monday = requested - timedelta(days=requested.weekday())
    sunday = monday + timedelta(days=6)
    schedule = schedules.schedule_of(doctor.id)
    moment = local_now()
    today = moment.date()
    return {
        "doctor": doctor,
        "schedule": schedule,
        "monday": monday,
        "week_days": schedules.doctor_days(schedule, monday, sunday),
        "held": schedules.held_starts(doctor.id, monday, sunday),
        "stranded": schedules.stranded_bookings(doctor.id, max(monday, today), sunday)
        if sunday >= today
        else [],
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "now": moment,
        "exception_labels": schedules.EXCEPTION_LABELS,
        "slot_state": slot_state,
        "exceptions": schedules.exceptions_between(doctor.id, today, today + timedelta(days=365)),
    }
