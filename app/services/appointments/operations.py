"""Changing appointments: booking, confirming after the registry, moving, cancelling, marking the visit, the
day-before reminder, and the head's changes to a doctor's plan.

Each booking is a service request ("appointment", AP-2026-000123) with its events and deadline (10 minutes
at the desk, 30 online), refused only on the regulation's grounds: no identity document, or not attached to
this clinic. Every operation records its request events; what a staff member does is also written to the
audit log here (a patient's own actions online are not: the request's events say who did what).

- no double booking: the database refuses a second booking of a held slot (see app.models.appointments);
  losing that race is a normal answer (SlotTaken), not an error;
- when the register of attached population cannot answer, the booking holds its slot as "pending" and the
  request waits in awaiting_registry; the retry handler confirms or refuses it once the registry answers.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core import batches
from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import Appointment, Patient, ScheduleException, ServiceRequest, StaffMember
from app.registries import RegistryUnavailable, get_registry
from app.services import audit, patients, registry_pending, schedules, sms
from app.services.appointments.documents import revoke_talon
from app.services.appointments.queries import (
    appointment_for_request,
    check_patient_rules,
    checked_slot,
    slot_is_held,
)
from app.services.appointments.rules import (
    ONLINE_CHANNELS,
    SERVICE,
    ChangeNotAllowed,
    NoIdentityDocument,
    NotAttached,
    ReasonTooLong,
    SlotNotOffered,
    SlotTaken,
    can_change_online,
    normalise_reason,
    reason_too_long,
)
from app.services.appointments.texts import (
    NO_IDENTITY_DOCUMENT_MESSAGE,
    NO_LONGER_ACTIVE_MESSAGE,
    NO_SHOW_TOO_EARLY_MESSAGE,
    NOT_ATTACHED_MESSAGE,
    ONLY_CONFIRMED_MARKED_MESSAGE,
    OTHER_SPECIALITY_MESSAGE,
    SLOT_TAKEN_MESSAGE,
    VISIT_PASSED_MESSAGE,
    call_the_desk_message,
    describe,
    message_text,
    reason_too_long_message,
)
from app.services.clinic import get_clinic
from app.services.requests import cancel as cancel_request
from app.services.requests import create_request, record_step, refuse, transition

log = logging.getLogger(__name__)


def _audit_staff(actor: Actor, action: str, object_type: str, **entry) -> None:
    """The audit entry of what a staff member did; a patient's or the system's steps are in the events."""
    if actor.staff is not None:
        audit.audit(actor, action, object_type, **entry)


# ---- the clinic card a booking needs -----------------------------------------------------------------
def card_problem(iin: str) -> str | None:
    """Booking needs a clinic card: made from the state database when missing; or why it cannot be (the
    person is unknown, or the state database is not answering: registry_pending.UNAVAILABLE_MESSAGE)."""
    try:
        patients.card_for(iin)
    except patients.PatientUnknown as unknown:
        return unknown.message
    except RegistryUnavailable:
        return str(registry_pending.UNAVAILABLE_MESSAGE)
    return None


# ---- booking ---------------------------------------------------------------------------------------
def book_appointment(
    patient: Patient,
    doctor: StaffMember,
    starts_at: datetime,
    *,
    actor: Actor,
    channel: str,
    language: str = "kk",
    identity_document_checked: bool | None = None,
    reason: str = "",
) -> Appointment:
    """Book `starts_at` with `doctor` for `patient`; raises a BookingError subclass when the rules refuse.

    At the desk the registrar confirms the identity document (`identity_document_checked`); a box left
    unticked is a slip of the form, not the regulation's refusal: NoIdentityDocument is raised before
    anything is written (no request, nothing for monitoring to count), and the desk keeps what was typed.
    Online, the one-time code to the phone on file stands for it. A staff member's booking, or the request
    a refusal leaves, is audited.

    `reason` is the condition or reason for the visit the journal lists (optional); it is tidied, and one
    too long is refused (ReasonTooLong) before anything is written: no request, no held slot.
    """
    reason = normalise_reason(reason)
    if reason_too_long(reason):
        raise ReasonTooLong(reason_too_long_message(len(reason)))
    if channel == "desk" and not identity_document_checked:
        raise NoIdentityDocument(NO_IDENTITY_DOCUMENT_MESSAGE)
    slot = checked_slot(doctor, starts_at, online=channel in ONLINE_CHANNELS)
    speciality = doctor.speciality or ""
    check_patient_rules(patient, speciality, slot)
    if slot_is_held(doctor.id, slot.starts_at):
        raise SlotTaken(SLOT_TAKEN_MESSAGE)
    attachment = patients.check_attachment(patient)
    when = describe(doctor, slot.starts_at, language)

    try:
        # Everything below is one savepoint: losing the race for the slot leaves no trace but the answer.
        with db.session.begin_nested():
            request = create_request(
                SERVICE, channel=channel, actor=actor, subject=patient, language=language, note=when
            )
            if attachment.state == "not_attached":
                refuse(request, "not_attached", actor=actor)
                refusal = NotAttached(NOT_ATTACHED_MESSAGE, request=request)
            else:
                refusal = None
            if refusal is None:
                if channel == "desk":
                    record_step(request, "identity_document_checked", actor=actor)
                appointment = Appointment(
                    request=request,
                    patient=patient,
                    doctor_id=doctor.id,
                    speciality=speciality,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    room=slot.room,
                    status="booked" if attachment.is_attached else "pending",
                    channel=channel,
                    language=language,
                    reason=reason,
                    booked_at=now(),
                )
                db.session.add(appointment)
                db.session.flush()  # the unique index speaks here
    except IntegrityError:
        log.info("slot %s of doctor %s was taken meanwhile", slot.key, doctor.id)
        raise SlotTaken(SLOT_TAKEN_MESSAGE) from None
    if refusal is not None:
        log.info("booking request %s refused: %s", request.number, refusal.code)
        _audit_staff(
            actor,
            "create",
            "service_request",
            object_id=request.number,
            patient_id=patient.id,
            detail=f"refused: {refusal.code}",
        )
        raise refusal

    if attachment.is_attached:
        record_step(request, "registry_checked", actor=Actor.system(), note="attached")
        transition(request, "completed", actor=actor, step="booked", note=when)
        notify(appointment, "booked")
    else:
        registry_pending.wait_for_registry(request, actor=actor, note=when)
        notify(appointment, "pending")
    _audit_staff(
        actor, "create", "appointment", object_id=request.number, patient_id=patient.id, detail=channel
    )
    log.info("booked %s: doctor %s at %s via %s", request.number, doctor.id, slot.key, channel)
    return appointment


def resume_after_registry(request: ServiceRequest, actor: Actor) -> None:
    """Retry handler: confirm or refuse a booking that waited for the register of attached population."""
    appointment = appointment_for_request(request)
    if appointment is None:
        return
    attachment = get_registry().attachment_of(appointment.patient.iin)  # RegistryUnavailable: keep waiting
    clinic = get_clinic()
    if appointment.starts_at <= now():
        _release(appointment, note="visit time passed while the registry was unavailable", actor=actor)
        transition(request, "cancelled", actor=actor, step="visit_time_passed")
        return
    if clinic is not None and clinic.code and attachment.clinic_code == clinic.code:
        appointment.status = "booked"
        record_step(request, "registry_checked", actor=actor, note="attached")
        transition(request, "completed", actor=actor, step="booked")
        notify(appointment, "booked")
    else:
        _release(appointment, note="not attached", actor=actor)
        refuse(request, "not_attached", actor=actor)
        notify(appointment, "refused")


# ---- moving and cancelling --------------------------------------------------------------------------
def _check_changeable(appointment: Appointment, *, by_patient: bool) -> None:
    if not appointment.is_upcoming:
        raise ChangeNotAllowed(NO_LONGER_ACTIVE_MESSAGE)
    if appointment.starts_at <= now():
        raise ChangeNotAllowed(VISIT_PASSED_MESSAGE)
    if by_patient and not can_change_online(appointment):
        raise ChangeNotAllowed(call_the_desk_message())


def cancel_appointment(
    appointment: Appointment, *, actor: Actor, channel: str, by_patient: bool, note: str = ""
) -> Appointment:
    """Cancel; the slot is free for anyone at once (the unique index ignores cancelled bookings).

    The request ends "cancelled" whether it was still waiting or already answered (booked); an answered
    one keeps its answer time, so the booking still counts as answered in time (requests.cancel)."""
    _check_changeable(appointment, by_patient=by_patient)
    request = appointment.request
    _release(appointment, note=note, actor=actor)
    cancel_request(request, actor=actor, channel=channel, step="booking_cancelled", note=note)
    notify(appointment, "cancelled")
    _audit_staff(
        actor,
        "update",
        "appointment",
        object_id=appointment.number,
        patient_id=appointment.patient_id,
        detail="cancelled",
    )
    log.info("booking %s cancelled via %s", request.number, channel)
    return appointment


def _release(appointment: Appointment, *, note: str, actor: Actor) -> None:
    appointment.status = "cancelled"
    appointment.cancelled_at = now()
    appointment.cancellation_note = note
    revoke_talon(appointment, "booking cancelled", actor=actor)
    db.session.flush()


def move_appointment(
    appointment: Appointment,
    doctor: StaffMember,
    starts_at: datetime,
    *,
    actor: Actor,
    channel: str,
    by_patient: bool,
) -> Appointment:
    """Move a booking to another slot of the same speciality; its number stays, the old slot is freed."""
    _check_changeable(appointment, by_patient=by_patient)
    if doctor.speciality != appointment.speciality:
        raise SlotNotOffered(OTHER_SPECIALITY_MESSAGE)
    slot = checked_slot(doctor, starts_at, online=channel in ONLINE_CHANNELS)
    moved = {"object_id": appointment.number, "patient_id": appointment.patient_id, "detail": "moved"}
    if slot.starts_at == appointment.starts_at and doctor.id == appointment.doctor_id:
        _audit_staff(actor, "update", "appointment", **moved)
        return appointment
    check_patient_rules(appointment.patient, appointment.speciality, slot, ignore=appointment)
    if slot_is_held(doctor.id, slot.starts_at):
        raise SlotTaken(SLOT_TAKEN_MESSAGE)
    before = describe(appointment.doctor, appointment.starts_at, appointment.language)
    try:
        with db.session.begin_nested():
            appointment.doctor_id = doctor.id
            appointment.doctor = doctor
            appointment.starts_at = slot.starts_at
            appointment.ends_at = slot.ends_at
            appointment.room = slot.room
            appointment.reminder_sent_at = None
            db.session.flush()
    except IntegrityError:
        raise SlotTaken(SLOT_TAKEN_MESSAGE) from None
    after = describe(doctor, slot.starts_at, appointment.language)
    revoke_talon(appointment, "booking moved to another time", actor=actor)
    record_step(appointment.request, "rescheduled", actor=actor, channel=channel, note=f"{before} -> {after}")
    notify(appointment, "moved")
    _audit_staff(actor, "update", "appointment", **moved)
    log.info("booking %s moved to doctor %s at %s via %s", appointment.number, doctor.id, slot.key, channel)
    return appointment


# ---- the visit ---------------------------------------------------------------------------------------
def mark_attendance(appointment: Appointment, *, attended: bool, actor: Actor) -> Appointment:
    """The doctor marks the patient as seen or as not come. A no-show can be corrected the same day."""
    if appointment.status not in ("booked", "attended", "no_show"):
        raise ChangeNotAllowed(ONLY_CONFIRMED_MARKED_MESSAGE)
    if not attended and appointment.starts_at > now():
        raise ChangeNotAllowed(NO_SHOW_TOO_EARLY_MESSAGE)
    status = "attended" if attended else "no_show"
    _audit_staff(
        actor,
        "update",
        "appointment",
        object_id=appointment.number,
        patient_id=appointment.patient_id,
        detail=status,
    )
    if appointment.status == status:
        return appointment
    appointment.status = status
    appointment.attendance_marked_at = now()
    appointment.attendance_marked_by_id = actor.staff_id
    record_step(appointment.request, status, actor=actor, channel="desk")
    db.session.flush()
    return appointment


# ---- messages to the patient ----------------------------------------------------------------------
def notify(appointment: Appointment, kind: str, *, text: str | None = None) -> None:
    """Send the SMS of `kind` to the patient's phone on file, in the booking's language, and note it as the
    request's step `sms_<kind>` (or `sms_<kind>_failed`, `sms_<kind>_no_phone`): app.services.sms.

    A failed SMS never undoes the booking: the outbox keeps the failed message for staff, and the request
    records that the patient was not told.
    """
    sms.send_about(
        appointment.request,
        kind,
        phone=appointment.patient.phone,
        language=appointment.language,
        render=(lambda: text) if text is not None else (lambda: message_text(appointment, kind)),
        due_until=appointment.starts_at,  # a message about the visit is no use after it
    )


def send_reminders(moment: datetime | None = None) -> int:
    """Remind every confirmed booking of tomorrow (local) that has not been reminded yet; returns how many.

    Idempotent: the reminder's time is stored on the booking, so a second run the same day sends nothing.
    In small transactions (app.core.batches), each committed here: a booking made while the reminders go
    out never waits long for the write lock. A batch that fails is rolled back and its bookings stay
    unreminded, so the next run (the timer fires twice a day) sends them; a reminder the SMS gateway
    refuses is retried by the SMS worker until the visit (app.services.sms).
    """
    moment = moment or now()
    tomorrow = moment.astimezone(ALMATY).date() + timedelta(days=1)
    start, end = schedules.local_day_bounds(tomorrow)
    due = (
        Appointment.status == "booked",
        Appointment.starts_at >= start,
        Appointment.starts_at < end,
        Appointment.reminder_sent_at.is_(None),
    )
    keys = list(db.session.scalars(select(Appointment.id).where(*due).order_by(Appointment.starts_at)))

    def remind(chunk) -> int:
        bookings = db.session.scalars(
            select(Appointment)
            .where(Appointment.id.in_(chunk), *due)
            .options(
                selectinload(Appointment.patient),
                selectinload(Appointment.request),
                selectinload(Appointment.doctor),
            )
            .order_by(Appointment.starts_at)
            .with_for_update(skip_locked=True)
        ).all()
        # The texts first, while nothing is written: the write lock is then held for the writes alone.
        texts = {appointment.id: message_text(appointment, "reminder") for appointment in bookings}
        for appointment in bookings:
            appointment.reminder_sent_at = now()
            notify(appointment, "reminder", text=texts[appointment.id])
        db.session.flush()
        return len(bookings)

    run = batches.run_in_batches(keys, remind, label=f"reminders for {tomorrow}")
    log.info("reminders sent for %s bookings on %s", run.done, tomorrow)
    return run.done


# ---- the doctors' plans (the head's and admin's schedule editor) --------------------------------------
def save_doctor_plan(
    doctor: StaffMember,
    *,
    slot_minutes: int,
    room: str,
    weekdays: dict[int, schedules.DayPlan],
    bookable_online: bool,
    actor: Actor,
) -> None:
    """Save the doctor's weekly plan (schedules.save_plan; raises schedules.ScheduleError), audited."""
    schedules.save_plan(
        doctor,
        slot_minutes=slot_minutes,
        room=room,
        weekdays=weekdays,
        bookable_online=bookable_online,
        actor=actor,
    )
    _audit_staff(actor, "update", "doctor_schedule", object_id=doctor.id, detail="weekly plan")


def add_schedule_exception(doctor: StaffMember, *, actor: Actor, **details) -> tuple[ScheduleException, list]:
    """A day off, a sick day or changed hours (schedules.add_exception: the exception and the bookings it
    strands), audited."""
    exception, stranded = schedules.add_exception(doctor, actor=actor, **details)
    _audit_staff(
        actor,
        "create",
        "schedule_exception",
        object_id=exception.id,
        detail=f"doctor {doctor.id}: {exception.kind}",
    )
    return exception, stranded


def remove_schedule_exception(doctor: StaffMember, exception: ScheduleException, *, actor: Actor) -> None:
    exception_id = exception.id
    schedules.remove_exception(exception, actor=actor)
    _audit_staff(actor, "delete", "schedule_exception", object_id=exception_id, detail=f"doctor {doctor.id}")
