"""A doctor is never booked at the clinic and expected at a patient's home at once (issue 14).

Home-visit hours in the weekly plan give no slots and take the home calls; a home call given outside them (a
doctor without such hours, a registrar's chosen start) avoids the doctor's bookings, and its window takes
those slots out of booking. The registrar is told why, in kk and ru.
"""

from datetime import time, timedelta

import pytest
from flask_babel import force_locale

from app.core.actors import Actor
from app.extensions import db
from app.services import appointments, home_visits, schedules
from tests.appointments.factories import at, make_doctor
from tests.conftest import page_text
from tests.home_visits.factories import MONDAY, make_clinic, make_patient

TUESDAY = MONDAY + timedelta(days=1)
SPLIT_DAY = schedules.DayPlan(time(9), time(18), home_starts=time(14), home_ends=time(18))
RECEPTION_ONLY = schedules.DayPlan(time(9), time(18))


@pytest.fixture
def clinic(app):
    return make_clinic()


def doctor_with(make_staff, plan):
    return make_doctor(make_staff, weekdays={d: plan for d in range(1, 6)}, full_name="Жұмабаева Асель")


def call(patient, channel="web", **kwargs):
    details = home_visits.CallDetails(
        address="Алматы қ., Абай даңғылы, 10, 5", complaint="Кашель", callback_phone="8 701 000 00 01"
    )
    return home_visits.call_doctor(
        patient,
        details,
        actor=Actor.patient(),
        channel=channel,
        notice_phone=patient.phone,
        **kwargs,
    )


def book(patient, doctor, starts_at, channel="web"):
    return appointments.book_appointment(
        patient,
        doctor,
        starts_at,
        actor=Actor.patient(),
        channel=channel,
        identity_document_checked=True,
    )


def overlap(visit, booking) -> bool:
    return visit.window_starts_at < booking.ends_at and booking.starts_at < visit.window_ends_at


def test_home_visit_hours_give_no_slots_and_take_the_calls(clinic, make_staff, frozen):
    frozen(2026, 11, 23, 9, 40)
    doctor = doctor_with(make_staff, SPLIT_DAY)
    day = schedules.doctor_day(schedules.schedule_of(doctor.id), MONDAY)
    assert day.slots[-1].ends_at == at(MONDAY, 14)  # reception ends where the home calls begin
    assert day.home_hours == ((at(MONDAY, 14), at(MONDAY, 18)),)

    with pytest.raises(appointments.HomeCallTime) as refused, force_locale("ru"):
        book(make_patient(1), doctor, at(MONDAY, 15))
    with force_locale("ru"):
        assert "с 14:00 до 18:00" in str(refused.value.message)

    visit = call(make_patient(2))
    assert visit.status == "assigned" and visit.doctor_id == doctor.id
    assert (visit.window_starts_at, visit.window_ends_at) == (at(MONDAY, 14), at(MONDAY, 18))


def test_without_home_visit_hours_the_window_goes_around_the_bookings(clinic, make_staff, frozen):
    frozen(2026, 11, 23, 9, 40)
    doctor = doctor_with(make_staff, RECEPTION_ONLY)
    bookings = [
        book(make_patient(1), doctor, at(MONDAY, 10, 15)),
        book(make_patient(3), doctor, at(MONDAY, 14)),
    ]
    visit = call(make_patient(2))
    assert visit.doctor_id == doctor.id
    # 10:00 is taken by the 10:15 booking's way: the window starts at 11:00 and stops at the 14:00 booking.
    assert (visit.window_starts_at, visit.window_ends_at) == (at(MONDAY, 11), at(MONDAY, 14))
    assert not any(overlap(visit, booking) for booking in bookings)


def test_a_full_day_of_bookings_leaves_the_call_to_the_desk(clinic, make_staff, frozen):
    frozen(2026, 11, 23, 15, 40)
    doctor = doctor_with(make_staff, RECEPTION_ONLY)
    for index, hour in enumerate((16, 17)):
        book(make_patient(10 + index), doctor, at(MONDAY, hour, 30))
    visit = call(make_patient(2))
    assert visit.status == "unassigned" and visit.doctor_id is None


@pytest.mark.parametrize(
    ("language", "words"),
    [("kk", "емханада 11:00 уақытына жазылған"), ("ru", "в поликлинике в 11:00")],
)
def test_the_registrar_cannot_start_a_window_over_a_booking(clinic, make_staff, frozen, language, words):
    frozen(2026, 11, 23, 9, 40)
    doctor = doctor_with(make_staff, RECEPTION_ONLY)
    registrar = Actor.of_staff(make_staff(username="registrar", roles=("registrar",)))
    booking = book(make_patient(1), doctor, at(MONDAY, 11))
    visit = call(make_patient(2))
    with pytest.raises(home_visits.ChangeNotAllowed) as refused, force_locale(language):
        home_visits.assign_doctor(visit, doctor, actor=registrar, starts_at=at(MONDAY, 11))
    with force_locale(language):
        assert words in str(refused.value.message)
    assert refused.value.field == "starts_at"
    # A start before the booking gives a window that stops where the booking begins.
    home_visits.assign_doctor(visit, doctor, actor=registrar, starts_at=at(MONDAY, 10))
    assert (visit.window_starts_at, visit.window_ends_at) == (at(MONDAY, 10), at(MONDAY, 11))
    assert not overlap(visit, booking)


def test_a_call_window_takes_its_slots_out_of_booking(clinic, make_staff, frozen):
    frozen(2026, 11, 23, 9, 40)
    doctor = doctor_with(make_staff, RECEPTION_ONLY)
    visit = call(make_patient(2))
    assert (visit.window_starts_at, visit.window_ends_at) == (at(MONDAY, 10), at(MONDAY, 14))
    free = [slot.local_start.strftime("%H:%M") for slot in appointments.free_slots(doctor, MONDAY)]
    assert free[:2] == ["09:45", "14:00"]  # nothing between 10:00 and 14:00
    patient = make_patient(1)
    with pytest.raises(appointments.HomeCallTime):
        book(patient, doctor, at(MONDAY, 12), channel="desk")
    # Cancelled, the call gives its time back.
    home_visits.cancel_call(visit, actor=Actor.patient(), channel="web")
    assert book(patient, doctor, at(MONDAY, 12), channel="desk").status == "booked"


@pytest.mark.parametrize(
    ("language", "words"),
    [("kk", "үйге шақыруларға барады"), ("ru", "обслуживает вызовы на дому")],
)
def test_the_desk_is_told_in_its_language(client, login, clinic, make_staff, frozen, language, words):
    frozen(2026, 11, 23, 9, 40)
    doctor = doctor_with(make_staff, SPLIT_DAY)
    patient = make_patient(1)
    db.session.commit()
    login("registrar")
    client.get(f"/lang/{language}")
    response = client.post(
        f"/staff/appointments/patients/{patient.id}/book",
        data={
            "doctor": doctor.id,
            "slot": f"{TUESDAY.isoformat()}T15:00",
            "channel": "phone",
        },
    )
    text = page_text(response)
    assert words in text and "14:00" in text and "18:00" in text


def test_home_visit_hours_must_lie_inside_the_working_day(clinic, make_staff):
    doctor = doctor_with(make_staff, RECEPTION_ONLY)
    outside = schedules.DayPlan(time(9), time(13), home_starts=time(12), home_ends=time(15))
    with pytest.raises(schedules.ScheduleError):
        schedules.save_plan(doctor, slot_minutes=15, room="", weekdays={1: outside}, actor=Actor.system())
    half = schedules.DayPlan(time(9), time(13), home_starts=time(12))
    with pytest.raises(schedules.ScheduleError):
        schedules.save_plan(doctor, slot_minutes=15, room="", weekdays={1: half}, actor=Actor.system())


def test_the_head_saves_home_visit_hours_in_the_plan(client, login, clinic, make_staff):
    doctor = doctor_with(make_staff, RECEPTION_ONLY)
    login("head")
    data = {"slot_minutes": "15", "room": "105", "bookable_online": "y"}
    for index in range(7):
        prefix = f"days-{index}-"
        if index < 5:
            data |= {prefix + "works": "y", prefix + "starts": "08:00", prefix + "ends": "17:00"}
            data |= {prefix + "home_starts": "14:00", prefix + "home_ends": "17:00"}
    response = client.post(f"/staff/appointments/schedules/{doctor.id}", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    plan = schedules.schedule_of(doctor.id).plan_for(1)
    assert (plan.home_starts, plan.home_ends) == (time(14), time(17))
    assert "14:00" in page_text(client.get(f"/staff/appointments/schedules/{doctor.id}?week=2026-11-23"))
