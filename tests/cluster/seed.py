"""Seeds the cluster test's database through the app, on the real clock (the servers run on it too):

    DATABASE_URL=... SECRET_KEY=... python -m tests.cluster.seed OUT.json PATIENTS

the demo clinic, one bench cardiologist with long days (the slots the booking tests take), PATIENTS patients
attached to the clinic, each already signed in: their session cookie and CSRF form token are made by the
app's own session interface, so they work on every app process that shares the database and SECRET_KEY.
Writes {"sessions": [[cookie, csrf, iin], ...], "slots": [[doctor_id, slot_key], ...]} to OUT.json.
"""

import json
import sys
from datetime import date, time, timedelta

from flask import g, session
from flask_wtf.csrf import generate_csrf

from app import create_app
from app.core.actors import Actor
from app.core.clock import now
from app.core.iin import make_iin
from app.demo import seed
from app.extensions import db
from app.models import Patient, RegistryAttachment, RegistryPerson
from app.patient_auth import sign_in_patient
from app.services import appointments, schedules
from app.services.clinic import get_clinic
from app.services.staff_accounts import create_staff


def main(out: str, patients: int) -> None:
    app = create_app({"SERVER_NAME": None})
    with app.app_context():
        seed()
        db.session.commit()
        doctor = create_staff(
            username="cluster-doctor",
            full_name="Кластеров Дәрігер",
            password="cluster-password-2026",
            roles={"doctor"},
            speciality="cardiologist",
            room="301",
        )
        long_day = schedules.DayPlan(time(8, 0), time(20, 0))
        schedules.save_plan(
            doctor,
            slot_minutes=15,
            room="301",
            weekdays={weekday: long_day for weekday in range(1, 7)},
            actor=Actor.system(),
        )
        db.session.commit()
        clinic = get_clinic()
        iins = []
        for index in range(patients):
            birth = date(1950, 1, 1) + timedelta(days=(index * 37) % 20000)
            sex = "F" if index % 2 else "M"
            iin = make_iin(birth, sex, serial=5000 + index)
            iins.append(iin)
            person = RegistryPerson(
                iin=iin,
                last_name="Кластеров",
                first_name=f"Пациент{index}",
                middle_name="",
                birth_date=birth,
                sex=sex,
                phone=f"+7703{index:07d}",
                updated_at=now(),
            )
            db.session.add(person)
            db.session.add(
                RegistryAttachment(person=person, clinic_code=clinic.code, clinic_name="", district_number=1)
            )
            db.session.add(
                Patient(
                    iin=iin,
                    last_name=person.last_name,
                    first_name=person.first_name,
                    birth_date=birth,
                    sex=sex,
                    phone=person.phone,
                    language="kk",
                    created_at=now(),
                )
            )
        db.session.commit()
        slots = [
            (doctor.id, slot.key)
            for choice in appointments.days_for(doctor)
            if choice.is_open
            for slot in appointments.free_slots(doctor, choice.day)
        ]
        sessions = [_signed_in(app, iin) for iin in iins]
    with open(out, "w") as handle:
        json.dump({"sessions": sessions, "slots": slots}, handle)


def _signed_in(app, iin: str) -> tuple[str, str, str]:
    """(session cookie, CSRF token) of a patient who confirmed their code, stored as the app stores it."""
    with app.test_request_context("/"):
        g.pop("csrf_token", None)
        sign_in_patient(iin)
        token = generate_csrf()
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    return cookie, token, iin


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
