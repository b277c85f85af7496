"""Urgent-care calls through the service: the 7 elapsed hours across a night, a weekend and a holiday; red
flags handed to 103, never queued; times in order; the nurse registers the result; compliance."""

from datetime import datetime, timedelta

import pytest

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.services import catalogue, urgent_care
from app.services.calendar import get_calendar
from tests.urgent_care.factories import details, make_nurse, make_team, register


@pytest.fixture
def nurse(app, make_staff):
    return make_nurse(make_staff)


@pytest.fixture
def team(app, make_staff):
    return make_team(make_staff)


def local(*args):
    return datetime(*args, tzinfo=ALMATY)


# ---- the 7 elapsed hours -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("received", "examination_due", "request_due"),
    [
        # a Wednesday night: the clinic is closed, the clock runs
        (local(2026, 11, 25, 21, 30), local(2026, 11, 26, 4, 30), local(2026, 11, 26, 4, 35)),
        # Friday 19:00 -> Saturday 02:00 (decision item 4)
        (local(2026, 11, 27, 19, 0), local(2026, 11, 28, 2, 0), local(2026, 11, 28, 2, 5)),
        # a Sunday afternoon: no working minutes at all that day
        (local(2026, 11, 29, 14, 0), local(2026, 11, 29, 21, 0), local(2026, 11, 29, 21, 5)),
        # Independence Day (16 December, a public holiday): still 7 clock hours
        (local(2026, 12, 16, 10, 0), local(2026, 12, 16, 17, 0), local(2026, 12, 16, 17, 5)),
    ],
    ids=["night", "friday-evening-to-saturday", "sunday", "holiday"],
)
def test_the_deadline_is_seven_clock_hours_never_working_minutes(
    frozen, nurse, received, examination_due, request_due
):
    frozen(*received.timetuple()[:5])
    call = register(nurse)
    assert call.received_at == received
    assert call.examination_due_at == examination_due
    assert call.request.deadline_at == request_due


def test_the_holiday_really_is_a_day_off_for_the_clinic(app):
    """The holiday case above means something: the clinic's calendar has no hours that day."""
    assert get_calendar().hours_on(local(2026, 12, 16, 0, 0).date()) is None
    assert get_calendar().hours_on(local(2026, 11, 29, 0, 0).date()) is None


def test_the_catalogue_counts_elapsed_hours_for_urgent_care(app):
    rule = catalogue.get("urgent-care").deadline_rule("phone")
    assert rule == catalogue.DeadlineRule("elapsed_hours", 7, plus_minutes=5)
    assert not rule.needs_calendar
    assert rule.apply(local(2026, 11, 27, 19, 0), None) == local(2026, 11, 28, 2, 5)
    assert catalogue.get("urgent-care").name.ru == "Неотложная медицинская помощь (отделение ПМСП)"


def test_the_journal_turns_amber_then_red(frozen, nurse):
    frozen(2026, 11, 27, 19, 0)
    call = register(nurse)
    assert urgent_care.deadline_state(call).state == "on_time"
    assert urgent_care.deadline_state(call, local(2026, 11, 28, 1, 30)).state == "due_soon"
    state = urgent_care.deadline_state(call, local(2026, 11, 28, 2, 1))
    assert state.state == "overdue" and state.needs_attention


# ---- red flags ---------------------------------------------------------------------------------------------
def test_red_flags_are_not_queued_without_a_handover(nurse):
    with pytest.raises(urgent_care.RedFlagsCall103) as raised:
        register(nurse, complaint="Қатты кеуде ауырады, задыхается")
    assert {"chest_pain", "breathing"} <= raised.value.flags
    assert "103" in str(raised.value.message)
    assert urgent_care.journal(local(2026, 11, 25, 0, 0).date()) == []


def test_red_flags_with_the_handover_are_recorded_as_handed_to_103(nurse, team):
    call = urgent_care.register_call(
        details(red_flags={"unconscious"}),
        actor=Actor.of_staff(nurse),
        handover_note="103, диспетчер Иванова, 10:01",
    )
    assert call.status == "handed_to_103"
    assert call.result == "handed_to_103"
    assert call.request.status == "completed"
    assert "Иванова" in call.handover_note
    with pytest.raises(urgent_care.ChangeNotAllowed):
        urgent_care.pass_to_team(call, team, actor=Actor.of_staff(nurse))


# ---- bad input ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"address": "   "}, "address"),
        ({"complaint": ""}, "complaint"),
        ({"caller_phone": "12"}, "caller_phone"),
        ({"patient_name": ""}, "patient_name"),
        ({"patient_age": 200}, "patient_age"),
        ({"caller_kind": "other", "caller_name": ""}, "caller_name"),
        ({"urgency_category": 1}, "urgency_category"),
    ],
)
def test_a_call_that_says_too_little_is_not_saved(nurse, fields, field):
    with pytest.raises(urgent_care.InvalidCall) as raised:
        register(nurse, **fields)
    assert raised.value.field == field
    assert urgent_care.journal(local(2026, 11, 25, 0, 0).date()) == []


# ---- from the call to the result ---------------------------------------------------------------------------
def test_a_call_from_registration_to_the_registered_result(frozen, nurse, team, make_staff):
    frozen(2026, 11, 27, 19, 0)
    call = register(nurse)
    assert call.status == "registered" and call.request.status == "submitted"
    frozen(2026, 11, 27, 19, 3)
    urgent_care.pass_to_team(call, team, actor=Actor.of_staff(nurse))
    assert call.status == "passed" and call.request.status == "in_review"
    frozen(2026, 11, 28, 1, 0)
    outcome = urgent_care.Outcome(
        arrived_at=local(2026, 11, 27, 23, 40),
        examined_at=local(2026, 11, 28, 0, 20),
        result="treated_at_home",
        diagnosis_code="J06.9",
        diagnosis_title="ОРВИ",
    )
    urgent_care.record_outcome(call, outcome, actor=Actor.of_staff(team))
    assert call.status == "examined"
    assert urgent_care.deadline_state(call).state == "met"
    urgent_care.register_result(call, actor=Actor.of_staff(nurse))
    db.session.commit()
    assert call.status == "done" and call.request.status == "completed"
    assert call.request.completed_at <= call.request.deadline_at
    steps = [event.step for event in call.request.events]
    assert steps == ["submitted", "passed_to_team", "examined", "result_registered"]
    report = urgent_care.compliance(
        local(2026, 11, 27, 0, 0).date(), local(2026, 11, 28, 0, 0).date(), actor=Actor.of_staff(nurse)
    )
    assert (report.received, report.examined_in_time, report.examined_late, report.share_in_time) == (
        1,
        1,
        0,
        100,
    )


@pytest.mark.parametrize(
    ("arrived", "examined", "field"),
    [
        ((2026, 11, 25, 9, 0), (2026, 11, 25, 9, 30), "arrived_at"),  # before the call was passed
        ((2026, 11, 25, 9, 40), (2026, 11, 25, 9, 35), "examined_at"),  # result before arrival
        ((2026, 11, 25, 9, 40), (2026, 11, 25, 11, 0), "examined_at"),  # in the future
    ],
    ids=["arrived-before-passed", "result-before-arrival", "future"],
)
def test_impossible_times_change_nothing(frozen, nurse, team, arrived, examined, field):
    frozen(2026, 11, 25, 9, 30)
    call = register(nurse)
    urgent_care.pass_to_team(call, team, actor=Actor.of_staff(nurse))
    frozen(2026, 11, 25, 10, 0)
    outcome = urgent_care.Outcome(
        arrived_at=local(*arrived),
        examined_at=local(*examined),
        result="treated_at_home",
        diagnosis_code="J06.9",
    )
    with pytest.raises(urgent_care.InvalidCall) as raised:
        urgent_care.record_outcome(call, outcome, actor=Actor.of_staff(team))
    assert raised.value.field == field
    assert call.status == "passed" and call.arrived_at is None and call.result is None


def test_a_late_examination_counts_as_missed(frozen, nurse, team):
    frozen(2026, 11, 25, 9, 0)
    call = register(nurse)
    urgent_care.pass_to_team(call, team, actor=Actor.of_staff(nurse))
    frozen(2026, 11, 25, 17, 0)
    outcome = urgent_care.Outcome(
        arrived_at=local(2026, 11, 25, 15, 50),
        examined_at=local(2026, 11, 25, 16, 30),
        result="referred_to_district_doctor",
        diagnosis_code="I10",
    )
    urgent_care.record_outcome(call, outcome, actor=Actor.of_staff(team))
    assert urgent_care.deadline_state(call).state == "missed"
    report = urgent_care.compliance(
        call.received_at.date(), call.received_at.date(), actor=Actor.of_staff(nurse)
    )
    assert (report.examined_late, report.share_in_time) == (1, 0)


def test_the_department_hours_are_a_setting_that_never_stops_the_clock(app, frozen, nurse):
    app.config["URGENT_CARE_HOURS"] = ("08:00", "24:00")
    assert urgent_care.is_department_open(local(2026, 11, 29, 23, 0))  # a Sunday: the department works
    assert not urgent_care.is_department_open(local(2026, 11, 30, 3, 0))
    frozen(2026, 11, 30, 3, 0)
    call = register(nurse)
    assert call.examination_due_at - call.received_at == timedelta(hours=7)
    assert "outside_department_hours" in [event.step for event in call.request.events]


def test_a_call_for_a_known_patient_links_the_card(nurse):
    from tests.urgent_care.factories import make_clinic, make_patient

    make_clinic()
    patient = make_patient(31)
    call = urgent_care.register_call(details(), actor=Actor.of_staff(nurse), patient=patient)
    assert call.patient_iin == patient.iin and call.patient_name == patient.full_name
    assert call.district is not None and call.district.number == 1
