"""Doctors' working plans and the slots computed from them.

Slots are never stored: a doctor's day is the weekly plan for that weekday (minus its break) on days the
clinic works (public holidays and the admin's days off from app.services.calendar included), plus extra
hours, minus absences (sick day, training, leave); the spans are cut into slots of the plan's length.
Changing the plan changes every future day at once; bookings already made stay where they are and show up
as "outside the plan" in the week view so the desk can move them.

A district doctor's weekday may name home-visit hours inside the working hours: those hours give no slots,
and home calls are given within them (app.services.home_visits.windows). A home call assigned outside them
(a doctor without home-visit hours, a registrar's chosen start) takes its window's slots out of booking too
(`home_call_windows`), so a doctor is never booked at the clinic and expected at a patient's home at once.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.core.transaction_cache import remembered
from app.extensions import db
from app.models import Appointment, DoctorSchedule, ScheduleException, ScheduleWeekday, StaffMember
from app.models.appointments import ABSENCE_KINDS, EXCEPTION_KINDS, SLOT_HOLDING_STATUSES
from app.models.home_visits import HomeVisit
from app.services.calendar import WorkingCalendar, get_calendar

log = logging.getLogger(__name__)

SLOT_LENGTHS = (10, 12, 15, 20, 30, 40, 60)  # minutes; what the schedule editor offers
EXCEPTION_LABELS = {
    "sick_day": _l("Sick day"),
    "training": _l("Training"),
    "leave": _l("Leave"),
    "extra_hours": _l("Extra hours"),
}

Span = tuple[datetime, datetime]  # aware, Asia/Almaty


class ScheduleError(ValueError):
    """A plan or exception that cannot be saved; `message` is translatable, `field` names the input."""

    def __init__(self, message, field: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class DayPlan:
    """The hours of one weekday, as the schedule editor sends them."""

    starts: time
    ends: time
    break_starts: time | None = None
    break_ends: time | None = None
    home_starts: time | None = None
    home_ends: time | None = None


@dataclass(frozen=True)
class Slot:
    doctor_id: int
    starts_at: datetime  # aware UTC
    ends_at: datetime
    room: str

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ALMATY)

    @property
    def key(self) -> str:
        """How a slot travels in URLs and forms: its local start, minutes precision."""
        return self.local_start.strftime("%Y-%m-%dT%H:%M")

    @property
    def time_label(self) -> str:
        """The local start as "HH:mm", as the `time` filter writes it (the chooser lists dozens per page)."""
        return self.local_start.strftime("%H:%M")


@dataclass(frozen=True)
class DoctorDay:
    """Why a doctor does or does not receive on a day, and the slots if they do.

    state: "working" | "no_schedule" | "not_in_plan" | "public_holiday" | "clinic_closed" | "absent"
    """

    day: date
    state: str
    slots: tuple[Slot, ...] = ()
    absence: ScheduleException | None = None
    exceptions: tuple[ScheduleException, ...] = field(default_factory=tuple)
    # The day's home-visit hours (the plan's, minus absences): no slots then, home calls are given then.
    home_hours: tuple[Span, ...] = ()

    @property
    def is_working(self) -> bool:
        return bool(self.slots)


# ---- reading plans ------------------------------------------------------------------------------------
# What a doctor's plan depends on: a change to any of these, flushed in this transaction, is read afresh.
_PLAN_MODELS = (DoctorSchedule, ScheduleWeekday, StaffMember)


def schedule_of(doctor_id: int) -> DoctorSchedule | None:
    """The doctor's plan with its weekdays and the doctor; read once per transaction (a booking checks the
    doctor and then the slot). The doctor's roles are left to load when asked for: slots never need them."""
    return remembered(
        ("schedule_of", doctor_id),
        lambda: db.session.scalars(
            select(DoctorSchedule)
            .where(DoctorSchedule.doctor_id == doctor_id)
            .options(joinedload(DoctorSchedule.doctor).lazyload(StaffMember.role_rows))
        ).first(),
        depends_on=_PLAN_MODELS,
    )


def plans_of(doctor_ids) -> dict[int, DoctorSchedule]:
    """The plans of many doctors in one query (the schedules list): doctor id -> plan (None: no plan yet)."""
    ids = sorted(set(doctor_ids))
    if not ids:
        return {}
    plans = db.session.scalars(
        select(DoctorSchedule)
        .where(DoctorSchedule.doctor_id.in_(ids))
        .options(selectinload(DoctorSchedule.weekdays))
    )
    return dict.fromkeys(ids) | {plan.doctor_id: plan for plan in plans}


def doctors_with_schedules(*, online_only: bool = False) -> list[DoctorSchedule]:
    query = (
        select(DoctorSchedule)
        .join(DoctorSchedule.doctor)
        .options(contains_eager(DoctorSchedule.doctor))
        .where(StaffMember.is_active_account.is_(True))
        .order_by(StaffMember.full_name)
    )
    if online_only:
        query = query.where(DoctorSchedule.bookable_online.is_(True))
    return list(db.session.scalars(query))


def _bookable_plans(online_only: bool):
    query = select(DoctorSchedule).join(DoctorSchedule.doctor).where(StaffMember.is_active_account.is_(True))
    return query.where(DoctorSchedule.bookable_online.is_(True)) if online_only else query


def specialities_with_schedules(*, online_only: bool = False) -> set[str]:
    """Speciality codes of the active doctors who have a plan: one small query, no plans loaded."""
    rows = db.session.scalars(
        _bookable_plans(online_only).with_only_columns(StaffMember.speciality).distinct()
    )
    return {code for code in rows if code}


def schedules_of_speciality(speciality: str, *, online_only: bool = False) -> list[DoctorSchedule]:
    """The plans of one speciality's active doctors, by name: what the slot chooser lists, without loading
    every doctor of the clinic (nor their roles, which choosing a slot never needs)."""
    query = (
        _bookable_plans(online_only)
        .where(StaffMember.speciality == speciality)
        .options(contains_eager(DoctorSchedule.doctor).lazyload(StaffMember.role_rows))
        .order_by(StaffMember.full_name)
    )
    return list(db.session.scalars(query))


def exceptions_between(doctor_id: int, first_day: date, last_day: date) -> list[ScheduleException]:
    return list(
        db.session.scalars(
            select(ScheduleException)
            .where(
                ScheduleException.doctor_id == doctor_id,
                ScheduleException.day >= first_day,
                ScheduleException.day <= last_day,
            )
            .order_by(ScheduleException.day, ScheduleException.starts)
        )
    )


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC-comparable start and end of a local calendar day."""
    start = datetime.combine(day, time(0, 0), ALMATY)
    return start, start + timedelta(days=1)


def doctor_day(
    schedule: DoctorSchedule | None,
    day: date,
    *,
    calendar: WorkingCalendar | None = None,
    exceptions: list[ScheduleException] | None = None,
) -> DoctorDay:
    """The doctor's day from the plan, the clinic's calendar and the day's exceptions."""
    if schedule is None:
        return DoctorDay(day, "no_schedule")
    calendar = calendar or get_calendar()
    if exceptions is None:
        exceptions = exceptions_between(schedule.doctor_id, day, day)
    todays = tuple(e for e in exceptions if e.day == day)
    whole_day_absence = next((e for e in todays if e.is_absence and e.is_whole_day), None)
    if whole_day_absence is not None:
        return DoctorDay(day, "absent", absence=whole_day_absence, exceptions=todays)

    spans: list[Span] = []
    home: list[Span] = []
    state = "working"
    if calendar.is_working_day(day):
        plan = schedule.plan_for(day.isoweekday())
        if plan is None and day in calendar.extra_working_days and schedule.weekdays:
            # A working Saturday declared in exchange for a bridge day follows the plan's first weekday,
            # as the clinic calendar does with its own hours.
            plan = schedule.weekdays[0]
        if plan is None:
            state = "not_in_plan"
        else:
            spans = _minus(
                [_span(day, plan.starts, plan.ends)],
                [_span(day, plan.break_starts, plan.break_ends)]
                if plan.break_starts and plan.break_ends
                else [],
            )
            if plan.home_starts and plan.home_ends:
                home = [_span(day, plan.home_starts, plan.home_ends)]
                spans = _minus(spans, home)
    else:
        state = "public_holiday" if calendar.is_public_holiday(day) else "clinic_closed"

    extra = [_span(day, e.starts, e.ends) for e in todays if e.kind == "extra_hours" and not e.is_whole_day]
    spans = _union(spans + extra)
    partial_absences = [_span(day, e.starts, e.ends) for e in todays if e.is_absence and not e.is_whole_day]
    spans = _minus(_minus(spans, home), partial_absences)
    home_hours = tuple(_minus(home, partial_absences))
    slots = tuple(_cut(spans, schedule))
    if slots or home_hours:
        state = "working"
    elif state == "working":
        partial = next((e for e in todays if e.is_absence), None)
        if partial is not None:
            return DoctorDay(day, "absent", absence=partial, exceptions=todays)
    return DoctorDay(day, state, slots, exceptions=todays, home_hours=home_hours)


def doctor_days(
    schedule: DoctorSchedule | None, first_day: date, last_day: date, *, calendar=None
) -> list[DoctorDay]:
    """Several days at once, with one query for the exceptions."""
    calendar = calendar or get_calendar()
    exceptions = exceptions_between(schedule.doctor_id, first_day, last_day) if schedule else []
    days = []
    day = first_day
    while day <= last_day:
        days.append(doctor_day(schedule, day, calendar=calendar, exceptions=exceptions))
        day += timedelta(days=1)
    return days


def slot_at(schedule: DoctorSchedule | None, starts_at: datetime, *, calendar=None) -> Slot | None:
    """The slot of the plan that starts exactly at `starts_at`, or None."""
    if schedule is None:
        return None
    local = starts_at.astimezone(ALMATY)
    day = doctor_day(schedule, local.date(), calendar=calendar)
    return next((slot for slot in day.slots if slot.starts_at == starts_at), None)


def _span(day: date, starts: time, ends: time) -> Span:
    return datetime.combine(day, starts, ALMATY), datetime.combine(day, ends, ALMATY)


def _union(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _minus(spans: list[Span], holes: list[Span]) -> list[Span]:
    result = list(spans)
    for hole_start, hole_end in holes:
        next_result = []
        for start, end in result:
            if hole_end <= start or hole_start >= end:
                next_result.append((start, end))
                continue
            if start < hole_start:
                next_result.append((start, hole_start))
            if hole_end < end:
                next_result.append((hole_end, end))
        result = next_result
    return result


def _cut(spans: list[Span], schedule: DoctorSchedule) -> list[Slot]:
    # Stepped in UTC (Kazakhstan keeps no daylight saving, so this is the local wall clock too): one time
    # zone conversion per span instead of two per slot, for the 14 days the chooser counts on every page.
    length = timedelta(minutes=schedule.slot_minutes)
    room = schedule.room or schedule.doctor.room
    slots = []
    for start, end in spans:
        moment, end = start.astimezone(UTC), end.astimezone(UTC)
        while moment + length <= end:
            slots.append(
                Slot(doctor_id=schedule.doctor_id, starts_at=moment, ends_at=moment + length, room=room)
            )
            moment += length
    return slots


# ---- editing plans ------------------------------------------------------------------------------------
def save_plan(
    doctor: StaffMember,
    *,
    slot_minutes: int,
    room: str,
    weekdays: dict[int, DayPlan],
    bookable_online: bool = True,
    actor: Actor,
) -> DoctorSchedule:
    """Replace the doctor's weekly plan. `weekdays` maps ISO weekday -> hours; a missing weekday is off."""
    if not doctor.has_role("doctor"):
        raise ScheduleError(_l("Only doctors have a schedule."))
    if slot_minutes not in SLOT_LENGTHS:
        raise ScheduleError(_l("Choose a slot length from the list."), "slot_minutes")
    for weekday, plan in weekdays.items():
        _check_day_plan(weekday, plan)

    schedule = schedule_of(doctor.id)
    if schedule is None:
        schedule = DoctorSchedule(doctor=doctor, doctor_id=doctor.id, updated_at=now())
        db.session.add(schedule)
    schedule.slot_minutes = slot_minutes
    schedule.room = room.strip()[:20]
    schedule.bookable_online = bookable_online
    schedule.updated_at = now()
    schedule.updated_by_id = actor.staff_id
    rows = {row.weekday: row for row in schedule.weekdays}
    for weekday in range(1, 8):
        plan = weekdays.get(weekday)
        row = rows.get(weekday)
        if plan is None:
            if row is not None:
                schedule.weekdays.remove(row)
            continue
        if row is None:
            row = ScheduleWeekday(weekday=weekday, starts=plan.starts, ends=plan.ends)
            schedule.weekdays.append(row)
        row.starts, row.ends = plan.starts, plan.ends
        row.break_starts, row.break_ends = plan.break_starts, plan.break_ends
        row.home_starts, row.home_ends = plan.home_starts, plan.home_ends
    db.session.flush()
    log.info("schedule of doctor %s saved by staff %s", doctor.id, actor.staff_id)
    return schedule


def _check_day_plan(weekday: int, plan: DayPlan) -> None:
    prefix = f"day_{weekday}"
    if not 1 <= weekday <= 7:
        raise ScheduleError(_l("Unknown weekday."))
    if plan.starts is None or plan.ends is None:
        raise ScheduleError(_l("Give the hours of a working day."), prefix)
    if plan.starts >= plan.ends:
        raise ScheduleError(_l("The day must end after it starts."), prefix)
    if (plan.break_starts is None) != (plan.break_ends is None):
        raise ScheduleError(_l("Give both the start and the end of the break, or neither."), prefix)
    if plan.break_starts is not None:
        if plan.break_starts >= plan.break_ends:
            raise ScheduleError(_l("The break must end after it starts."), prefix)
        if plan.break_starts <= plan.starts or plan.break_ends >= plan.ends:
            raise ScheduleError(_l("The break must lie inside the working hours."), prefix)
    if (plan.home_starts is None) != (plan.home_ends is None):
        raise ScheduleError(
            _l("Give both the start and the end of the home-visit hours, or neither."), prefix
        )
    if plan.home_starts is not None:
        if plan.home_starts >= plan.home_ends:
            raise ScheduleError(_l("The home-visit hours must end after they start."), prefix)
        if plan.home_starts < plan.starts or plan.home_ends > plan.ends:
            raise ScheduleError(_l("The home-visit hours must lie inside the working hours."), prefix)


def add_exception(
    doctor: StaffMember,
    *,
    day: date,
    kind: str,
    starts: time | None = None,
    ends: time | None = None,
    note: str = "",
    actor: Actor,
) -> tuple[ScheduleException, list[Appointment]]:
    """Record a sick day, training, leave or extra hours; returns it with the bookings it leaves stranded.

    Stranded bookings are not cancelled here: the desk calls those patients and moves them, so nobody
    learns of a cancelled visit from a silent change.
    """
    if kind not in EXCEPTION_KINDS:
        raise ScheduleError(_l("Choose what kind of change this is."), "kind")
    if day < now().astimezone(ALMATY).date():
        raise ScheduleError(_l("The day is in the past."), "day")
    if (starts is None) != (ends is None):
        raise ScheduleError(_l("Give both the start and the end time, or neither."), "starts")
    if starts is not None and starts >= ends:
        raise ScheduleError(_l("The end time must be after the start time."), "ends")
    if kind == "extra_hours" and starts is None:
        raise ScheduleError(_l("Extra hours need a start and an end time."), "starts")
    exception = ScheduleException(
        doctor_id=doctor.id,
        day=day,
        kind=kind,
        starts=starts,
        ends=ends,
        note=note.strip()[:300],
        created_at=now(),
        created_by_id=actor.staff_id,
    )
    db.session.add(exception)
    db.session.flush()
    log.info("schedule exception %s (%s) for doctor %s on %s", exception.id, kind, doctor.id, day)
    return exception, stranded_bookings(doctor.id, day, day)


def remove_exception(exception: ScheduleException, *, actor: Actor) -> None:
    log.info("schedule exception %s removed by staff %s", exception.id, actor.staff_id)
    db.session.delete(exception)
    db.session.flush()


def stranded_bookings(doctor_id: int, first_day: date, last_day: date) -> list[Appointment]:
    """Upcoming bookings that no longer match a slot of the doctor's plan (after an absence or a change)."""
    schedule = schedule_of(doctor_id)
    start, _ = local_day_bounds(first_day)
    _, end = local_day_bounds(last_day)
    bookings = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.doctor_id == doctor_id,
            Appointment.starts_at >= max(start, now()),
            Appointment.starts_at < end,
            Appointment.status.in_(("pending", "booked")),
        )
        .order_by(Appointment.starts_at)
    ).all()
    if not bookings:
        return []
    days = {d.day: d for d in doctor_days(schedule, first_day, last_day)}
    stranded = []
    for booking in bookings:
        day = days.get(booking.starts_at.astimezone(ALMATY).date())
        if day is None or all(slot.starts_at != booking.starts_at for slot in day.slots):
            stranded.append(booking)
    return stranded


def held_starts(doctor_id: int, first_day: date, last_day: date) -> set[datetime]:
    """Starts of the doctor's slots that a booking holds, between two local days."""
    start, _ = local_day_bounds(first_day)
    _, end = local_day_bounds(last_day)
    return set(
        db.session.scalars(
            select(Appointment.starts_at).where(
                Appointment.doctor_id == doctor_id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
                Appointment.status.in_(SLOT_HOLDING_STATUSES),
            )
        )
    )


def held_spans(doctor_id: int, day: date) -> list[Span]:
    """The times of the doctor's bookings that hold their slot on a local day: no home call is given then."""
    start, end = local_day_bounds(day)
    rows = db.session.execute(
        select(Appointment.starts_at, Appointment.ends_at).where(
            Appointment.doctor_id == doctor_id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.status.in_(SLOT_HOLDING_STATUSES),
        )
    )
    return sorted((s.astimezone(ALMATY), e.astimezone(ALMATY)) for s, e in rows)


def home_call_windows(doctor_id: int, first_day: date, last_day: date) -> list[Span]:
    """Windows of the doctor's assigned home calls between two local days: no booking is offered in them."""
    rows = db.session.execute(
        select(HomeVisit.window_starts_at, HomeVisit.window_ends_at).where(
            HomeVisit.doctor_id == doctor_id,
            HomeVisit.visit_day >= first_day,
            HomeVisit.visit_day <= last_day,
            HomeVisit.status == "assigned",
            HomeVisit.window_starts_at.is_not(None),
        )
    )
    return [(start.astimezone(ALMATY), end.astimezone(ALMATY)) for start, end in rows]


def overlaps(starts_at: datetime, ends_at: datetime, spans) -> bool:
    """Whether [starts_at, ends_at) shares a moment with any of the spans."""
    return any(start < ends_at and starts_at < end for start, end in spans)


def is_free(slot: Slot, held: set, calls: list) -> bool:
    """A slot nobody holds, outside the windows of the doctor's home calls (`home_call_windows`)."""
    return slot.starts_at not in held and not overlaps(slot.starts_at, slot.ends_at, calls)


def home_calls_at(day: DoctorDay, doctor_id: int, starts_at: datetime, slot: Slot | None) -> Span | None:
    """The home-call hours `starts_at` falls in: the plan's home-visit hours (where no slot exists), or the
    window of a home call given to the doctor over the slot. None when the doctor is not on calls then."""
    if slot is None:
        return next((span for span in day.home_hours if span[0] <= starts_at < span[1]), None)
    windows = home_call_windows(doctor_id, day.day, day.day)
    return next((span for span in windows if overlaps(slot.starts_at, slot.ends_at, [span])), None)


def is_absence(kind: str) -> bool:
    return kind in ABSENCE_KINDS


# ---- demo ---------------------------------------------------------------------------------------------
# Weekly patterns for the demo doctors: mornings, afternoons, and a general practitioner with a lunch break.
# District doctors (the first and the third pattern) keep the last hours of their day for home calls.
DEMO_PATTERNS = (
    {
        d: DayPlan(time(8, 0), time(17, 0), time(11, 0), time(11, 20), time(14, 0), time(17, 0))
        for d in range(1, 6)
    },
    {d: DayPlan(time(14, 0), time(20, 0), time(17, 0), time(17, 20)) for d in range(1, 6)}
    | {6: DayPlan(time(9, 0), time(13, 0))},
    {
        d: DayPlan(time(9, 0), time(20, 0), time(13, 0), time(14, 0), time(17, 0), time(20, 0))
        for d in range(1, 6)
    },
)


def seed_demo_schedules(*, days: int = 14) -> int:
    """Give every demo doctor without a plan a weekly plan; it yields slots for the next `days` days and on.

    Idempotent: a doctor who already has a plan keeps it. Returns how many plans were created.
    """
    doctors = db.session.scalars(
        select(StaffMember).where(StaffMember.speciality.is_not(None)).order_by(StaffMember.username)
    ).all()
    created = 0
    for index, doctor in enumerate(doctors):
        if not doctor.has_role("doctor") or schedule_of(doctor.id) is not None:
            continue
        save_plan(
            doctor,
            slot_minutes=20 if doctor.speciality == "general_practitioner" else 15,
            room=doctor.room,
            weekdays=DEMO_PATTERNS[index % len(DEMO_PATTERNS)],
            actor=Actor.system(),
        )
        created += 1
    if created:
        log.info("demo: %s doctor schedules created, slots for the next %s days and on", created, days)
    return created
