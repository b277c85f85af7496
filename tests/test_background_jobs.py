"""Background jobs in small transactions (issue 22, item 4): the reminders go out while patients book, on a
file SQLite database with the app's own engine settings (WAL, busy timeout), and no booking fails or waits
for the whole job; a batch that fails is sent by the next run."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, text

from app import create_app
from app.core.actors import Actor
from app.extensions import db
from app.models import Appointment, Base, Patient, SmsMessage
from app.services import appointments
from app.services.requests import create_request
from tests.appointments.factories import MONDAY, at, make_clinic, make_patient
from tests.conftest import FAST_PASSWORD_HASH

TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
DUE = 1000
BOOKING_THREADS = 4
REMINDER = "appointment:reminder"


@pytest.fixture
def file_app(tmp_path, frozen):
    """An app of its own on a SQLite file (the suite's database may be PostgreSQL): the lock under test is
    SQLite's, with the engine settings create_app gives every installation."""
    frozen(2026, 11, 23, 10, 0)  # Monday at 10:00, when the reminder timer fires
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'clinic.db'}",
            "SERVER_NAME": "localhost",
            "PASSWORD_HASH_PARAMETERS": FAST_PASSWORD_HASH,
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        yield app
        db.session.remove()
        db.engine.dispose()


def _doctor(make_staff_in, username, minutes=10):
    from app.services import schedules
    from tests.appointments.factories import WEEKDAY_PLAN

    doctor = make_staff_in(username)
    schedules.save_plan(
        doctor,
        slot_minutes=minutes,
        room="105",
        weekdays={d: WEEKDAY_PLAN for d in range(1, 6)},
        actor=Actor.system(),
    )
    db.session.commit()
    return doctor


def _make_doctor(username):
    from app.services.staff_accounts import create_staff

    return create_staff(
        username=username,
        full_name=f"Жұмабаева Асель {username}",
        password="correct-horse-battery",
        roles={"doctor"},
        speciality="therapist",
        room="105",
    )


def _due_bookings(count: int) -> None:
    """`count` confirmed bookings for tomorrow, not reminded yet (written directly: the job is under test)."""
    doctors = [_make_doctor(f"night{n}") for n in range(count // 25 + 1)]
    db.session.flush()
    for n in range(count):
        patient = Patient(
            iin=f"{850401000000 + n:012d}",
            last_name="Серікова",
            first_name="Динара",
            middle_name="",
            birth_date=date(1985, 4, 1),
            sex="F",
            phone=f"+7702{n:07d}",
            language="kk",
            created_at=MONDAY_MORNING,
        )
        request = create_request(
            "appointment", channel="web", actor=Actor.patient(), subject=patient, status="booked", flush=False
        )
        starts = at(TUESDAY, 8, 0) + timedelta(minutes=20 * (n % 25))
        db.session.add(
            Appointment(
                request=request,
                patient=patient,
                doctor=doctors[n // 25],
                speciality="therapist",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=20),
                channel="web",
                booked_at=MONDAY_MORNING,
            )
        )
    db.session.commit()


MONDAY_MORNING = at(MONDAY, 8, 0)


def test_reminders_run_in_small_transactions_while_patients_book(file_app):
    make_clinic()
    _due_bookings(DUE)
    doctors = [_doctor(_make_doctor, f"day{n}") for n in range(BOOKING_THREADS)]
    doctor_ids = [doctor.id for doctor in doctors]
    # 15 slots a doctor on Wednesday (09:00-10:30 and 11:00-12:00, every 10 minutes), a patient for each.
    patient_ids = [[make_patient(5000 + 100 * t + n).id for n in range(15)] for t in range(BOOKING_THREADS)]

    job_done = threading.Event()
    errors, booked = [], []

    def book_until_the_job_is_done(thread: int) -> None:
        with file_app.app_context():
            doctor = db.session.get(type(doctors[0]), doctor_ids[thread])
            slots = [at(WEDNESDAY, 9, 0) + timedelta(minutes=10 * n) for n in range(9)]
            slots += [at(WEDNESDAY, 11, 0) + timedelta(minutes=10 * n) for n in range(6)]
            for n, (patient_id, starts_at) in enumerate(zip(patient_ids[thread], slots, strict=True)):
                if job_done.is_set() and n >= 3:
                    break
                try:
                    appointment = appointments.book_appointment(
                        db.session.get(Patient, patient_id),
                        doctor,
                        starts_at,
                        actor=Actor.patient(),
                        channel="web",
                    )
                    db.session.commit()  # what the view's request does
                    booked.append(appointment.number)
                except Exception as error:  # noqa: BLE001 - any error is the failure under test
                    db.session.rollback()
                    errors.append(repr(error))
            db.session.remove()

    job_transactions = []

    @event.listens_for(db.session, "after_commit")
    def count_the_jobs_transactions(session):
        if threading.get_ident() == job_thread:
            job_transactions.append(1)

    job_thread = threading.get_ident()
    threads = [threading.Thread(target=book_until_the_job_is_done, args=(t,)) for t in range(BOOKING_THREADS)]
    for thread in threads:
        thread.start()
    try:
        sent = appointments.send_reminders()
    finally:
        job_done.set()
        for thread in threads:
            thread.join(60)
        event.remove(db.session, "after_commit", count_the_jobs_transactions)
    db.session.commit()

    assert errors == []
    assert sent == DUE
    assert db.session.scalar(select(func.count()).where(Appointment.reminder_sent_at.is_not(None))) == DUE
    reminders = db.session.scalar(
        select(func.count(SmsMessage.id)).where(SmsMessage.purpose == "appointment:reminder")
    )
    assert reminders == DUE
    saved = set(
        db.session.scalars(select(Appointment.request_id).where(Appointment.starts_at >= at(WEDNESDAY, 0)))
    )
    assert len(booked) >= BOOKING_THREADS * 3 and len(saved) == len(booked)
    # The job held the lock a batch at a time: no booking waited anywhere near the busy timeout (5 s), which
    # a single transaction over a thousand reminders (seconds) would have made it do.
    # The job committed a small batch at a time (JOB_BATCH_SIZE, 10 bookings): never the thousand at once.
    assert len(job_transactions) >= DUE // 10


def test_a_failed_batch_is_sent_by_the_next_run(file_app, monkeypatch):
    make_clinic()
    _due_bookings(5)
    file_app.config["JOB_BATCH_SIZE"] = 2
    real_notify = appointments.operations.notify
    failing = {"+77020000002"}  # the third booking's patient: the second batch fails

    def notify_or_fail(appointment, kind, **details):
        if appointment.patient.phone in failing:
            raise RuntimeError("the SMS text could not be made")
        real_notify(appointment, kind, **details)

    monkeypatch.setattr(appointments.operations, "notify", notify_or_fail)
    assert appointments.send_reminders() == 3
    db.session.commit()
    unreminded = db.session.scalars(select(Appointment).where(Appointment.reminder_sent_at.is_(None))).all()
    assert len(unreminded) == 2  # the failed batch changed nothing

    failing.clear()
    assert appointments.send_reminders() == 2
    assert appointments.send_reminders() == 0
    reminders = db.session.scalar(
        select(func.count(SmsMessage.id)).where(SmsMessage.purpose == "appointment:reminder")
    )
    assert reminders == 5
