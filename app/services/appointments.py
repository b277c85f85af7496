"""Appointment booking (regulations 000; 001 annex 2; 002 «Запись на приём к врачу»).

The patient (web, kiosk) or a registrar (desk, phone) picks a free slot of a doctor's plan; the result is an
entry in the pre-registration journal with the date and time of the visit. Each booking is a service request
("appointment", AP-2026-000123) with its events and deadline (10 minutes at the desk, 30 online), refused
only on the regulation's grounds: no identity document, or not attached to this clinic.

Rules kept here, for every channel:
- a slot must come from the doctor's plan, lie in the future and within the booking horizon;
- a patient holds at most APPOINTMENT_MAX_PER_SPECIALITY future bookings per speciality and never two that
  overlap in time;
- no double booking: the database refuses a second booking of a held slot (see app.models.appointments);
  losing that race is a normal answer (SlotTaken), not an error;
- when the register of attached population cannot answer, the booking holds its slot as "pending" and the
  request waits in awaiting_registry; the retry handler confirms or refuses it once the registry answers.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import notify as notify_sms
from app.core.actors import Actor
from app.core.bilingual import Bilingual
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import Appointment, Patient, ServiceRequest, StaffMember
from app.models.appointments import SLOT_HOLDING_STATUSES, UPCOMING_STATUSES
from app.registries import get_registry
from app.services import appointment_documents, patients, registry_pending, request_summary, schedules
from app.services.clinic import get_clinic
from app.services.requests import cancel as cancel_request
from app.services.requests import create_request, record_step, refuse, transition
from app.services.specialities import SPECIALITIES

log = logging.getLogger(__name__)

SERVICE = "appointment"


# ---- answers that are not errors of the program -----------------------------------------------------
class BookingError(Exception):
    """A booking, move or cancellation that the rules refuse. `message` is translatable and precise."""

    code = "booking_error"

    def __init__(self, message, *, request: ServiceRequest | None = None):
        super().__init__(str(message))
        self.message = message
        self.request = request


class SlotTaken(BookingError):
    code = "slot_taken"


class SlotInPast(BookingError):
    code = "slot_in_past"


class SlotNotOffered(BookingError):
    code = "slot_not_offered"


class DoctorAbsent(BookingError):
    code = "doctor_absent"


class BookingLimitReached(BookingError):
    code = "limit_reached"


class OverlappingBooking(BookingError):
    code = "overlapping"


class NotAttached(BookingError):
    code = "not_attached"


class NoIdentityDocument(BookingError):
    code = "no_identity_document"


class ChangeNotAllowed(BookingError):
    code = "change_not_allowed"


SLOT_TAKEN_MESSAGE = _l("This time has just been taken by someone else. Please choose another time.")
NOT_ATTACHED_MESSAGE = _l(
    "According to the register of attached population you are not attached to this clinic, so it cannot "
    "book you an appointment. To attach, apply for attachment online or bring your identity document to the "
    "registry desk."
)
ABSENCE_REASONS = {
    "sick_day": _l("on sick leave"),
    "training": _l("at a training course"),
    "leave": _l("on leave"),
}


# ---- settings ---------------------------------------------------------------------------------------
def horizon_days() -> int:
    return int(current_app.config.get("APPOINTMENT_HORIZON_DAYS", 14))


def max_per_speciality() -> int:
    return int(current_app.config.get("APPOINTMENT_MAX_PER_SPECIALITY", 1))


def change_cutoff() -> timedelta:
    return current_app.config.get("APPOINTMENT_CHANGE_CUTOFF", timedelta(hours=2))


def bookable_days(today: date | None = None) -> tuple[date, date]:
    """The first and last local day a booking may be made for."""
    today = today or now().astimezone(ALMATY).date()
    return today, today + timedelta(days=horizon_days() - 1)


# ---- choosing: specialities, doctors, days, slots ----------------------------------------------------
@dataclass(frozen=True)
class DoctorChoice:
    doctor: StaffMember
    schedule: object  # DoctorSchedule
    is_district_doctor: bool


@dataclass(frozen=True)
class DayChoice:
    day: date
    state: str  # DoctorDay.state, or "full" when every slot is held or past
    free_count: int
    absence_kind: str | None = None

    @property
    def is_open(self) -> bool:
        return self.free_count > 0


def specialities_offered(*, online: bool) -> list:
    """Specialities with at least one doctor who has a plan, in the catalogue's order."""
    codes = schedules.specialities_with_schedules(online_only=online)
    return [speciality for speciality in SPECIALITIES if speciality.code in codes]


def doctors_for(speciality: str, patient: Patient | None, *, online: bool) -> list[DoctorChoice]:
    """Doctors of the speciality; the patient's district doctor first."""
    district_id = patient.district_id if patient is not None else None
    choices = [
        DoctorChoice(plan.doctor, plan, district_id is not None and plan.doctor.district_id == district_id)
        for plan in schedules.schedules_of_speciality(speciality, online_only=online)
    ]
    choices.sort(key=lambda choice: (not choice.is_district_doctor, choice.doctor.full_name))
    return choices


def bookable_doctor(doctor_id: int | None, *, online: bool) -> StaffMember | None:
    if not doctor_id:
        return None
    schedule = schedules.schedule_of(doctor_id)
    if schedule is None or not schedule.doctor.is_active_account or (online and not schedule.bookable_online):
        return None
    return schedule.doctor


def _horizon(schedule, moment: datetime, calendar=None) -> list[tuple[schedules.DoctorDay, list]]:
    """Each day of the booking horizon with the slots still free on it: one query for the exceptions and
    one for the held slots, whatever the number of days."""
    first, last = bookable_days(moment.astimezone(ALMATY).date())
    held = schedules.held_starts(schedule.doctor_id, first, last) if schedule is not None else set()
    return [
        (day, [slot for slot in day.slots if slot.starts_at > moment and slot.starts_at not in held])
        for day in schedules.doctor_days(schedule, first, last, calendar=calendar)
    ]


def _day_choice(day: schedules.DoctorDay, free: list) -> DayChoice:
    state = "full" if day.slots and not free else day.state
    return DayChoice(day.day, state, len(free), day.absence.kind if day.absence is not None else None)


def days_for(doctor: StaffMember, *, moment: datetime | None = None) -> list[DayChoice]:
    """Each bookable day of the horizon with how many free slots the doctor has left."""
    horizon = _horizon(schedules.schedule_of(doctor.id), moment or now())
    return [_day_choice(day, free) for day, free in horizon]


def free_slots(doctor: StaffMember, day: date, *, moment: datetime | None = None) -> list[schedules.Slot]:
    moment = moment or now()
    first, last = bookable_days(moment.astimezone(ALMATY).date())
    if not first <= day <= last:
        return []
    schedule = schedules.schedule_of(doctor.id)
    held = schedules.held_starts(doctor.id, day, day)
    return [
        slot
        for slot in schedules.doctor_day(schedule, day).slots
        if slot.starts_at > moment and slot.starts_at not in held
    ]


def day_unavailable_reason(doctor: StaffMember, day: date):
    """Why the doctor takes no bookings on `day` (translatable), or None when there are slots."""
    first, last = bookable_days()
    if day < first:
        return _l("This day has already passed. Please choose another day.")
    if day > last:
        return _l("Bookings open %(days)s days ahead. Please choose an earlier day.", days=horizon_days())
    schedule = schedules.schedule_of(doctor.id)
    doctor_day = schedules.doctor_day(schedule, day)
    return _state_reason(doctor, doctor_day)


def _state_reason(doctor: StaffMember, doctor_day: schedules.DoctorDay):
    if doctor_day.state == "absent":
        return _l(
            "%(doctor)s is not receiving patients on %(day)s (%(reason)s). Please choose another day or "
            "another doctor.",
            doctor=doctor.full_name,
            day=format_date(doctor_day.day, "d MMMM"),
            reason=ABSENCE_REASONS[doctor_day.absence.kind],
        )
    if doctor_day.state == "public_holiday":
        return _l(
            "%(day)s is a public holiday: the clinic is closed.", day=format_date(doctor_day.day, "d MMMM")
        )
    if doctor_day.state == "clinic_closed":
        return _l("The clinic is closed on %(day)s.", day=format_date(doctor_day.day, "d MMMM"))
    if not doctor_day.slots:
        return _l(
            "%(doctor)s does not receive patients on %(day)s. Please choose another day.",
            doctor=doctor.full_name,
            day=format_date(doctor_day.day, "d MMMM"),
        )
    return None


@dataclass
class Choice:
    """Where a person is in "speciality -> doctor -> day -> slot", every step checked against the data.

    Built from whatever the browser sent; a value that no longer fits (a doctor of another speciality, a day
    outside the horizon, a slot taken meanwhile) is dropped with a `notice`, and the steps before it stay.
    """

    specialities: list
    speciality: object = None  # Speciality
    doctors: list[DoctorChoice] = field(default_factory=list)
    doctor: StaffMember | None = None
    days: list[DayChoice] = field(default_factory=list)
    day: date | None = None
    day_reason: object = None  # why the chosen day has no slots (translatable)
    slots: list[schedules.Slot] = field(default_factory=list)
    slot: schedules.Slot | None = None
    notice: object = None

    def params(self, **changes) -> dict:
        """Query parameters of this choice, with `changes`, for links to the next step."""
        values = {
            "speciality": self.speciality.code if self.speciality else None,
            "doctor": self.doctor.id if self.doctor else None,
            "day": self.day.isoformat() if self.day else None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}


def choose(
    *,
    patient: Patient | None,
    online: bool,
    speciality: str | None = None,
    doctor_id: str | int | None = None,
    day: str | date | None = None,
    slot: str | None = None,
    fixed_speciality: str | None = None,
) -> Choice:
    offered = specialities_offered(online=online)
    choice = Choice(specialities=offered)
    code = fixed_speciality or speciality
    choice.speciality = next((s for s in offered if s.code == code), None)
    if choice.speciality is None:
        return choice
    choice.doctors = doctors_for(choice.speciality.code, patient, online=online)
    wanted = as_int(doctor_id)
    picked = next((c for c in choice.doctors if c.doctor.id == wanted), None)
    if picked is None:
        return choice
    choice.doctor = picked.doctor
    moment = now()
    horizon = _horizon(picked.schedule, moment)
    choice.days = [_day_choice(day, free) for day, free in horizon]
    choice.day = _as_date(day)
    if choice.day is None:
        return choice
    chosen = next(((d, free) for d, free in horizon if d.day == choice.day), None)
    if chosen is None:
        choice.day_reason = day_unavailable_reason(choice.doctor, choice.day)
        choice.day = None
        return choice
    doctor_day, choice.slots = chosen
    if not choice.slots:
        choice.day_reason = _state_reason(choice.doctor, doctor_day) or _l(
            "There are no free times left on this day. Please choose another day."
        )
    starts_at = parse_slot_key(slot)
    if starts_at is not None:
        choice.slot = next((s for s in choice.slots if s.starts_at == starts_at), None)
        if choice.slot is None:
            choice.notice = (
                SLOT_TAKEN_MESSAGE
                if starts_at > moment
                else _l("This time has already passed. Please choose a later time.")
            )
    return choice


def choice_from(
    values,
    *,
    patient: Patient | None,
    online: bool,
    notice=None,
    fixed_speciality: str | None = None,
    **steps,
) -> Choice:
    """choose() from what the browser sent: `values` is the query string or the form (any mapping); a step
    given in `steps` (speciality, doctor, day, slot) wins over it, as after a refusal that keeps the doctor
    and day but drops the slot. `notice`, when given, replaces the choice's own."""

    def step(name):
        return steps[name] if name in steps else values.get(name)

    choice = choose(
        patient=patient,
        online=online,
        speciality=step("speciality"),
        doctor_id=step("doctor"),
        day=step("day"),
        slot=step("slot"),
        fixed_speciality=fixed_speciality,
    )
    if notice is not None:
        choice.notice = notice
    return choice


def move_choice(booking: Appointment, values, *, online: bool, notice=None, **steps) -> Choice:
    """The chooser for moving `booking` (patient online or at the desk): another time of the same
    speciality, the booking's own patient deciding which doctor is the district one."""
    return choice_from(
        values,
        patient=booking.patient,
        online=online,
        notice=notice,
        fixed_speciality=booking.speciality,
        **steps,
    )


def as_int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_slot_key(key: str | None) -> datetime | None:
    """A slot's local start as sent by a form ("2026-11-23T10:15") -> aware datetime, or None."""
    if not key:
        return None
    try:
        moment = datetime.strptime(key.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return moment.replace(tzinfo=ALMATY)


# ---- checks shared by booking and moving -------------------------------------------------------------
def _checked_slot(doctor: StaffMember, starts_at: datetime, *, online: bool) -> schedules.Slot:
    moment = now()
    if starts_at <= moment:
        raise SlotInPast(_l("This time has already passed. Please choose a later time."))
    day = starts_at.astimezone(ALMATY).date()
    _, last = bookable_days(moment.astimezone(ALMATY).date())
    if day > last:
        raise SlotNotOffered(
            _l("Bookings open %(days)s days ahead. Please choose an earlier day.", days=horizon_days())
        )
    schedule = schedules.schedule_of(doctor.id)
    if schedule is None or (online and not schedule.bookable_online):
        raise SlotNotOffered(_l("This doctor cannot be booked here. Please choose another doctor."))
    doctor_day = schedules.doctor_day(schedule, day)
    slot = next((s for s in doctor_day.slots if s.starts_at == starts_at), None)
    if slot is None:
        reason = _state_reason(doctor, doctor_day)
        if doctor_day.state == "absent":
            raise DoctorAbsent(reason)
        raise SlotNotOffered(
            reason
            or _l("The doctor does not receive patients at this time. Please choose a time from the list.")
        )
    return slot


def _check_patient_rules(
    patient: Patient, speciality: str, slot: schedules.Slot, *, ignore: Appointment | None = None
) -> None:
    upcoming = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status.in_(UPCOMING_STATUSES),
            Appointment.ends_at > now(),
        )
        .order_by(Appointment.starts_at)
    ).all()
    upcoming = [a for a in upcoming if ignore is None or a.id != ignore.id]
    for booking in upcoming:
        if booking.starts_at < slot.ends_at and slot.starts_at < booking.ends_at:
            raise OverlappingBooking(
                _l(
                    "You already have booking %(number)s at %(time)s on %(day)s, which overlaps this time. "
                    "Please choose another time.",
                    number=booking.number,
                    time=format_time(booking.starts_at, "HH:mm"),
                    day=format_date(booking.starts_at, "d MMMM"),
                )
            )
    same = [a for a in upcoming if a.speciality == speciality]
    if len(same) >= max_per_speciality():
        first = same[0]
        raise BookingLimitReached(
            _l(
                "You already have booking %(number)s with this speciality on %(day)s at %(time)s. Future "
                "bookings allowed per speciality: %(limit)s. Cancel or move that booking to choose another "
                "time.",
                number=first.number,
                day=format_date(first.starts_at, "d MMMM"),
                time=format_time(first.starts_at, "HH:mm"),
                limit=max_per_speciality(),
            )
        )


def _is_held(doctor_id: int, starts_at: datetime) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.doctor_id == doctor_id,
                Appointment.starts_at == starts_at,
                Appointment.status.in_(SLOT_HOLDING_STATUSES),
            )
        )
        > 0
    )


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
) -> Appointment:
    """Book `starts_at` with `doctor` for `patient`; raises a BookingError subclass when the rules refuse.

    At the desk the registrar confirms the identity document (`identity_document_checked`); without it the
    request is refused on the regulation's ground. Online, the one-time code to the phone on file stands
    for it.
    """
    online = channel in ("web", "kiosk")
    slot = _checked_slot(doctor, starts_at, online=online)
    speciality = doctor.speciality or ""
    _check_patient_rules(patient, speciality, slot)
    if _is_held(doctor.id, slot.starts_at):
        raise SlotTaken(SLOT_TAKEN_MESSAGE)
    attachment = patients.check_attachment(patient)
    when = _describe(doctor, slot.starts_at, language)

    try:
        # Everything below is one savepoint: losing the race for the slot leaves no trace but the answer.
        with db.session.begin_nested():
            request = create_request(
                SERVICE, channel=channel, actor=actor, subject=patient, language=language, note=when
            )
            if channel == "desk" and not identity_document_checked:
                refuse(request, "no_identity_document", actor=actor)
                refusal = NoIdentityDocument(
                    _l(
                        "Booking is refused: the identity document was not checked, which is a ground for "
                        "refusal under the regulation. Check the document and book again."
                    ),
                    request=request,
                )
            elif attachment.state == "not_attached":
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
                    booked_at=now(),
                )
                db.session.add(appointment)
                db.session.flush()  # the unique index speaks here
    except IntegrityError:
        log.info("slot %s of doctor %s was taken meanwhile", slot.key, doctor.id)
        raise SlotTaken(SLOT_TAKEN_MESSAGE) from None
    if refusal is not None:
        log.info("booking request %s refused: %s", request.number, refusal.code)
        raise refusal

    if attachment.is_attached:
        record_step(request, "registry_checked", actor=Actor.system(), note="attached")
        transition(request, "completed", actor=actor, step="booked", note=when)
        notify(appointment, "booked")
    else:
        registry_pending.wait_for_registry(request, actor=actor, note=when)
        notify(appointment, "pending")
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


registry_pending.register_retry_handler(SERVICE, resume_after_registry)


# ---- moving and cancelling --------------------------------------------------------------------------
def can_change_online(appointment: Appointment, moment: datetime | None = None) -> bool:
    moment = moment or now()
    return appointment.is_upcoming and appointment.starts_at - change_cutoff() > moment


def _check_changeable(appointment: Appointment, *, by_patient: bool) -> None:
    if not appointment.is_upcoming:
        raise ChangeNotAllowed(_l("This booking is no longer active, so it cannot be changed."))
    if appointment.starts_at <= now():
        raise ChangeNotAllowed(_l("The time of this visit has already passed."))
    if by_patient and not can_change_online(appointment):
        hours = int(change_cutoff().total_seconds() // 3600)
        raise ChangeNotAllowed(
            _l(
                "Bookings can be cancelled or moved online up to %(hours)s hours before the visit. Please "
                "call the registry desk: %(phone)s.",
                hours=hours,
                phone=(get_clinic().phones if get_clinic() else "") or "1414",
            )
        )


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
    log.info("booking %s cancelled via %s", request.number, channel)
    return appointment


def _release(appointment: Appointment, *, note: str, actor: Actor) -> None:
    appointment.status = "cancelled"
    appointment.cancelled_at = now()
    appointment.cancellation_note = note
    appointment_documents.revoke_talon(appointment, "booking cancelled", actor=actor)
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
        raise SlotNotOffered(_l("A booking can be moved only to a doctor of the same speciality."))
    slot = _checked_slot(doctor, starts_at, online=channel in ("web", "kiosk"))
    if slot.starts_at == appointment.starts_at and doctor.id == appointment.doctor_id:
        return appointment
    _check_patient_rules(appointment.patient, appointment.speciality, slot, ignore=appointment)
    if _is_held(doctor.id, slot.starts_at):
        raise SlotTaken(SLOT_TAKEN_MESSAGE)
    before = _describe(appointment.doctor, appointment.starts_at, appointment.language)
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
    after = _describe(doctor, slot.starts_at, appointment.language)
    appointment_documents.revoke_talon(appointment, "booking moved to another time", actor=actor)
    record_step(appointment.request, "rescheduled", actor=actor, channel=channel, note=f"{before} -> {after}")
    notify(appointment, "moved")
    log.info("booking %s moved to doctor %s at %s via %s", appointment.number, doctor.id, slot.key, channel)
    return appointment


# ---- the visit ---------------------------------------------------------------------------------------
def mark_attendance(appointment: Appointment, *, attended: bool, actor: Actor) -> Appointment:
    """The doctor marks the patient as seen or as not come. A no-show can be corrected the same day."""
    if appointment.status not in ("booked", "attended", "no_show"):
        raise ChangeNotAllowed(_l("Only a confirmed booking can be marked."))
    if not attended and appointment.starts_at > now():
        raise ChangeNotAllowed(_l("A patient can be marked as not come only after the time of the visit."))
    status = "attended" if attended else "no_show"
    if appointment.status == status:
        return appointment
    appointment.status = status
    appointment.attendance_marked_at = now()
    appointment.attendance_marked_by_id = actor.staff_id
    record_step(appointment.request, status, actor=actor, channel="desk")
    db.session.flush()
    return appointment


def no_show_count(patient_id: int) -> int:
    window = timedelta(days=int(current_app.config.get("APPOINTMENT_NO_SHOW_WINDOW_DAYS", 365)))
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.patient_id == patient_id,
                Appointment.status == "no_show",
                Appointment.starts_at >= now() - window,
            )
        )
        or 0
    )


# ---- reading bookings --------------------------------------------------------------------------------
def appointment_for_request(request: ServiceRequest) -> Appointment | None:
    return db.session.scalars(select(Appointment).where(Appointment.request_id == request.id)).first()


def find_by_number(number: str) -> Appointment | None:
    return db.session.scalars(
        select(Appointment)
        .join(Appointment.request)
        .where(ServiceRequest.number == (number or "").strip().upper())
    ).first()


def bookings_of(patient_id: int, *, upcoming_only: bool = False, limit: int = 50) -> list[Appointment]:
    """The patient's bookings, newest first, with the number (the request) and the doctor every list of
    bookings shows loaded in the same query: not two or three more queries per booking."""
    query = (
        select(Appointment)
        .where(Appointment.patient_id == patient_id)
        .options(
            joinedload(Appointment.request).lazyload(ServiceRequest.events),
            joinedload(Appointment.doctor).lazyload(StaffMember.role_rows),
        )
    )
    if upcoming_only:
        query = query.where(Appointment.status.in_(UPCOMING_STATUSES), Appointment.ends_at > now())
    return list(db.session.scalars(query.order_by(Appointment.starts_at.desc()).limit(limit)))


def journal(day: date, doctor_id: int | None = None) -> list[Appointment]:
    """The pre-registration journal: every booking that holds a slot on `day`, by doctor and time."""
    start, end = schedules.local_day_bounds(day)
    query = (
        select(Appointment)
        .join(Appointment.doctor)
        .where(
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.status.in_(SLOT_HOLDING_STATUSES),
        )
        .order_by(StaffMember.full_name, Appointment.starts_at)
    )
    if doctor_id:
        query = query.where(Appointment.doctor_id == doctor_id)
    return list(db.session.scalars(query))


def search_patients(query: str, limit: int = 20) -> list[Patient]:
    """By IIN (exact, or its beginning) or by surname / name (beginning, any case)."""
    text = (query or "").strip()
    if not text:
        return []
    digits = text.replace(" ", "")
    if digits.isdigit():
        condition = Patient.iin.startswith(digits, autoescape=True)
    else:
        words = text.split()
        condition = _name_starts(Patient.last_name, words[0])
        for word in words[1:3]:
            condition = condition & or_(
                _name_starts(Patient.first_name, word), _name_starts(Patient.middle_name, word)
            )
    return list(
        db.session.scalars(
            select(Patient).where(condition).order_by(Patient.last_name, Patient.first_name).limit(limit)
        )
    )


def _name_starts(column, word: str):
    # SQLite's lower() knows only ASCII, so Cyrillic and Kazakh letters are matched in the spellings people
    # type: as typed, Capitalised, lower and UPPER case.
    variants = {word, word.capitalize(), word.lower(), word.upper()}
    return or_(*(column.startswith(variant, autoescape=True) for variant in variants))


# ---- messages to the patient ----------------------------------------------------------------------
def _describe(doctor: StaffMember, starts_at: datetime, language: str) -> str:
    """ "23.11.2026 10:15, Жұмабаева А. Қ." for event notes and messages."""
    with force_locale(language):
        return f"{format_datetime(starts_at, 'dd.MM.yyyy HH:mm')}, {doctor.full_name}"


def message_text(appointment: Appointment, kind: str) -> str:
    """The SMS text of `kind` in the booking's language."""
    clinic = get_clinic()
    with force_locale(appointment.language):
        values = {
            "number": appointment.number,
            "day": format_date(appointment.starts_at, "d MMMM"),
            "time": format_time(appointment.starts_at, "HH:mm"),
            "doctor": appointment.doctor.full_name,
            "room": appointment.room or "-",
            "clinic": clinic.name(appointment.language) if clinic else "",
        }
        texts = {
            "booked": _(
                "%(clinic)s: you are booked with %(doctor)s on %(day)s at %(time)s, room %(room)s. "
                "Booking %(number)s.",
                **values,
            ),
            "pending": _(
                "%(clinic)s: your time on %(day)s at %(time)s with %(doctor)s is held. Booking "
                "%(number)s will be confirmed once the registry answers.",
                **values,
            ),
            "moved": _(
                "%(clinic)s: booking %(number)s moved to %(day)s at %(time)s, %(doctor)s, room %(room)s.",
                **values,
            ),
            "cancelled": _("%(clinic)s: booking %(number)s for %(day)s at %(time)s is cancelled.", **values),
            "refused": _(
                "%(clinic)s: booking %(number)s is refused: you are not attached to this clinic.", **values
            ),
            "reminder": _(
                "%(clinic)s: reminder, tomorrow %(day)s at %(time)s you are booked with %(doctor)s, room "
                "%(room)s. Booking %(number)s.",
                **values,
            ),
        }
        return texts[kind]


def notify(appointment: Appointment, kind: str) -> None:
    """Send the SMS of `kind` to the patient's phone on file, in the booking's language, and note it.

    A failed SMS never undoes the booking: the outbox keeps the failed message for staff, and the request
    records that the patient was not told.
    """
    phone = appointment.patient.phone
    if not phone:
        log.info("booking %s: no phone on file, %s message not sent", appointment.number, kind)
        record_step(appointment.request, f"sms_{kind}_no_phone", actor=Actor.system())
        return
    try:
        notify_sms.send_localized(
            phone,
            appointment.language,
            lambda: message_text(appointment, kind),
            purpose=f"appointment:{kind}",
        )
    except notify_sms.SmsUnavailable as error:
        log.warning("booking %s: %s message not sent (%s)", appointment.number, kind, error.reason)
        record_step(appointment.request, f"sms_{kind}_failed", actor=Actor.system(), note=error.reason)
        return
    record_step(appointment.request, f"sms_{kind}", actor=Actor.system())


# ---- the day-before reminder ------------------------------------------------------------------------
def send_reminders(moment: datetime | None = None) -> int:
    """Remind every confirmed booking of tomorrow (local) that has not been reminded yet.

    Idempotent: the reminder's time is stored on the booking, so a second run the same day sends nothing.
    """
    moment = moment or now()
    tomorrow = moment.astimezone(ALMATY).date() + timedelta(days=1)
    start, end = schedules.local_day_bounds(tomorrow)
    due = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.status == "booked",
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.reminder_sent_at.is_(None),
        )
        .order_by(Appointment.starts_at)
        .with_for_update(skip_locked=True)
    ).all()
    for appointment in due:
        appointment.reminder_sent_at = now()
        notify(appointment, "reminder")
    db.session.flush()
    log.info("reminders sent for %s bookings on %s", len(due), tomorrow)
    return len(due)


# ---- what the status page shows the patient ----------------------------------------------------------
def booking_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """The visit a booking gave: date and time, doctor, speciality, room (app.services.request_summary)."""
    appointment = appointment_for_request(request)
    if appointment is None:
        return None
    speciality = next((s for s in SPECIALITIES if s.code == appointment.speciality), None)
    doctor = appointment.doctor.full_name
    if speciality is not None:
        doctor = f"{doctor} ({Bilingual(speciality.name_kk, speciality.name_ru)})"
    facts = [
        request_summary.Fact(
            _("Date and time"),
            f"{format_date(appointment.starts_at, 'd MMMM yyyy, EEEE')}, "
            f"{format_time(appointment.starts_at, 'HH:mm')}–{format_time(appointment.ends_at, 'HH:mm')}",
        ),
        request_summary.Fact(_("Doctor"), doctor),
        request_summary.Fact(_("Room"), appointment.room or "—"),
    ]
    notes = {
        "pending": _(
            "The time is held until the register of attached population confirms the booking; you will get "
            "an SMS."
        ),
        "booked": _("You are booked. Please come 10 minutes early and bring your identity document."),
        "attended": _("The visit took place."),
        "no_show": _("The doctor marked that you did not come to this visit."),
        "cancelled": _("This booking is cancelled; the time is free for other patients."),
    }
    return request_summary.Summary(
        title=_("Your visit to the doctor"),
        facts=tuple(facts),
        notes=(notes[appointment.status],) if appointment.status in notes else (),
        link_endpoint="appointments.show_booking" if appointment.is_upcoming else None,
        link_label=_("Open the booking: talon, calendar, move or cancel"),
    )


request_summary.register(SERVICE, booking_summary)
