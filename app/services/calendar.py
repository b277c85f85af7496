"""Working days and hours of the clinic, and the deadline arithmetic every service uses.

A day is a working day when the clinic's schedule opens on that weekday, it is not a Kazakhstan public
holiday (the `holidays` package, observed transfers included), and an admin has not declared it a day off;
an admin may also declare a working day (a Saturday worked in exchange for a bridge day). Hours come from
the clinic profile. All arguments and results are aware datetimes; the arithmetic runs in Asia/Almaty.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select

from app.core.clock import ALMATY
from app.core.transaction_cache import remembered
from app.extensions import db
from app.models import CalendarException, Clinic
from app.models.clinic import DEFAULT_WORKING_HOURS

# Same-day services (home calls) stop taking requests this long before closing (regulation 002).
SAME_DAY_CUTOFF_BEFORE_CLOSING = timedelta(hours=2)
_SEARCH_LIMIT_DAYS = 400  # no clinic is closed for longer; guards against a misconfigured schedule
# Legal terms (a complaint's 5 working days under the Law «О государственных услугах», art. 25) count working
# days in the labour-law sense: Monday to Friday, less public holidays and the days off the government moves,
# whatever days the clinic itself opens (an open Saturday is not a working day for them).
LEGAL_WORKING_HOURS = {weekday: (time(9, 0), time(18, 0)) for weekday in range(1, 6)}


@lru_cache(maxsize=8)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KZ", years=year).keys())


def _parse_hours(working_hours: dict) -> dict[int, tuple[time, time]]:
    return {
        int(day): (time.fromisoformat(span[0]), time.fromisoformat(span[1]))
        for day, span in working_hours.items()
    }


@dataclass(frozen=True)
class WorkingCalendar:
    hours_by_weekday: dict[int, tuple[time, time]]
    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    extra_days_off: frozenset[date] = field(default_factory=frozenset)

    # ---- days ---------------------------------------------------------------------------------
    def is_public_holiday(self, day: date) -> bool:
        return day in _public_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or self.is_public_holiday(day):
            return False
        return day.isoweekday() in self.hours_by_weekday

    def hours_on(self, day: date) -> tuple[datetime, datetime] | None:
        """Opening and closing moments of `day`, or None when the clinic is closed."""
        if not self.is_working_day(day):
            return None
        # A transferred working day on a weekday the clinic normally closes keeps Monday's hours.
        opens, closes = (
            self.hours_by_weekday.get(day.isoweekday()) or self.hours_by_weekday[min(self.hours_by_weekday)]
        )
        return datetime.combine(day, opens, ALMATY), datetime.combine(day, closes, ALMATY)

    def next_working_day(self, day: date, *, include_today: bool = False) -> date:
        candidate = day if include_today else day + timedelta(days=1)
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise RuntimeError("no working day within a year: check the clinic's working hours")

    def is_open_at(self, moment: datetime) -> bool:
        hours = self.hours_on(moment.astimezone(ALMATY).date())
        return hours is not None and hours[0] <= moment < hours[1]

    def for_legal_terms(self) -> "WorkingCalendar":
        """The Monday-to-Friday calendar of legal terms, keeping the transfers the admin entered (a Saturday
        worked in exchange for a bridge day is a working day in law too)."""
        return WorkingCalendar(LEGAL_WORKING_HOURS, self.extra_working_days, self.extra_days_off)

    # ---- deadlines ----------------------------------------------------------------------------
    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Close of business of the `days`-th working day after the day of receipt.

        A request received on a non-working day or after closing counts as received on the next
        working day, so "within one working day" of a Friday-evening request ends on Monday evening.
        """
        if days < 1:
            raise ValueError("days must be at least 1")
        local = start.astimezone(ALMATY)
        received = local.date()
        hours = self.hours_on(received)
        if hours is None or local >= hours[1]:
            received = self.next_working_day(received)
        day = received
        for _ in range(days):
            day = self.next_working_day(day)
        return self.hours_on(day)[1]

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """`start` plus `minutes` of the clinic's open time: the clock stops overnight and on days off."""
        remaining = timedelta(minutes=minutes)
        moment = start.astimezone(ALMATY)
        day = moment.date()
        for _ in range(_SEARCH_LIMIT_DAYS):
            hours = self.hours_on(day)
            if hours is not None and moment < hours[1]:
                moment = max(moment, hours[0])
                available = hours[1] - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
            day = self.next_working_day(day)
            moment = self.hours_on(day)[0]
        raise RuntimeError("no working time within a year: check the clinic's working hours")

    def same_day_cutoff(self, day: date) -> datetime | None:
        """Last moment a same-day request (home call) is taken on `day`, or None when closed."""
        hours = self.hours_on(day)
        return None if hours is None else hours[1] - SAME_DAY_CUTOFF_BEFORE_CLOSING


def get_calendar() -> WorkingCalendar:
    """The calendar from the clinic profile and the admin-entered exceptions in the database; built once per
    transaction (a booking needs it for the slot and again for the request's deadline)."""
    return remembered("calendar", _load_calendar, depends_on=(Clinic, CalendarException))


def clinic_row() -> Clinic | None:
    """The one clinic row, read once per transaction; `app.services.clinic.get_clinic()` returns the same
    (the calendar sits below the clinic profile, which shows today's hours from the calendar, so the row is
    read here). One read serves both: the free-slot page and a booking used to read the row once for the
    calendar's hours and once more for the registry check's clinic code. Read without flushing the request's
    other pending changes first: only the Clinic row decides it (issue 7)."""
    return remembered(
        "clinic",
        lambda: db.session.scalars(select(Clinic).order_by(Clinic.id).limit(1)).first(),
        depends_on=(Clinic,),
        autoflush=False,
    )


def _load_calendar() -> WorkingCalendar:
    clinic = clinic_row()
    working_hours = (clinic.working_hours if clinic is not None else None) or DEFAULT_WORKING_HOURS
    exceptions = db.session.scalars(select(CalendarException)).all()
    return WorkingCalendar(
        hours_by_weekday=_parse_hours(working_hours),
        extra_working_days=frozenset(e.day for e in exceptions if e.is_working),
        extra_days_off=frozenset(e.day for e in exceptions if not e.is_working),
    )
