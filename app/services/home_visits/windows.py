"""When the doctor comes: the day a call is for (same day until the cut-off, else the next working day), the
working hours of the doctors who go on calls, their load, and the visit window a doctor can give.

Read-only; imports the service's rules and texts.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import District, StaffMember, StaffRole
from app.models.home_visits import HomeVisit
from app.services import schedules
from app.services.calendar import WorkingCalendar, get_calendar
from app.services.home_visits.rules import MIN_WINDOW, window_length
from app.services.home_visits.texts import deferral_text
from app.services.specialities import SPECIALITIES, get_speciality


# ---- which day a call is for ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CallDay:
    """The day a call taken at `taken_at` is for, and why it is not today when it is not.

    reason: None (today) | "after_cutoff" | "day_off" | "public_holiday".
    """

    taken_at: datetime
    day: date
    reason: str | None
    cutoff: datetime | None  # today's last moment for same-day calls, None when the clinic is closed today

    @property
    def is_today(self) -> bool:
        return self.reason is None

    def message(self):
        """The sentence that tells the caller which day their call is for (None for today)."""
        return deferral_text(self.reason, self.cutoff, self.day) if self.reason else None


def call_day_for(moment: datetime | None = None, calendar: WorkingCalendar | None = None) -> CallDay:
    moment = moment or now()
    calendar = calendar or get_calendar()
    today = moment.astimezone(ALMATY).date()
    cutoff = calendar.same_day_cutoff(today)
    # 002 item 9: calls are taken «до 18.00 часов в рабочие дни, до 12-00 в субботу»: before the cut-off, so a
    # call at 18:00:00 itself is no longer for today.
    if cutoff is not None and moment < cutoff:
        return CallDay(moment, today, None, cutoff)
    if cutoff is not None:
        reason = "after_cutoff"
    elif calendar.is_public_holiday(today):
        reason = "public_holiday"
    else:
        reason = "day_off"
    return CallDay(moment, calendar.next_working_day(today), reason, cutoff)


def deferral_message(visit: HomeVisit):
    """For a call registered for a later day: which day and why, in the current language."""
    if not visit.deferred_reason:
        return None
    cutoff = get_calendar().same_day_cutoff(visit.request.created_at.astimezone(ALMATY).date())
    return deferral_text(visit.deferred_reason, cutoff, visit.visit_day)


# ---- the doctors and their windows ------------------------------------------------------------------
def home_visit_doctors() -> list[StaffMember]:
    """Active doctors who go on home calls: the district specialities (therapist, paediatrician, GP)."""
    codes = [s.code for s in SPECIALITIES if s.district_kind]
    return list(
        db.session.scalars(
            select(StaffMember)
            .join(StaffRole)
            .where(
                StaffRole.role == "doctor",
                StaffMember.is_active_account.is_(True),
                StaffMember.speciality.in_(codes),
            )
            .order_by(StaffMember.full_name)
        )
    )


def doctor_hours(doctor: StaffMember, day: date, calendar: WorkingCalendar | None = None):
    """The hours the doctor can go on calls (start, end), aware Almaty, or None when they cannot that day.

    The home-visit hours of the weekly plan when it names them for that day; else the doctor's working day
    from the plan and its exceptions (sick day, leave and training take the day or part of it away); the
    clinic's hours of that day for a doctor without a plan. Bookings inside these hours are `busy_times`.
    """
    calendar = calendar or get_calendar()
    schedule = schedules.schedule_of(doctor.id)
    if schedule is None:
        return calendar.hours_on(day)
    doctor_day = schedules.doctor_day(schedule, day, calendar=calendar)
    if doctor_day.home_hours:
        return doctor_day.home_hours[0][0], doctor_day.home_hours[-1][1]
    if not doctor_day.slots:
        return None
    return (
        doctor_day.slots[0].starts_at.astimezone(ALMATY),
        doctor_day.slots[-1].ends_at.astimezone(ALMATY),
    )


def busy_times(doctor: StaffMember, day: date) -> list[tuple[datetime, datetime]]:
    """When the doctor receives booked patients at the clinic on `day`: a home-call window never covers it."""
    return schedules.held_spans(doctor.id, day)


def _next_full_hour(moment: datetime) -> datetime:
    local = moment.astimezone(ALMATY)
    rounded = local.replace(minute=0, second=0, microsecond=0)
    return rounded if rounded == local else rounded + timedelta(hours=1)


def visit_window(hours, moment: datetime, *, starts_at: datetime | None = None, busy=()):
    """The next window of the doctor's day: from the next full hour (or exactly `starts_at`), WINDOW long,
    never past the end of the day and never over a booking in `busy` (it ends where the next booking starts,
    or starts at a later full hour after it). None when no MIN_WINDOW free of bookings is left."""
    if hours is None:
        return None
    day_start, day_end = hours
    start = max(day_start, starts_at or _next_full_hour(moment))
    while start + MIN_WINDOW <= day_end:
        if not any(b_start <= start < b_end for b_start, b_end in busy):
            end = min([start + window_length(), day_end] + [b for b, _ in busy if b > start])
            if end - start >= MIN_WINDOW:
                return start, end
        if starts_at is not None:
            return None
        start = _next_full_hour(start + timedelta(minutes=1))
    return None


def window_starts(hours, moment: datetime | None = None) -> list[datetime]:
    """Whole hours a registrar may start a window at within the doctor's day (at least MIN_WINDOW left)."""
    if hours is None:
        return []
    moment = moment or now()
    start = max(hours[0], _next_full_hour(moment))
    start = _next_full_hour(start)
    starts = []
    while start + MIN_WINDOW <= hours[1]:
        starts.append(start)
        start += timedelta(hours=1)
    return starts


def calls_of(doctor_id: int, day: date) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(HomeVisit)
            .where(
                HomeVisit.doctor_id == doctor_id,
                HomeVisit.visit_day == day,
                HomeVisit.status.in_(("assigned", "done")),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class DoctorOption:
    """A doctor who can take a call on a day: their hours, their load, and the window they would give."""

    doctor: StaffMember
    hours: tuple[datetime, datetime]
    window: tuple[datetime, datetime]
    calls: int
    is_district_doctor: bool


def doctor_options(visit_day: date, district: District | None, kinds, moment: datetime | None = None):
    """Doctors who work on `visit_day` with time left for a window, the district's own first, then by load."""
    moment = moment or now()
    calendar = get_calendar()
    options = []
    for doctor in home_visit_doctors():
        speciality = get_speciality(doctor.speciality)
        is_district_doctor = district is not None and doctor.district_id == district.id
        if not is_district_doctor and (speciality is None or speciality.district_kind not in kinds):
            continue
        hours = doctor_hours(doctor, visit_day, calendar)
        window = visit_window(hours, moment, busy=busy_times(doctor, visit_day) if hours else ())
        if window is None:
            continue
        options.append(
            DoctorOption(doctor, hours, window, calls_of(doctor.id, visit_day), is_district_doctor)
        )
    options.sort(key=lambda o: (not o.is_district_doctor, o.calls, o.window[0], o.doctor.full_name))
    return options


def find_doctor(doctor_id: int | None) -> StaffMember | None:
    """The staff member with this id (None for no id or nobody); whether they may take calls is the caller's
    question (assign_doctor checks it)."""
    return db.session.get(StaffMember, doctor_id) if doctor_id else None
