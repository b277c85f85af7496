"""Appointment booking through the service functions: schedules, rules, races, registry outages."""

import threading
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.core.actors import Actor
from app.extensions import db
from app.models import Appointment, ServiceRequest
from app.registries import RegistryUnavailable, get_registry
from app.services import appointments, registry_pending, schedules
from app.services.requests import create_request
from tests.appointments.factories import MONDAY, at, make_clinic, make_doctor, make_patient


@pytest.fixture
def clinic(app):
    return make_clinic()


@pytest.fixture
def monday_morning(frozen):
    frozen(2026, 11, 23, 7, 30)


def book(patient, doctor, starts_at, channel="web", language="kk", **kwargs):
    return appointments.book_appointment(
        patient, doctor, starts_at, actor=Actor.patient(), channel=channel, language=language, **kwargs
    )


# ---- slots from the plan ------------------------------------------------------------------------------
def test_slots_follow_the_weekly_plan_and_skip_the_break(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    day = schedules.doctor_day(schedules.schedule_of(doctor.id), MONDAY)
    starts = [slot.local_start.strftime("%H:%M") for slot in day.slots]
    morning = ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]
    assert starts == [*morning, "11:00", "11:15", "11:30", "11:45"]
    assert all(slot.room == "105" for slot in day.slots)
    saturday = schedules.doctor_day(schedules.schedule_of(doctor.id), MONDAY + timedelta(days=5))
    assert saturday.state == "not_in_plan" and not saturday.slots


def test_public_holidays_and_clinic_days_off_have_no_slots(clinic, make_staff, frozen):
    frozen(2026, 12, 14, 8, 0)
    doctor = make_doctor(make_staff)
    schedule = schedules.schedule_of(doctor.id)
    independence_day = schedules.doctor_day(schedule, date(2026, 12, 16))
    assert independence_day.state == "public_holiday" and not independence_day.slots
    sunday = schedules.doctor_day(schedule, date(2026, 12, 20))
    assert sunday.state == "clinic_closed"


def test_exceptions_remove_and_add_hours(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    tuesday, wednesday, saturday = (MONDAY + timedelta(days=n) for n in (1, 2, 5))
    system = Actor.system()
    schedules.add_exception(doctor, day=tuesday, kind="sick_day", actor=system)
    schedules.add_exception(
        doctor, day=wednesday, kind="training", starts=time(9), ends=time(10), actor=system
    )
    schedules.add_exception(
        doctor, day=saturday, kind="extra_hours", starts=time(9), ends=time(10), actor=system
    )
    schedule = schedules.schedule_of(doctor.id)
    sick = schedules.doctor_day(schedule, tuesday)
    assert sick.state == "absent" and sick.absence.kind == "sick_day" and not sick.slots
    training = schedules.doctor_day(schedule, wednesday)
    assert [s.local_start.strftime("%H:%M") for s in training.slots][:2] == ["10:00", "10:15"]
    extra = schedules.doctor_day(schedule, saturday)
    assert [s.local_start.strftime("%H:%M") for s in extra.slots] == ["09:00", "09:15", "09:30", "09:45"]


def test_plan_and_exception_validation(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    with pytest.raises(schedules.ScheduleError):
        schedules.save_plan(
            doctor,
            slot_minutes=15,
            room="1",
            weekdays={1: schedules.DayPlan(time(12, 0), time(9, 0))},
            actor=Actor.system(),
        )
    with pytest.raises(schedules.ScheduleError):
        schedules.save_plan(
            doctor,
            slot_minutes=15,
            room="1",
            weekdays={1: schedules.DayPlan(time(9, 0), time(12, 0), time(8, 0), time(9, 30))},
            actor=Actor.system(),
        )
    with pytest.raises(schedules.ScheduleError):
        schedules.save_plan(doctor, slot_minutes=7, room="1", weekdays={}, actor=Actor.system())
    with pytest.raises(schedules.ScheduleError):
        schedules.add_exception(doctor, day=MONDAY, kind="extra_hours", actor=Actor.system())
    with pytest.raises(schedules.ScheduleError):
        schedules.add_exception(doctor, day=MONDAY - timedelta(days=1), kind="leave", actor=Actor.system())


# ---- booking ----------------------------------------------------------------------------------------
def test_booking_is_a_completed_request_with_events_and_deadline(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    patient = make_patient(1)
    appointment = book(patient, doctor, at(MONDAY, 9, 15))
    db.session.commit()
    request = appointment.request
    assert request.number.startswith("AP-2026-")
    assert request.status == "completed" and appointment.status == "booked"
    assert request.deadline_at - request.created_at == timedelta(minutes=30)
    steps = [event.step for event in request.events]
    assert steps[0] == "submitted" and "registry_checked" in steps and "booked" in steps
    assert appointment.room == "105"
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=15)


def test_desk_deadline_is_ten_minutes_and_needs_the_identity_document(clinic, make_staff, frozen):
    frozen(2026, 11, 23, 8, 30)  # working minutes: the clinic is open
    registrar = make_staff(username="registrar", roles=("registrar",))
    doctor = make_doctor(make_staff)
    patient = make_patient(1)
    with pytest.raises(appointments.NoIdentityDocument) as refused:
        appointments.book_appointment(
            patient, doctor, at(MONDAY, 9, 0), actor=Actor.of_staff(registrar), channel="desk"
        )
    # An unticked box is a slip of the desk's form, not the regulation's refusal: nothing is written.
    assert refused.value.request is None
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
    appointment = appointments.book_appointment(
        patient,
        doctor,
        at(MONDAY, 9, 0),
        actor=Actor.of_staff(registrar),
        channel="desk",
        identity_document_checked=True,
    )
    request = appointment.request
    assert request.deadline_at - request.created_at == timedelta(minutes=10)
    assert "identity_document_checked" in [e.step for e in request.events]


def test_refusals_and_bad_slots(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    patient = make_patient(1)
    with pytest.raises(appointments.SlotInPast):
        book(patient, doctor, at(MONDAY, 7, 0))
    with pytest.raises(appointments.SlotNotOffered):
        book(patient, doctor, at(MONDAY, 9, 7))  # not a slot of the plan
    with pytest.raises(appointments.SlotNotOffered):
        book(patient, doctor, at(MONDAY, 10, 30))  # the break
    with pytest.raises(appointments.SlotNotOffered):
        book(patient, doctor, at(MONDAY + timedelta(days=21), 9, 0))  # beyond the horizon
    schedules.add_exception(doctor, day=MONDAY + timedelta(days=1), kind="leave", actor=Actor.system())
    with pytest.raises(appointments.DoctorAbsent) as absent:
        book(patient, doctor, at(MONDAY + timedelta(days=1), 9, 0))
    assert "leave" in str(absent.value.message).lower() or absent.value.message
    assert db.session.query(ServiceRequest).count() == 0


def test_not_attached_patient_is_refused_on_the_regulation_ground(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    elsewhere = make_patient(2, attached_to="EMH-0012")
    with pytest.raises(appointments.NotAttached) as refused:
        book(elsewhere, doctor, at(MONDAY, 9, 0))
    assert refused.value.request.refusal_ground == "not_attached"
    assert db.session.query(Appointment).count() == 0


def test_limit_per_speciality_and_no_overlap(clinic, make_staff, monday_morning, app):
    therapist = make_doctor(make_staff)
    other_therapist = make_doctor(make_staff, "therapist2", district_number=None, room="106")
    surgeon = make_doctor(make_staff, "surgeon", speciality="surgeon", district_number=None, room="201")
    patient = make_patient(1)
    book(patient, therapist, at(MONDAY, 9, 0))
    with pytest.raises(appointments.BookingLimitReached):
        book(patient, other_therapist, at(MONDAY, 11, 0))
    with pytest.raises(appointments.OverlappingBooking):
        book(patient, surgeon, at(MONDAY, 9, 0))
    book(patient, surgeon, at(MONDAY, 9, 15))
    app.config["APPOINTMENT_MAX_PER_SPECIALITY"] = 2
    book(patient, other_therapist, at(MONDAY, 11, 0))


def test_cancel_frees_the_slot_at_once_and_cutoff_applies_to_patients(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    first, second = make_patient(1), make_patient(2)
    appointment = book(first, doctor, at(MONDAY, 9, 0))
    db.session.commit()
    with pytest.raises(appointments.SlotTaken):
        book(second, doctor, at(MONDAY, 9, 0))
    with pytest.raises(appointments.ChangeNotAllowed):  # 1.5 hours before: past the 2-hour cut-off
        appointments.cancel_appointment(appointment, actor=Actor.patient(), channel="web", by_patient=True)
    appointments.cancel_appointment(appointment, actor=Actor.system(), channel="phone", by_patient=False)
    db.session.commit()
    assert appointment.status == "cancelled"
    assert "booking_cancelled" in [e.step for e in appointment.request.events]
    again = book(second, doctor, at(MONDAY, 9, 0))
    db.session.commit()
    assert again.status == "booked"


def test_move_keeps_the_number_and_frees_the_old_slot(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    first, second = make_patient(1), make_patient(2)
    appointment = book(first, doctor, at(MONDAY, 11, 0))
    number = appointment.number
    appointments.move_appointment(
        appointment, doctor, at(MONDAY, 11, 30), actor=Actor.patient(), channel="web", by_patient=True
    )
    db.session.commit()
    assert appointment.number == number and appointment.starts_at == at(MONDAY, 11, 30)
    assert "rescheduled" in [e.step for e in appointment.request.events]
    book(second, doctor, at(MONDAY, 11, 0))  # the old slot is free
    with pytest.raises(appointments.SlotTaken):
        appointments.move_appointment(
            appointment, doctor, at(MONDAY, 11, 0), actor=Actor.patient(), channel="web", by_patient=True
        )
    assert appointment.starts_at == at(MONDAY, 11, 30)


def test_registry_down_holds_the_slot_and_the_retry_confirms(clinic, make_staff, monday_morning, monkeypatch):
    doctor = make_doctor(make_staff)
    patient = make_patient(1)
    registry = get_registry()

    def unavailable(iin):
        raise RegistryUnavailable("timeout")

    monkeypatch.setattr(registry, "attachment_of", unavailable)
    appointment = book(patient, doctor, at(MONDAY, 9, 0))
    db.session.commit()
    assert appointment.status == "pending"
    assert appointment.request.status == "awaiting_registry"
    other = make_patient(2)
    with pytest.raises(appointments.SlotTaken):  # the pending booking holds its slot
        book(other, doctor, at(MONDAY, 9, 0))

    outcome = registry_pending.retry(appointment.request, Actor.system())
    assert outcome.result == "unavailable"
    monkeypatch.undo()
    outcome = registry_pending.retry(appointment.request, Actor.system())
    assert outcome.result == "resolved"
    assert appointment.status == "booked" and appointment.request.status == "completed"


def test_retry_refuses_and_frees_the_slot_when_not_attached(clinic, make_staff, monday_morning, monkeypatch):
    doctor = make_doctor(make_staff)
    patient = make_patient(1, attached_to="EMH-0012")
    registry = get_registry()
    real = registry.attachment_of

    def unavailable(iin):
        raise RegistryUnavailable("timeout")

    monkeypatch.setattr(registry, "attachment_of", unavailable)
    appointment = book(patient, doctor, at(MONDAY, 9, 0))
    monkeypatch.setattr(registry, "attachment_of", real)
    assert registry_pending.retry(appointment.request, Actor.system()).result == "resolved"
    assert appointment.status == "cancelled"
    assert appointment.request.status == "refused" and appointment.request.refusal_ground == "not_attached"


def test_attendance_and_no_show_count(clinic, make_staff, frozen):
    frozen(2026, 11, 23, 7, 30)
    doctor = make_doctor(make_staff)
    patient = make_patient(1)
    appointment = book(patient, doctor, at(MONDAY, 9, 0))
    with pytest.raises(appointments.ChangeNotAllowed):
        appointments.mark_attendance(appointment, attended=False, actor=Actor.of_staff(doctor))
    frozen(2026, 11, 23, 9, 20)
    appointments.mark_attendance(appointment, attended=False, actor=Actor.of_staff(doctor))
    assert appointment.status == "no_show"
    assert appointments.no_show_count(patient.id) == 1
    appointments.mark_attendance(appointment, attended=True, actor=Actor.of_staff(doctor))
    assert appointments.no_show_count(patient.id) == 0
    assert [e.step for e in appointment.request.events][-2:] == ["no_show", "attended"]


def test_days_list_counts_free_slots_and_reasons(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    schedules.add_exception(doctor, day=MONDAY + timedelta(days=1), kind="sick_day", actor=Actor.system())
    book(make_patient(1), doctor, at(MONDAY, 9, 0))
    days = {choice.day: choice for choice in appointments.days_for(doctor)}
    assert len(days) == 14
    assert days[MONDAY].free_count == 9
    assert days[MONDAY + timedelta(days=1)].state == "absent"
    assert days[MONDAY + timedelta(days=6)].state == "clinic_closed"  # Sunday


def test_reminders_are_sent_once(clinic, make_staff, monday_morning):
    doctor = make_doctor(make_staff)
    tuesday = MONDAY + timedelta(days=1)
    first = book(make_patient(1), doctor, at(tuesday, 9, 0))
    book(make_patient(2), doctor, at(MONDAY + timedelta(days=2), 9, 0))  # the day after tomorrow
    db.session.commit()
    assert appointments.send_reminders() == 1
    db.session.commit()
    assert first.reminder_sent_at is not None
    assert appointments.send_reminders() == 0
    assert [e.step for e in first.request.events].count("sms_reminder") == 1


# ---- no double booking: the database decides --------------------------------------------------------
THREADS = 12


def _race(app, patient_ids, doctor_id, starts_at):
    barrier = threading.Barrier(len(patient_ids))
    results, lock = [], threading.Lock()

    def attempt(patient_id):
        with app.app_context():
            from app.models import Patient, StaffMember

            patient = db.session.get(Patient, patient_id)
            doctor = db.session.get(StaffMember, doctor_id)
            barrier.wait()
            try:
                appointments.book_appointment(
                    patient, doctor, starts_at, actor=Actor.patient(), channel="web", language="ru"
                )
                db.session.commit()
                outcome = "booked"
            except appointments.SlotTaken as taken:
                db.session.rollback()
                outcome = ("taken", str(taken.message))
            except Exception as error:  # noqa: BLE001  (any other outcome fails the test below)
                db.session.rollback()
                outcome = ("error", repr(error))
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(pid,)) for pid in patient_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("skip_read_check", [False, True], ids=["as-served", "database-alone"])
def test_concurrent_bookings_of_one_slot_get_exactly_one_success(
    app, clinic, make_staff, monday_morning, monkeypatch, skip_read_check
):
    """Many patients press "book" on one slot at once: one wins, the rest hear "just taken".

    The "database-alone" variant switches off the friendly read check before the insert, so only the
    unique index stands between the racers.
    """
    if skip_read_check:
        monkeypatch.setattr(appointments.operations, "slot_is_held", lambda doctor_id, starts_at: False)
    doctor = make_doctor(make_staff)
    patient_ids = [make_patient(100 + n).id for n in range(THREADS)]
    starts_at = at(MONDAY, 9, 30)
    results = _race(app, patient_ids, doctor.id, starts_at)
    assert len(results) == THREADS
    errors = [r for r in results if r != "booked" and r[0] == "error"]
    assert not errors, errors
    assert results.count("booked") == 1
    taken = [r for r in results if r != "booked"]
    assert len(taken) == THREADS - 1
    assert {message for _, message in taken} == {str(appointments.SLOT_TAKEN_MESSAGE)}
    held = db.session.query(Appointment).filter_by(doctor_id=doctor.id, status="booked").all()
    assert len(held) == 1 and held[0].starts_at == starts_at
    # The losers left no request behind.
    assert db.session.query(ServiceRequest).count() == 1


def test_database_refuses_a_second_held_booking_of_a_slot_directly(app, clinic, make_staff, monday_morning):
    from sqlalchemy.exc import IntegrityError

    doctor = make_doctor(make_staff)
    first = book(make_patient(1), doctor, at(MONDAY, 9, 0))
    db.session.commit()
    second = make_patient(2)
    request = create_request("appointment", channel="desk", actor=Actor.system(), subject=second)
    duplicate = Appointment(
        request_id=request.id,
        patient_id=second.id,
        doctor_id=doctor.id,
        speciality="therapist",
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        status="booked",
        channel="desk",
        booked_at=first.booked_at,
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_send_reminders_command_is_idempotent(runner, clinic, make_staff, monday_morning):
    from app.models.notify import SmsMessage

    doctor = make_doctor(make_staff)
    patient = make_patient(1, language="ru")
    book(patient, doctor, at(MONDAY + timedelta(days=1), 9, 0), language="ru")
    db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "reminders sent: 1" in first.output
    second = runner.invoke(args=["send-reminders"])
    assert "reminders sent: 0" in second.output
    reminders = db.session.query(SmsMessage).filter_by(purpose="appointment:reminder").all()
    assert len(reminders) == 1 and reminders[0].text.count("напоминаем") == 1
