"""Moving a booking to another time: the patient online and the registrar at the desk choose through the same
service (appointments.move_choice); each side keeps its own page, links, confirm form and (desk) audit."""

from datetime import timedelta

import pytest

from app.core.actors import Actor
from app.extensions import db
from app.models import AuditEntry
from app.services import appointments
from tests.appointments.factories import MONDAY, at, make_clinic, make_doctor, make_patient
from tests.appointments.test_web import sign_in
from tests.conftest import page_text

TUESDAY = MONDAY + timedelta(days=1)
HX = {"HX-Request": "true"}
SLOT_TAKEN_KK = "Бұл уақытты дәл қазір басқа біреу алып қойды."


@pytest.fixture
def clinic(app, frozen):
    frozen(2026, 11, 23, 7, 30)
    return make_clinic()


@pytest.fixture
def doctors(clinic, make_staff):
    district_doctor = make_doctor(make_staff, "therapist1", full_name="Жұмабаева Асель Қайратқызы")
    other = make_doctor(make_staff, "therapist2", district_number=None, full_name="Омаров Ерлан Бекұлы")
    paediatrician = make_doctor(
        make_staff, "paed1", speciality="paediatrician", district_number=None, full_name="Сейітова Гүлнар"
    )
    return district_doctor, other, paediatrician


@pytest.fixture
def booking(doctors):
    booking = appointments.book_appointment(
        make_patient(1), doctors[0], at(TUESDAY, 9, 0), actor=Actor.patient(), channel="web"
    )
    db.session.commit()
    return booking


def take(doctor, hour, minute):
    appointments.book_appointment(
        make_patient(2), doctor, at(TUESDAY, hour, minute), actor=Actor.patient(), channel="web"
    )
    db.session.commit()


def test_patient_moves_within_the_speciality_with_the_district_doctor_first(client, doctors, booking):
    district_doctor, other, paediatrician = doctors
    sign_in(client, booking.patient)
    page = client.get(f"/appointments/{booking.number}/move")
    text = page_text(page)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert text.index("Жұмабаева Асель Қайратқызы · сіздің учаскелік дәрігеріңіз") < text.index(
        other.full_name
    )
    assert paediatrician.full_name not in text

    chosen = client.get(
        f"/appointments/{booking.number}/move?doctor={other.id}&day={TUESDAY.isoformat()}"
        f"&slot={TUESDAY.isoformat()}T11:00",
        headers=HX,
    )
    html = chosen.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="chooser"')
    assert f'action="/appointments/{booking.number}/move"' in html
    assert f'href="/appointments/{booking.number}/move?speciality=therapist' in html

    moved = client.post(
        f"/appointments/{booking.number}/move",
        data={"doctor": other.id, "slot": f"{TUESDAY.isoformat()}T11:00"},
    )
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/appointments/{booking.number}")
    assert booking.doctor_id == other.id and booking.starts_at == at(TUESDAY, 11, 0)


def test_patient_move_to_a_taken_time_keeps_doctor_and_day(client, doctors, booking):
    other = doctors[1]
    take(other, 11, 0)
    sign_in(client, booking.patient)
    refused = client.post(
        f"/appointments/{booking.number}/move",
        data={"doctor": other.id, "slot": f"{TUESDAY.isoformat()}T11:00"},
        headers=HX,
    )
    assert refused.status_code == 200 and SLOT_TAKEN_KK in page_text(refused)
    html = refused.get_data(as_text=True)
    assert "11:15" in page_text(refused) and 'aria-current="true"' in html
    assert booking.doctor_id == doctors[0].id and booking.starts_at == at(TUESDAY, 9, 0)


def test_desk_moves_within_the_speciality_and_audits_the_view(client, login, doctors, booking):
    district_doctor, other, paediatrician = doctors
    login("registrar")
    page = client.get(f"/staff/appointments/bookings/{booking.number}/move")
    text = page_text(page)
    assert page.status_code == 200
    assert text.index(district_doctor.full_name) < text.index(other.full_name)
    assert paediatrician.full_name not in text
    assert (
        db.session.query(AuditEntry)
        .filter_by(object_type="appointment", object_id=booking.number, detail="move")
        .count()
        == 1
    )
    chosen = client.get(
        f"/staff/appointments/bookings/{booking.number}/move?doctor={other.id}&day={TUESDAY.isoformat()}"
        f"&slot={TUESDAY.isoformat()}T11:00",
        headers=HX,
    )
    assert f'action="/staff/appointments/bookings/{booking.number}/move"' in chosen.get_data(as_text=True)

    take(other, 11, 0)
    refused = client.post(
        f"/staff/appointments/bookings/{booking.number}/move",
        data={"doctor": other.id, "slot": f"{TUESDAY.isoformat()}T11:00", "channel": "phone"},
        headers=HX,
    )
    assert refused.status_code == 200 and SLOT_TAKEN_KK in page_text(refused)
    assert "11:15" in page_text(refused) and 'aria-current="true"' in refused.get_data(as_text=True)
    assert booking.starts_at == at(TUESDAY, 9, 0)

    moved = client.post(
        f"/staff/appointments/bookings/{booking.number}/move",
        data={"doctor": other.id, "slot": f"{TUESDAY.isoformat()}T11:15", "channel": "phone"},
    )
    assert moved.status_code == 303
    assert booking.doctor_id == other.id and booking.starts_at == at(TUESDAY, 11, 15)
    assert booking.request.events[-2].step == "rescheduled" and booking.request.events[-2].channel == "phone"
