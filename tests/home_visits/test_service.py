"""Home doctor calls through the service functions: cut-off, districts, doctors, windows, red flags,
duplicates, refusals, registry outages, the desk's assignment, the doctor's outcomes and the deadlines."""

from datetime import date, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import HomeVisit, ScheduleException, ServiceRequest, SmsMessage
from app.services import home_visits, registry_pending, schedules
from app.services.calendar import get_calendar
from app.services.home_visits import operations
from tests.home_visits.factories import (
    INDEPENDENCE_DAY,
    MONDAY,
    SATURDAY,
    SUNDAY,
    district,
    make_clinic,
    make_district_doctor,
    make_patient,
    registry_down,
    registry_up,
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ALMATY)


@pytest.fixture
def clinic(app):
    return make_clinic()


@pytest.fixture
def doctors(clinic, make_staff):
    return {
        1: make_district_doctor(make_staff, "therapist1", 1, full_name="Жұмабаева Асель Қайратқызы"),
        2: make_district_doctor(make_staff, "therapist2", 2, full_name="Волков Дмитрий Сергеевич"),
        3: make_district_doctor(
            make_staff, "paediatrician", 3, speciality="paediatrician", full_name="Есенова Мадина Асқарқызы"
        ),
    }


def details(**overrides) -> home_visits.CallDetails:
    values = {
        "address": "Алматы қ., Абай даңғылы, 10, 5",
        "complaint": "Температура, кашель, слабость",
        "callback_phone": "8 701 000 00 01",
        "temperature": 38.2,
    }
    values.update(overrides)
    return home_visits.CallDetails(**values)


def call(patient, channel="web", **kwargs):
    overrides = kwargs.pop("details", {})
    kwargs.setdefault("notice_phone", patient.phone if channel in ("web", "kiosk") else "")
    return home_visits.call_doctor(
        patient, details(**overrides), actor=Actor.patient(), channel=channel, language="kk", **kwargs
    )


# ---- which day a call is for ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("moment", "day", "reason"),
    [
        (at(MONDAY, 7, 0), MONDAY, None),  # before opening: still today
        # 002 item 9: «до 18.00 часов в рабочие дни, до 12-00 в субботу», before the cut-off (issue 24).
        (at(MONDAY, 17, 59), MONDAY, None),
        (at(MONDAY, 18, 0), MONDAY + timedelta(days=1), "after_cutoff"),  # 18:00:00 itself is too late
        (at(MONDAY, 18, 1), MONDAY + timedelta(days=1), "after_cutoff"),
        (at(SATURDAY, 11, 59), SATURDAY, None),  # Saturday closes at 14:00: calls until 12:00
        (at(SATURDAY, 12, 0), MONDAY + timedelta(days=7), "after_cutoff"),
        (at(SATURDAY, 12, 1), MONDAY + timedelta(days=7), "after_cutoff"),
        (at(SUNDAY, 10, 0), MONDAY + timedelta(days=7), "day_off"),
        (at(INDEPENDENCE_DAY, 9, 0), INDEPENDENCE_DAY + timedelta(days=1), "public_holiday"),
        (
            at(INDEPENDENCE_DAY - timedelta(days=1), 19, 0),
            INDEPENDENCE_DAY + timedelta(days=1),
            "after_cutoff",
        ),
    ],
)
def test_the_cutoff_rules(clinic, frozen, moment, day, reason):
    local = moment.astimezone(ALMATY)
    frozen(local.year, local.month, local.day, local.hour, local.minute)
    call_day = home_visits.call_day_for(moment, get_calendar())
    assert (call_day.day, call_day.reason) == (day, reason)


def test_an_admin_day_off_defers_calls_too(clinic, frozen):
    from app.services.clinic import add_calendar_exception

    frozen(2026, 11, 20, 9, 0)  # the Friday before: the exception is added ahead of the day
    add_calendar_exception(
        day=MONDAY, is_working=False, note="sanitary day", today=MONDAY - timedelta(days=3)
    )
    call_day = home_visits.call_day_for(at(MONDAY, 9), get_calendar())
    assert (call_day.day, call_day.reason) == (MONDAY + timedelta(days=1), "day_off")


# ---- a call answered at once ---------------------------------------------------------------------------
def test_a_call_before_the_cutoff_gets_the_district_doctor_and_the_next_window(doctors, frozen):
    frozen(2026, 11, 23, 10, 30)
    patient = make_patient(1, language="ru")
    visit = call(patient)
    assert visit.status == "assigned"
    assert visit.doctor_id == doctors[1].id and not visit.is_covering_doctor
    assert visit.district.number == 1
    assert visit.visit_day == MONDAY and visit.deferred_reason is None
    assert visit.window_starts_at == at(MONDAY, 11) and visit.window_ends_at == at(MONDAY, 15)
    request = visit.request
    assert request.number.startswith("HV-2026-")
    assert request.status == "completed" and request.service == "home-visit"
    assert request.deadline_at == at(MONDAY, 11, 0)  # 30 minutes online
    assert visit.answered_at <= request.deadline_at
    steps = [event.step for event in request.events]
    assert steps[0] == "submitted" and "registry_checked" in steps and "assigned" in steps
    assert "sms_assigned" in steps
    sms = db.session.scalars(select(SmsMessage)).one()
    assert sms.phone == patient.phone and sms.language == "ru"
    assert "Жұмабаева" in sms.text and "11:00" in sms.text and "15:00" in sms.text
    assert "вызов" in sms.text.lower()  # the patient's language, not the visitor's


def test_the_window_is_clipped_to_the_end_of_the_day(doctors, frozen):
    frozen(2026, 11, 23, 17, 40)
    visit = call(make_patient(1))
    assert (visit.window_starts_at, visit.window_ends_at) == (at(MONDAY, 18), at(MONDAY, 20))
    frozen(2026, 11, 28, 10, 15)  # Saturday, the clinic closes at 14:00
    visit = call(make_patient(2))
    assert (visit.window_starts_at, visit.window_ends_at) == (at(SATURDAY, 11), at(SATURDAY, 14))


def test_a_call_after_the_cutoff_is_for_the_next_working_day(doctors, frozen):
    frozen(2026, 11, 23, 18, 30)
    visit = call(make_patient(1))
    tuesday = MONDAY + timedelta(days=1)
    assert visit.visit_day == tuesday and visit.deferred_reason == "after_cutoff"
    assert visit.window_starts_at == at(tuesday, 8) and visit.window_ends_at == at(tuesday, 12)
    assert any(event.step == "deferred" for event in visit.request.events)


@pytest.mark.parametrize(
    ("moment", "reason"), [(at(SUNDAY, 9), "day_off"), (at(INDEPENDENCE_DAY, 9), "public_holiday")]
)
def test_calls_on_sundays_and_holidays_go_to_the_next_working_day(doctors, frozen, moment, reason):
    local = moment.astimezone(ALMATY)
    frozen(local.year, local.month, local.day, local.hour, local.minute)
    visit = call(make_patient(1))
    assert visit.deferred_reason == reason
    assert visit.visit_day == get_calendar().next_working_day(local.date())
    assert visit.status == "assigned"


# ---- districts and doctors ------------------------------------------------------------------------------
def test_the_district_comes_from_the_street_of_the_actual_address(doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    patient = make_patient(1, district_number=1)
    visit = call(patient, details={"address": "Алматы қ., Сейфуллин даңғылы, 45, 12"})
    assert visit.district.number == 2 and visit.doctor_id == doctors[2].id
    assert visit.address_differs_from_registry


def test_a_listed_house_range_is_respected(doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    patient = make_patient(1, district_number=1)
    # District 2 lists houses 1-99 of the avenue only; house 150 is not its territory: the card decides.
    visit = call(patient, details={"address": "Сейфуллин даңғылы, 150, 3"})
    assert visit.district.number == 1


def test_a_child_goes_to_the_paediatric_district_of_the_same_street(doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    child = make_patient(2, birth=date(2019, 5, 5), first_name="Айлин", district_number=3)
    visit = call(child)
    assert visit.district.number == 3 and visit.doctor_id == doctors[3].id


def test_an_unknown_street_falls_back_to_the_district_on_the_card(doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    patient = make_patient(1, district_number=2)
    visit = call(patient, details={"address": "Алматы қ., Розыбакиев көшесі, 7"})
    assert visit.district.number == 2 and visit.doctor_id == doctors[2].id


def test_a_colleague_covers_when_the_district_doctor_is_absent(doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    schedules.save_plan(
        doctors[1],
        slot_minutes=15,
        room="105",
        weekdays={d: schedules.DayPlan(time(8, 0), time(20, 0)) for d in range(1, 6)},
        actor=Actor.system(),
    )
    db.session.add(
        ScheduleException(doctor_id=doctors[1].id, day=MONDAY, kind="sick_day", created_at=at(MONDAY, 8))
    )
    db.session.commit()
    visit = call(make_patient(1))
    assert visit.doctor_id == doctors[2].id and visit.is_covering_doctor
    assert visit.district.number == 1  # the call stays in the patient's district


def test_the_window_lies_within_the_doctor_s_planned_day(doctors, frozen):
    frozen(2026, 11, 23, 9, 10)
    schedules.save_plan(
        doctors[1],
        slot_minutes=15,
        room="105",
        weekdays={d: schedules.DayPlan(time(14, 0), time(20, 0)) for d in range(1, 6)},
        actor=Actor.system(),
    )
    db.session.commit()
    visit = call(make_patient(1))
    assert visit.doctor_id == doctors[1].id
    assert (visit.window_starts_at, visit.window_ends_at) == (at(MONDAY, 14), at(MONDAY, 18))


def test_with_no_doctor_working_the_desk_must_assign(clinic, make_staff, frozen):
    frozen(2026, 11, 23, 9, 0)
    visit = call(make_patient(1))
    assert visit.status == "unassigned" and visit.doctor is None and visit.answered_at is None
    assert visit.request.status == "in_review"
    doctor = make_district_doctor(make_staff, "late", 1)
    frozen(2026, 11, 23, 9, 20)
    registrar = make_staff("desk", roles=("registrar",))
    home_visits.assign_doctor(visit, doctor, actor=Actor.of_staff(registrar))
    assert visit.status == "assigned" and visit.request.status == "completed"
    assert visit.window_starts_at == at(MONDAY, 10)
    assert home_visits.deadline_state(visit).state == "answered"


# ---- reassignment ------------------------------------------------------------------------------------
def test_the_registrar_reassigns_and_the_patient_is_told(doctors, make_staff, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    visit = call(patient)
    registrar = make_staff("desk", roles=("registrar",))
    home_visits.assign_doctor(visit, doctors[2], actor=Actor.of_staff(registrar), starts_at=at(MONDAY, 15))
    assert visit.doctor_id == doctors[2].id and visit.is_covering_doctor
    assert (visit.window_starts_at, visit.window_ends_at) == (at(MONDAY, 15), at(MONDAY, 19))
    reassigned = [event for event in visit.request.events if event.step == "reassigned"]
    assert (
        len(reassigned) == 1 and "->" in reassigned[0].note and reassigned[0].actor_staff_id == registrar.id
    )
    texts = [m.text for m in db.session.scalars(select(SmsMessage).order_by(SmsMessage.id))]
    assert len(texts) == 2 and "Волков" in texts[1] and "15:00" in texts[1]


def test_reassignment_refuses_a_doctor_who_does_not_work_that_day(doctors, make_staff, frozen):
    frozen(2026, 11, 23, 10, 0)
    visit = call(make_patient(1))
    schedules.save_plan(
        doctors[2],
        slot_minutes=15,
        room="",
        weekdays={2: schedules.DayPlan(time(8, 0), time(12, 0))},
        actor=Actor.system(),
    )
    with pytest.raises(home_visits.ChangeNotAllowed) as refused:
        home_visits.assign_doctor(visit, doctors[2], actor=Actor.system())
    assert refused.value.field == "doctor"
    with pytest.raises(home_visits.ChangeNotAllowed):
        home_visits.assign_doctor(visit, doctors[3], actor=Actor.system(), starts_at=at(MONDAY, 21))
    assert visit.doctor_id == doctors[1].id


# ---- red flags ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("complaint", "flags", "expected"),
    [
        ("Температура", {"chest_pain"}, {"chest_pain"}),
        ("Сильная боль в груди, отдаёт в руку", set(), {"chest_pain"}),
        ("Кеудем қысып ауырады", set(), {"chest_pain"}),
        ("Задыхается, губы синие", set(), {"breathing"}),
        ("Тұншығып жатыр", set(), {"breathing"}),
        ("Потерял сознание на кухне", set(), {"unconscious"}),
        ("Есінен танып қалды", set(), {"unconscious"}),
        ("Кровотечение из раны, не останавливается", set(), {"bleeding"}),
        ("Жүрегім айнып тұр, әлсіздік", set(), set()),  # nausea, not a heart complaint
        ("Кашель, насморк", set(), set()),
    ],
)
def test_red_flags_from_the_boxes_and_from_the_words(complaint, flags, expected):
    found = flags | home_visits.detect_red_flags(complaint, 37.5, date(1980, 1, 1), MONDAY)
    assert found == expected


def test_a_baby_with_fever_is_a_red_flag_an_older_child_is_not():
    assert home_visits.detect_red_flags("Температура", 38.4, date(2026, 3, 1), MONDAY) == {"infant_fever"}
    assert home_visits.detect_red_flags("Температура", 37.6, date(2026, 3, 1), MONDAY) == set()
    assert home_visits.detect_red_flags("Температура", 39.0, date(2024, 3, 1), MONDAY) == set()


def test_a_red_flag_call_is_urgent_and_still_registered(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    visit = call(make_patient(1), details={"complaint": "Давит в груди с утра", "red_flags": {"breathing"}})
    assert visit.is_urgent and visit.red_flags == ["breathing", "chest_pain"]
    assert visit.status == "assigned"
    flagged = [event for event in visit.request.events if event.step == "red_flags"]
    assert flagged and flagged[0].note == "breathing, chest_pain"


# ---- one call a day ------------------------------------------------------------------------------------
def test_a_second_call_the_same_day_points_to_the_first(doctors, frozen, app):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    first = call(patient)
    requests_before = db.session.scalar(select(db.func.count()).select_from(ServiceRequest))
    with app.test_request_context(headers={"Cookie": "emhana_lang=ru"}):
        with pytest.raises(home_visits.DuplicateCall) as duplicate:
            call(patient, channel="phone", details={"complaint": "Ещё раз"})
        message = str(duplicate.value.message)
    assert duplicate.value.visit.id == first.id
    assert first.number in message and "10:00" in message and "14:00" in message
    assert "уже вызван" in message
    assert db.session.scalar(select(db.func.count()).select_from(ServiceRequest)) == requests_before


def test_the_database_refuses_two_live_calls_even_when_the_check_is_raced(doctors, frozen, monkeypatch):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    first = call(patient)
    db.session.commit()
    # The other call read "no call yet" a moment before the first one was saved.
    real_live_call = home_visits.live_call
    stale = iter([True])  # the first look misses the saved call; later looks see it

    def raced_live_call(patient, day):
        return None if next(stale, False) else real_live_call(patient, day)

    # call_doctor reads live_call in the operations room, where the race is staged.
    monkeypatch.setattr(operations, "live_call", raced_live_call)
    with pytest.raises(home_visits.DuplicateCall) as duplicate:
        call(patient, channel="phone")
    assert duplicate.value.visit.id == first.id
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(HomeVisit)) == 1


def test_after_a_cancelled_call_a_new_one_is_taken(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    first = call(patient)
    home_visits.cancel_call(first, actor=Actor.system(), channel="phone", note="feels better")
    assert first.status == "cancelled"
    second = call(patient)
    assert second.status == "assigned" and second.id != first.id


def test_the_next_day_is_another_day(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    call(patient)
    frozen(2026, 11, 23, 19, 0)  # after the cut-off: this call is for Tuesday
    second = call(patient)
    assert second.visit_day == MONDAY + timedelta(days=1)


# ---- refusals -------------------------------------------------------------------------------------------
def test_a_patient_attached_elsewhere_is_refused_on_the_regulation_ground(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1, attached_to="EMH-0012")
    with pytest.raises(home_visits.CallRefused) as refused:
        call(patient)
    visit = refused.value.visit
    assert visit.status == "refused" and visit.request.status == "refused"
    assert visit.request.refusal_ground == "not_attached"
    assert visit.complaint and visit.address  # kept in the journal
    assert "103" in str(refused.value.message)


def test_at_the_desk_an_identity_document_is_required(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    with pytest.raises(home_visits.InvalidCall) as slip:
        call(patient, channel="desk")
    # An unticked box is a slip of the desk's form, not the regulation's refusal: nothing is written.
    assert slip.value.field == "identity_document_checked"
    assert db.session.scalars(select(ServiceRequest)).first() is None
    visit = call(patient, channel="desk", identity_document_checked=True)
    assert visit.status == "assigned"
    assert visit.request.deadline_at == at(MONDAY, 10, 10)  # 10 minutes at the desk
    assert any(event.step == "identity_document_checked" for event in visit.request.events)


# ---- the registry is down ---------------------------------------------------------------------------
def test_registry_down_keeps_the_call_waiting_and_the_retry_answers_it(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    registry_down()
    visit = call(patient, details={"complaint": "Кашель", "temperature": 37.9})
    assert visit.status == "waiting" and visit.request.status == "awaiting_registry"
    assert visit.complaint == "Кашель" and visit.temperature == 37.9 and visit.doctor is None
    outcome = registry_pending.retry(visit.request, Actor.system())
    assert outcome.result == "unavailable" and visit.status == "waiting"

    registry_up()
    frozen(2026, 11, 23, 10, 20)
    outcome = registry_pending.retry(visit.request, Actor.system())
    assert outcome.result == "resolved"
    assert visit.status == "assigned" and visit.request.status == "completed"
    assert visit.window_starts_at == at(MONDAY, 11)
    assert db.session.scalars(select(SmsMessage)).one().phone == patient.phone


def test_a_retry_after_the_day_is_over_moves_the_call_to_the_next_working_day(doctors, frozen):
    frozen(2026, 11, 23, 17, 0)
    registry_down()
    visit = call(make_patient(1))
    registry_up()
    frozen(2026, 11, 23, 20, 30)
    registry_pending.retry(visit.request, Actor.system())
    assert visit.visit_day == MONDAY + timedelta(days=1) and visit.status == "assigned"


def test_a_retry_that_finds_the_patient_not_attached_refuses(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1, attached_to="EMH-0012")
    registry_down()
    visit = call(patient)
    registry_up()
    registry_pending.retry(visit.request, Actor.system())
    assert visit.status == "refused" and visit.request.refusal_ground == "not_attached"


# ---- bad input --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"address": "   "}, "address"),
        ({"complaint": ""}, "complaint"),
        ({"temperature": 48.0}, "temperature"),
        ({"callback_phone": "12345"}, "callback_phone"),
        ({"red_flags": {"headache"}}, "red_flags"),
        ({"applicant_kind": "relative", "applicant_name": ""}, "applicant_name"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(doctors, frozen, overrides, field):
    frozen(2026, 11, 23, 10, 0)
    with pytest.raises(home_visits.InvalidCall) as invalid:
        call(make_patient(1), details=overrides)
    assert invalid.value.field == field
    assert db.session.scalar(select(db.func.count()).select_from(HomeVisit)) == 0


@pytest.mark.parametrize(
    ("raw", "value"),
    [("38.5", 38.5), ("38,5 °C", 38.5), ("385", 38.5), ("37", 37.0), ("", None), (None, None)],
)
def test_temperatures_as_people_type_them(raw, value):
    assert home_visits.parse_temperature(raw) == value


@pytest.mark.parametrize("raw", ["hot", "3850", "20", "nan", "inf"])
def test_impossible_temperatures_are_refused(raw):
    with pytest.raises(home_visits.InvalidCall):
        home_visits.parse_temperature(raw)


def test_one_person_online_cannot_call_for_a_whole_street(doctors, frozen, app):
    frozen(2026, 11, 23, 10, 0)
    app.config["HOME_VISIT_CALLS_PER_APPLICANT_PER_DAY"] = 2
    applicant = make_patient(1)
    for serial in (2, 3):
        relative = make_patient(serial)
        call(
            relative,
            applicant=applicant,
            details={"applicant_kind": "relative", "applicant_name": "Ахметова"},
        )
    with pytest.raises(home_visits.TooManyCalls):
        call(
            make_patient(4),
            applicant=applicant,
            details={"applicant_kind": "relative", "applicant_name": "Ахметова"},
        )
    call(make_patient(5), channel="phone")  # the desk is not limited


# ---- the doctor's outcome ------------------------------------------------------------------------------
def test_the_doctor_marks_outcomes_with_notes(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    visit = call(make_patient(1))
    doctor = Actor.of_staff(doctors[1])
    with pytest.raises(home_visits.ChangeNotAllowed) as refused:
        home_visits.record_outcome(visit, "not_at_home", actor=doctor)
    assert refused.value.field == "note"
    home_visits.record_outcome(visit, "not_at_home", note="Left a notice in the letterbox", actor=doctor)
    assert visit.status == "done" and visit.outcome == "not_at_home"
    home_visits.record_outcome(visit, "hospitalised", note="Taken to City Hospital No. 1", actor=doctor)
    assert visit.outcome == "hospitalised" and visit.outcome_by_id == doctors[1].id
    steps = [event.step for event in visit.request.events]
    assert steps[-2:] == ["not_at_home", "hospitalised"]
    with pytest.raises(home_visits.ChangeNotAllowed):
        home_visits.record_outcome(visit, "lost", actor=doctor)


def test_a_visit_for_tomorrow_cannot_be_marked_today(doctors, frozen):
    frozen(2026, 11, 23, 19, 0)
    visit = call(make_patient(1))
    with pytest.raises(home_visits.ChangeNotAllowed):
        home_visits.record_outcome(visit, "visited", actor=Actor.of_staff(doctors[1]))


def test_cancelled_and_done_calls_cannot_be_cancelled_again(doctors, frozen):
    frozen(2026, 11, 23, 10, 0)
    visit = call(make_patient(1))
    home_visits.record_outcome(visit, "visited", actor=Actor.of_staff(doctors[1]))
    with pytest.raises(home_visits.ChangeNotAllowed):
        home_visits.cancel_call(visit, actor=Actor.system(), channel="phone")


# ---- deadlines and lists ------------------------------------------------------------------------------
def test_the_deadline_warns_before_it_is_late(clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    registry_down()
    visit = call(make_patient(1), channel="phone")  # 10 minutes at the desk or on the phone
    assert home_visits.deadline_state(visit).state == "on_time"
    frozen(2026, 11, 23, 10, 6)
    state = home_visits.deadline_state(visit)
    assert state.state == "due_soon" and state.minutes_left == 4 and state.needs_attention
    frozen(2026, 11, 23, 10, 11)
    assert home_visits.deadline_state(visit).state == "overdue"
    assert home_visits.awaiting_answer() == [visit]


def test_the_route_list_is_ordered_by_district_and_address(doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    doctor = doctors[1]
    addresses = [
        "Алматы қ., Достық даңғылы, 12",
        "Абай даңғылы, 10",
        "Абай даңғылы, 9",
        "Сейфуллин даңғылы, 5",
    ]
    for serial, address in enumerate(addresses, start=1):
        visit = call(make_patient(serial), details={"address": address})
        if visit.doctor_id != doctor.id:
            home_visits.assign_doctor(visit, doctor, actor=Actor.system())
    route = home_visits.route_list(doctor.id, MONDAY)
    assert [v.address for v in route] == [
        "Абай даңғылы, 9",
        "Абай даңғылы, 10",
        "Алматы қ., Достық даңғылы, 12",
        "Сейфуллин даңғылы, 5",
    ]
    assert [v.district.number for v in route] == [1, 1, 1, 2]


def test_the_journal_filters_by_day_district_and_status(doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    call(make_patient(1))
    call(make_patient(2), details={"address": "Сейфуллин даңғылы, 5"})
    cancelled = call(make_patient(3))
    home_visits.cancel_call(cancelled, actor=Actor.system(), channel="phone")
    assert len(home_visits.journal(MONDAY)) == 3
    assert len(home_visits.journal(MONDAY, district_id=district(2).id)) == 1
    assert len(home_visits.journal(MONDAY, status="cancelled")) == 1
    assert home_visits.journal(MONDAY + timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("language", "arrangement"),
    [
        ("kk", "Шақыруды келесі жұмыс күніне қабылдау – емхананың өз тәртібі"),
        ("ru", "Приём вызова на следующий рабочий день – порядок самой поликлиники"),
    ],
)
def test_a_deferred_call_is_answered_as_the_clinics_own_arrangement(
    app, clinic, frozen, language, arrangement
):
    """Issue 24 item 5: the regulation takes same-day calls before the cut-off only; the answer says that
    registering the call for the next working day is the clinic's own arrangement."""
    frozen(2026, 11, 23, 18, 0)
    with force_locale(language):
        message = home_visits.call_day_for(at(MONDAY, 18, 0), get_calendar()).message()
    assert arrangement in message
