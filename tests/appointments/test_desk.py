"""Staff side of appointments: the registrar books by phone, prints the journal; doctors mark visits;
heads edit schedules. Access per role and audit of every view of patient data."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.core.actors import Actor
from app.extensions import db
from app.models import Appointment, AuditEntry, ScheduleException, ServiceRequest
from app.services import appointments
from tests.appointments.factories import MONDAY, at, make_clinic, make_doctor, make_patient
from tests.conftest import page_text

TUESDAY = MONDAY + timedelta(days=1)
HX = {"HX-Request": "true"}


@pytest.fixture
def clinic(app, frozen):
    frozen(2026, 11, 23, 8, 30)
    return make_clinic()


@pytest.fixture
def doctor(clinic, make_staff):
    return make_doctor(make_staff, full_name="Жұмабаева Асель Қайратқызы")


def sign_in_again(client, username):
    from tests.conftest import TEST_PASSWORD

    client.get("/staff/")  # ends the idle session first
    response = client.post("/staff/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def audited(action, object_type):
    return db.session.query(AuditEntry).filter_by(action=action, object_type=object_type).count()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_registrar_books_by_phone_and_prints_the_journal(client, login, doctor, language):
    client.get(f"/lang/{language}")
    login("registrar")
    patient = make_patient(1, last_name="Серікова", language=language)

    found = client.get("/staff/appointments/?q=Сері", headers=HX)
    assert "Серікова" in page_text(found) and "<html" not in found.get_data(as_text=True)
    assert audited("search", "patient") == 1

    page = client.get(
        f"/staff/appointments/patients/{patient.id}?speciality=therapist&doctor={doctor.id}"
        f"&day={TUESDAY.isoformat()}&slot={TUESDAY.isoformat()}T09:30"
    )
    assert page.status_code == 200 and "09:30" in page_text(page)
    assert audited("view", "patient") == 1

    booked = client.post(
        f"/staff/appointments/patients/{patient.id}/book",
        data={"doctor": doctor.id, "slot": f"{TUESDAY.isoformat()}T09:30", "channel": "phone"},
    )
    assert booked.status_code == 303
    booking = db.session.query(Appointment).one()
    assert booking.channel == "phone" and booking.request.channel == "phone"
    assert booking.request.deadline_at - booking.request.created_at == timedelta(minutes=10)
    assert booking.request.created_by.username == "registrar"

    journal = client.get(f"/staff/appointments/journal?day={TUESDAY.isoformat()}")
    assert "Серікова" in page_text(journal) and booking.number in page_text(journal)
    pdf = client.get(f"/staff/appointments/journal.pdf?day={TUESDAY.isoformat()}&doctor={doctor.id}")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Серікова" in text and booking.number in text and "09:30" in text
    assert audited("print", "appointment_journal") == 1


def test_a_missed_identity_box_is_a_form_error_not_a_refusal(client, login, doctor):
    login("registrar")
    client.get("/lang/ru")
    patient = make_patient(1)
    response = client.post(
        f"/staff/appointments/patients/{patient.id}/book",
        data={
            "doctor": doctor.id,
            "slot": f"{TUESDAY.isoformat()}T09:30",
            "channel": "desk",
            "reason": "Боль в горле",
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="chooser"')
    assert 'name="slot" value="2026-11-24T09:30"' in html  # the choice is kept for the second try
    assert "Боль в горле" in html  # and what was typed
    assert "Проверьте документ, удостоверяющий личность пациента" in page_text(response)
    # No request at all: nothing that monitoring could count as the clinic's refusal.
    assert db.session.query(Appointment).count() == 0
    assert db.session.query(ServiceRequest).count() == 0
    ok = client.post(
        f"/staff/appointments/patients/{patient.id}/book",
        data={
            "doctor": doctor.id,
            "slot": f"{TUESDAY.isoformat()}T09:30",
            "channel": "desk",
            "identity_document_checked": "y",
        },
        headers=HX,
    )
    assert ok.headers["HX-Redirect"].endswith(f"/staff/appointments/patients/{patient.id}")
    assert db.session.query(Appointment).one().channel == "desk"


def test_registrar_moves_and_cancels_and_sees_no_show_warning(client, login, doctor, frozen):
    login("registrar")
    patient = make_patient(1)
    missed = appointments.book_appointment(
        patient, doctor, at(MONDAY, 9, 0), actor=Actor.patient(), channel="web"
    )
    db.session.commit()
    frozen(2026, 11, 23, 9, 30)
    sign_in_again(client, "registrar")  # an hour passed: the idle staff session has ended
    appointments.mark_attendance(missed, attended=False, actor=Actor.of_staff(doctor))
    booking = appointments.book_appointment(
        patient, doctor, at(TUESDAY, 9, 0), actor=Actor.patient(), channel="web"
    )
    db.session.commit()
    page = client.get(f"/staff/appointments/patients/{patient.id}")
    assert "desk-no-shows" in page.get_data(as_text=True)

    moved = client.post(
        f"/staff/appointments/bookings/{booking.number}/move",
        data={"doctor": doctor.id, "slot": f"{TUESDAY.isoformat()}T11:00"},
    )
    assert moved.status_code == 303
    assert booking.starts_at == at(TUESDAY, 11, 0)
    cancelled = client.post(f"/staff/appointments/bookings/{booking.number}/cancel", data={"note": "звонок"})
    assert cancelled.status_code == 303 and booking.status == "cancelled"
    assert booking.request.events[-2].step == "booking_cancelled"


def test_doctor_marks_visits_with_htmx_rows(client, login, clinic, make_staff, frozen):
    doctor = login("doctor")
    from app.models import StaffMember

    doctor = db.session.get(StaffMember, doctor.id)
    doctor.speciality = "therapist"
    from app.services import schedules
    from tests.appointments.factories import WEEKDAY_PLAN

    schedules.save_plan(
        doctor, slot_minutes=15, room="9", weekdays={1: WEEKDAY_PLAN, 2: WEEKDAY_PLAN}, actor=Actor.system()
    )
    patient = make_patient(1)
    booking = appointments.book_appointment(
        patient, doctor, at(MONDAY, 9, 0), actor=Actor.patient(), channel="web"
    )
    db.session.commit()
    frozen(2026, 11, 23, 9, 20)
    sign_in_again(client, "doctor")
    visits = client.get(f"/staff/appointments/visits?day={MONDAY.isoformat()}")
    assert booking.number in page_text(visits)
    row = client.post(
        f"/staff/appointments/bookings/{booking.number}/attendance", data={"attended": "0"}, headers=HX
    )
    assert row.get_data(as_text=True).lstrip().startswith(f'<tr id="visit-{booking.id}"')
    assert booking.status == "no_show"
    other_doctor = make_doctor(make_staff, "therapist9", district_number=None)
    foreign = appointments.book_appointment(
        make_patient(2), other_doctor, at(MONDAY, 11, 0), actor=Actor.patient(), channel="web"
    )
    db.session.commit()
    assert (
        client.post(
            f"/staff/appointments/bookings/{foreign.number}/attendance", data={"attended": "1"}
        ).status_code
        == 403
    )


def test_head_edits_the_plan_and_adds_a_sick_day_with_stranded_warning(client, login, doctor):
    login("head")
    booking = appointments.book_appointment(
        make_patient(1), doctor, at(TUESDAY, 9, 0), actor=Actor.patient(), channel="web"
    )
    db.session.commit()
    page = client.get(f"/staff/appointments/schedules/{doctor.id}?week={TUESDAY.isoformat()}")
    assert page.status_code == 200 and "09:00" in page_text(page)
    week = client.get(f"/staff/appointments/schedules/{doctor.id}?week=2026-11-30", headers=HX)
    assert week.get_data(as_text=True).lstrip().startswith('<section id="week"')

    data = {"slot_minutes": "20", "room": "210", "bookable_online": "y"}
    for index in range(7):
        if index < 5:
            data.update(
                {f"days-{index}-works": "y", f"days-{index}-starts": "08:00", f"days-{index}-ends": "12:00"}
            )
    saved = client.post(f"/staff/appointments/schedules/{doctor.id}", data=data)
    assert saved.status_code == 303
    from app.services import schedules

    schedule = schedules.schedule_of(doctor.id)
    assert schedule.slot_minutes == 20 and schedule.room == "210" and len(schedule.weekdays) == 5

    bad = dict(data, **{"days-0-starts": "13:00"})
    refused = client.post(f"/staff/appointments/schedules/{doctor.id}", data=bad)
    assert refused.status_code == 200 and 'value="13:00"' in refused.get_data(as_text=True)

    sick = client.post(
        f"/staff/appointments/schedules/{doctor.id}/exceptions",
        data={"day": TUESDAY.isoformat(), "kind": "sick_day"},
        follow_redirects=True,
    )
    assert booking.number in page_text(sick)  # the desk must call this patient
    assert db.session.query(ScheduleException).count() == 1


@pytest.mark.parametrize(
    "role, url, allowed",
    [
        ("doctor", "/staff/appointments/", False),
        ("doctor", "/staff/appointments/journal", False),
        ("registrar", "/staff/appointments/schedules", False),
        ("registrar", "/staff/appointments/visits", False),
        ("head", "/staff/appointments/schedules", True),
        ("admin", "/staff/appointments/schedules", True),
        ("registrar", "/staff/appointments/journal", True),
        ("doctor", "/staff/appointments/visits", True),
    ],
)
def test_access_per_role(client, login, clinic, role, url, allowed):
    login(role)
    assert client.get(url).status_code == (200 if allowed else 403)


def test_anonymous_staff_pages_go_to_sign_in(client, clinic):
    response = client.get("/staff/appointments/journal")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
