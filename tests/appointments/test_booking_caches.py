"""What the booking path remembers within a request (app/services/transaction_cache.py) never hides a change:
a plan edited at the desk, a booking, a sick day or a clinic day off shows on the free-slot page at once,
and a change committed by another worker process (another database connection) is read by the next request.
"""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.extensions import db
from app.models import CalendarException, Clinic, DoctorSchedule
from app.services import schedules
from app.services.calendar import get_calendar
from app.services.clinic import get_clinic
from tests.appointments.factories import MONDAY, make_clinic, make_doctor, make_patient
from tests.appointments.test_web import choose_url, sign_in
from tests.conftest import page_text

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def clinic(app, frozen):
    frozen(2026, 11, 23, 7, 30)
    return make_clinic()


@pytest.fixture
def doctor(clinic, make_staff):
    return make_doctor(make_staff, full_name="Жұмабаева Асель Қайратқызы")


@pytest.fixture
def patient_browser(app):
    """A second browser: the patient's, beside the staff member's `client`."""
    return app.test_client()


def slot_link(moment: str) -> str:
    return "slot=" + moment.replace(":", "%3A") + '"'


def test_a_plan_saved_at_the_desk_shows_at_once_on_the_free_slot_page(client, login, doctor, patient_browser):
    sign_in(patient_browser, make_patient(1))
    before = patient_browser.get(choose_url(doctor)).get_data(as_text=True)
    assert slot_link("2026-11-24T09:15") in before and slot_link("2026-11-24T08:20") not in before

    login("head")
    plan = {"slot_minutes": "20", "room": "210", "bookable_online": "y"}
    for index in range(5):
        plan.update(
            {f"days-{index}-works": "y", f"days-{index}-starts": "08:00", f"days-{index}-ends": "12:00"}
        )
    assert client.post(f"/staff/appointments/schedules/{doctor.id}", data=plan).status_code == 303

    after = patient_browser.get(choose_url(doctor)).get_data(as_text=True)
    assert slot_link("2026-11-24T08:20") in after and slot_link("2026-11-24T09:15") not in after


def test_a_booking_takes_the_time_off_everyone_elses_page_at_once(client, doctor, patient_browser):
    sign_in(patient_browser, make_patient(1))
    assert slot_link("2026-11-24T09:15") in patient_browser.get(choose_url(doctor)).get_data(as_text=True)

    sign_in(client, make_patient(2))
    booked = client.post("/appointments/book", data={"doctor": doctor.id, "slot": "2026-11-24T09:15"})
    assert booked.status_code == 303

    html = patient_browser.get(choose_url(doctor)).get_data(as_text=True)
    assert slot_link("2026-11-24T09:15") not in html and slot_link("2026-11-24T09:30") in html
    refused = patient_browser.post(
        "/appointments/book", data={"doctor": doctor.id, "slot": "2026-11-24T09:15"}
    )
    assert "Бұл уақытты дәл қазір басқа біреу алып қойды." in page_text(refused)


def test_a_sick_day_entered_at_the_desk_closes_the_day_at_once(client, login, doctor, patient_browser):
    sign_in(patient_browser, make_patient(1))
    patient_browser.get("/lang/ru")
    assert slot_link("2026-11-24T09:15") in patient_browser.get(choose_url(doctor)).get_data(as_text=True)

    login("head")
    added = client.post(
        f"/staff/appointments/schedules/{doctor.id}/exceptions",
        data={"day": TUESDAY.isoformat(), "kind": "sick_day"},
    )
    assert added.status_code == 303

    response = patient_browser.get(choose_url(doctor))
    assert "не ведёт приём 24 ноября (на больничном)" in page_text(response)
    assert slot_link("2026-11-24T09:15") not in response.get_data(as_text=True)


def test_a_clinic_day_off_closes_the_day_at_once(doctor, patient_browser):
    sign_in(patient_browser, make_patient(1))
    assert slot_link("2026-11-24T09:15") in patient_browser.get(choose_url(doctor)).get_data(as_text=True)

    db.session.add(CalendarException(day=TUESDAY, is_working=False, note="санитарный день"))
    db.session.commit()

    html = patient_browser.get(choose_url(doctor)).get_data(as_text=True)
    assert slot_link("2026-11-24T09:15") not in html


def test_a_change_committed_by_another_worker_is_read_by_the_next_request(doctor):
    assert not get_calendar().extra_days_off
    assert schedules.schedule_of(doctor.id).slot_minutes == 15
    with Session(db.engine) as other_worker:  # another gunicorn worker: its own connection
        other_worker.add(CalendarException(day=TUESDAY, is_working=False, note=""))
        other_worker.execute(
            update(DoctorSchedule).where(DoctorSchedule.doctor_id == doctor.id).values(slot_minutes=20)
        )
        other_worker.commit()
    db.session.commit()  # this request ends; the next one starts

    assert get_calendar().extra_days_off == {TUESDAY}
    db.session.refresh(schedules.schedule_of(doctor.id))
    assert schedules.schedule_of(doctor.id).slot_minutes == 20
    day = schedules.doctor_day(schedules.schedule_of(doctor.id), TUESDAY)
    assert day.state == "clinic_closed" and not day.slots


def test_a_request_sees_its_own_changes_flushed_or_not(app, frozen):
    frozen(2026, 11, 23, 7, 30)
    assert get_clinic() is None  # remembered: no clinic yet
    clinic = Clinic(
        name_kk="Емхана", name_ru="Поликлиника", code="X1", working_hours={"1": ["08:00", "20:00"]}
    )
    db.session.add(clinic)
    assert get_clinic() is clinic  # not flushed yet, still found
    assert set(get_calendar().hours_by_weekday) == {1}

    db.session.add(CalendarException(day=date(2026, 11, 30), is_working=False, note=""))
    assert get_calendar().extra_days_off == {date(2026, 11, 30)}

    db.session.execute(update(Clinic).values(working_hours={"2": ["09:00", "18:00"]}))  # a bulk statement
    assert get_calendar().hours_by_weekday == {2: (time(9, 0), time(18, 0))}


def test_a_rolled_back_savepoint_is_forgotten(clinic):
    assert not get_calendar().extra_days_off
    savepoint = db.session.begin_nested()
    db.session.add(CalendarException(day=TUESDAY, is_working=False, note=""))
    db.session.flush()
    assert get_calendar().extra_days_off == {TUESDAY}
    savepoint.rollback()
    assert not get_calendar().extra_days_off


def test_a_doctor_without_a_plan_gets_one_within_the_same_request(clinic, make_staff):
    doctor = make_staff(username="gp1", roles=("doctor",), speciality="general_practitioner")
    assert schedules.schedule_of(doctor.id) is None
    schedules.save_plan(
        doctor,
        slot_minutes=20,
        room="12",
        weekdays={2: schedules.DayPlan(time(9, 0), time(10, 0))},
        actor=Actor.system(),
    )
    assert schedules.schedule_of(doctor.id).slot_minutes == 20
    assert [
        slot.time_label for slot in schedules.doctor_day(schedules.schedule_of(doctor.id), TUESDAY).slots
    ] == [
        "09:00",
        "09:20",
        "09:40",
    ]


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run while the returned context is open."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements = []

        def note(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", note)

    return counting


def test_lists_of_bookings_cost_the_same_queries_for_one_booking_or_many(
    app, client, login, doctor, patient_browser, count_queries
):
    app.config["APPOINTMENT_MAX_PER_SPECIALITY"] = 5
    patient = make_patient(1)
    sign_in(patient_browser, patient)
    login("registrar")
    from app.services import appointments
    from tests.appointments.factories import at

    def book(hour, minute):
        appointments.book_appointment(
            patient, doctor, at(TUESDAY, hour, minute), actor=Actor.patient(), channel="web"
        )
        db.session.commit()

    def queries_of(browser, url):
        with count_queries() as statements:
            assert browser.get(url).status_code == 200
        return len(statements)

    desk_card = f"/staff/appointments/patients/{patient.id}"
    book(9, 0)
    # The first page after the sign-in stores what the sign-in left for it in the session, and the first
    # chooser the registry's "attached" (kept five minutes); later pages write the session only when
    # something in it changes (the idle timeout's mark: once a minute at most).
    client.get(desk_card)
    patient_browser.get("/appointments/choose")
    with_one = queries_of(patient_browser, "/appointments/choose"), queries_of(client, desk_card)
    book(9, 15)
    book(9, 30)
    page = patient_browser.get("/appointments/choose")
    assert page_text(page).count(doctor.full_name) == 3  # the three upcoming bookings are listed
    assert (queries_of(patient_browser, "/appointments/choose"), queries_of(client, desk_card)) == with_one
