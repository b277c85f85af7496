"""Working days, hours and deadlines with the Kazakh calendar."""

from datetime import date, datetime, time

import pytest

from app.core.clock import ALMATY
from app.extensions import db
from app.models import CalendarException
from app.models.clinic import DEFAULT_WORKING_HOURS
from app.services.calendar import WorkingCalendar, _parse_hours, get_calendar
from app.services.catalogue import DeadlineRule


def almaty(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


@pytest.fixture
def calendar():
    return WorkingCalendar(hours_by_weekday=_parse_hours(DEFAULT_WORKING_HOURS))


def test_weekdays_and_saturday_work_sunday_and_holidays_do_not(calendar):
    assert calendar.is_working_day(date(2026, 11, 23))  # Monday
    assert calendar.is_working_day(date(2026, 11, 28))  # Saturday: the clinic opens 09:00-14:00
    assert not calendar.is_working_day(date(2026, 11, 29))  # Sunday
    assert not calendar.is_working_day(date(2026, 12, 16))  # Independence Day
    assert not calendar.is_working_day(date(2026, 3, 24))  # Nauryz, observed transfer
    assert not calendar.is_working_day(date(2027, 1, 7))  # Orthodox Christmas


def test_admin_exceptions_override_the_national_calendar(calendar):
    bridge = WorkingCalendar(
        hours_by_weekday=calendar.hours_by_weekday,
        extra_working_days=frozenset({date(2026, 11, 29)}),
        extra_days_off=frozenset({date(2026, 11, 24)}),
    )
    assert bridge.is_working_day(date(2026, 11, 29))
    assert not bridge.is_working_day(date(2026, 11, 24))
    # A worked Sunday keeps ordinary weekday hours, since Sunday has none of its own.
    assert bridge.hours_on(date(2026, 11, 29)) == (almaty(2026, 11, 29, 8), almaty(2026, 11, 29, 20))


def test_get_calendar_reads_exceptions_from_the_database(app, demo_clinic):
    db.session.add(CalendarException(day=date(2026, 11, 24), is_working=False, note="bridge"))
    db.session.flush()
    assert not get_calendar().is_working_day(date(2026, 11, 24))


def test_hours_and_same_day_cutoff(calendar):
    assert calendar.hours_on(date(2026, 11, 28)) == (almaty(2026, 11, 28, 9), almaty(2026, 11, 28, 14))
    assert calendar.same_day_cutoff(date(2026, 11, 23)) == almaty(2026, 11, 23, 18)
    assert calendar.same_day_cutoff(date(2026, 11, 28)) == almaty(2026, 11, 28, 12)
    assert calendar.same_day_cutoff(date(2026, 11, 29)) is None


@pytest.mark.parametrize(
    ("received", "days", "deadline"),
    [
        (almaty(2026, 11, 23, 10, 0), 1, almaty(2026, 11, 24, 20, 0)),  # Monday -> Tuesday evening
        (almaty(2026, 11, 27, 19, 0), 1, almaty(2026, 11, 28, 14, 0)),  # Friday -> Saturday's short day
        (almaty(2026, 11, 28, 15, 0), 1, almaty(2026, 12, 1, 20, 0)),  # Saturday after closing, Sunday off
        (almaty(2026, 11, 29, 11, 0), 1, almaty(2026, 12, 1, 20, 0)),  # received on Sunday
        (almaty(2026, 12, 15, 12, 0), 1, almaty(2026, 12, 17, 20, 0)),  # skips Independence Day
        (almaty(2026, 12, 1, 12, 0), 15, almaty(2026, 12, 19, 14, 0)),  # 15 working days, holiday inside
    ],
)
def test_add_working_days(calendar, received, days, deadline):
    assert calendar.add_working_days(received, days) == deadline


@pytest.mark.parametrize(
    ("received", "minutes", "deadline"),
    [
        (almaty(2026, 11, 23, 10, 0), 10, almaty(2026, 11, 23, 10, 10)),
        (almaty(2026, 11, 23, 19, 55), 10, almaty(2026, 11, 24, 8, 5)),  # the clock stops overnight
        (almaty(2026, 11, 23, 6, 30), 10, almaty(2026, 11, 23, 8, 10)),  # before opening
        (almaty(2026, 11, 28, 13, 55), 10, almaty(2026, 11, 30, 8, 5)),  # Saturday close, Sunday off
        (almaty(2026, 12, 15, 19, 50), 30, almaty(2026, 12, 17, 8, 20)),  # over a public holiday
    ],
)
def test_add_working_minutes(calendar, received, minutes, deadline):
    assert calendar.add_working_minutes(received, minutes) == deadline


def test_results_are_aware_and_comparable_in_utc(calendar):
    deadline = calendar.add_working_minutes(almaty(2026, 11, 23, 10, 0), 10)
    assert deadline.utcoffset() is not None
    assert deadline.astimezone(ALMATY).time() == time(10, 10)


def test_legal_terms_count_monday_to_friday_whatever_the_clinic_opens():
    """Issue 24 item 2: a term of the Law «О государственных услугах» counts working days in the labour-law
    sense (Monday-Friday, less public holidays), not the clinic's opening days: an open Saturday is no working
    day for it."""
    open_saturdays = {day: (time(8), time(20)) for day in range(1, 7)}
    clinic = WorkingCalendar(hours_by_weekday=open_saturdays)
    five_days = DeadlineRule("legal_working_days", 5)
    thursday = datetime(2026, 11, 19, 11, 0, tzinfo=ALMATY)
    # Fri 20, Mon 23, Tue 24, Wed 25, Thu 26: the open Saturday 21 does not count.
    assert five_days.apply(thursday, clinic).date() == date(2026, 11, 26)
    # Over Independence Day (Wednesday 16 December 2026): Fri 11, Mon 14, Tue 15, Thu 17, Fri 18.
    thursday_before = datetime(2026, 12, 10, 11, 0, tzinfo=ALMATY)
    assert five_days.apply(thursday_before, clinic).date() == date(2026, 12, 18)
