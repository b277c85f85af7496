"""What appointment booking says: refusals and notices, the reasons a day has no times, the SMS texts, the
one-line description of a visit, and the summary the status page shows. In the person's language."""

from datetime import datetime

from flask_babel import force_locale, format_date, format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.bilingual import Bilingual
from app.core.clock import now
from app.models import Appointment, StaffMember
from app.models.appointments import REASON_MAX_LENGTH
from app.services import request_summary
from app.services.appointments.rules import can_change_online, change_cutoff, horizon_days
from app.services.clinic import get_clinic
from app.services.schedules import DoctorDay
from app.services.specialities import SPECIALITIES

SLOT_TAKEN_MESSAGE = _l("This time has just been taken by someone else. Please choose another time.")
NOT_ATTACHED_MESSAGE = _l(
    "According to the register of attached population you are not attached to this clinic, so it cannot "
    "book you an appointment. To attach, apply for attachment online or bring your identity document to the "
    "registry desk."
)
NO_IDENTITY_DOCUMENT_MESSAGE = _l(
    "Check the patient's identity document and tick the box that it was checked. Nothing is booked yet; "
    "the chosen time and what you typed are kept."
)
SLOT_PASSED_MESSAGE = _l("This time has already passed. Please choose a later time.")
DAY_PASSED_MESSAGE = _l("This day has already passed. Please choose another day.")
DAY_FULL_MESSAGE = _l("There are no free times left on this day. Please choose another day.")
DOCTOR_NOT_BOOKABLE_MESSAGE = _l("This doctor cannot be booked here. Please choose another doctor.")
TIME_NOT_IN_PLAN_MESSAGE = _l(
    "The doctor does not receive patients at this time. Please choose a time from the list."
)
OTHER_SPECIALITY_MESSAGE = _l("A booking can be moved only to a doctor of the same speciality.")
NO_LONGER_ACTIVE_MESSAGE = _l("This booking is no longer active, so it cannot be changed.")
VISIT_PASSED_MESSAGE = _l("The time of this visit has already passed.")
ONLY_CONFIRMED_MARKED_MESSAGE = _l("Only a confirmed booking can be marked.")
NO_SHOW_TOO_EARLY_MESSAGE = _l("A patient can be marked as not come only after the time of the visit.")
ABSENCE_REASONS = {
    "sick_day": _l("on sick leave"),
    "training": _l("at a training course"),
    "leave": _l("on leave"),
}


def beyond_horizon_message():
    return _l("Bookings open %(days)s days ahead. Please choose an earlier day.", days=horizon_days())


def reason_too_long_message(length: int):
    """The condition or reason for the visit is longer than a booking keeps (nothing was booked)."""
    return _l(
        "The condition or reason for the visit is too long (%(length)s characters). At most %(count)s "
        "characters: please shorten it.",
        length=length,
        count=REASON_MAX_LENGTH,
    )


def call_the_desk_message():
    """Past the online cut-off: the patient changes the booking through the registry desk."""
    clinic = get_clinic()
    return _l(
        "Bookings can be cancelled or moved online up to %(hours)s hours before the visit. Please call the "
        "registry desk: %(phone)s.",
        hours=int(change_cutoff().total_seconds() // 3600),
        phone=(clinic.phones if clinic else "") or "1414",
    )


def home_calls_message(doctor, span):
    """The slot lies in the doctor's home-visit hours, or in the window of a home call given to them."""
    return _l(
        "%(doctor)s makes home calls from %(start)s to %(end)s on %(day)s and does not receive patients "
        "at the clinic then. Please choose another time or another doctor.",
        doctor=doctor.full_name,
        start=format_time(span[0], "HH:mm"),
        end=format_time(span[1], "HH:mm"),
        day=format_date(span[0], "d MMMM"),
    )


def overlap_message(booking: Appointment):
    return _l(
        "You already have booking %(number)s at %(time)s on %(day)s, which overlaps this time. Please choose "
        "another time.",
        number=booking.number,
        time=format_time(booking.starts_at, "HH:mm"),
        day=format_date(booking.starts_at, "d MMMM"),
    )


def limit_message(first: Appointment, limit: int):
    return _l(
        "You already have booking %(number)s with this speciality on %(day)s at %(time)s. Future bookings "
        "allowed per speciality: %(limit)s. Cancel or move that booking to choose another time.",
        number=first.number,
        day=format_date(first.starts_at, "d MMMM"),
        time=format_time(first.starts_at, "HH:mm"),
        limit=limit,
    )


def day_state_reason(doctor: StaffMember, doctor_day: DoctorDay):
    """Why the doctor takes no bookings on this day of their plan (translatable), or None when there are
    slots."""
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


def describe(doctor: StaffMember, starts_at: datetime, language: str) -> str:
    """ "23.11.2026 10:15, Жұмабаева А. Қ." for event notes and messages."""
    with force_locale(language):
        return f"{format_datetime(starts_at, 'dd.MM.yyyy HH:mm')}, {doctor.full_name}"


# ---- messages to the patient ----------------------------------------------------------------------
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


# The booking's own steps in its history and in monitoring's stages (the shared ones are the kernel's).
STEP_LABELS = {
    "attended": _l("Came to the visit"),
    "no_show": _l("Did not come"),
    "rescheduled": _l("Booking moved"),
    "visit_time_passed": _l("Visit time passed"),
}


# ---- what the status page shows the patient ----------------------------------------------------------
def summary_of(appointment: Appointment) -> request_summary.Summary:
    """The visit a booking gave: date and time, doctor, speciality, room (app.services.request_summary)."""
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
        actions=_booking_actions(appointment),
    )


def _booking_actions(appointment: Appointment) -> tuple[request_summary.Action, ...]:
    if not can_change_online(appointment):
        return ()
    return (
        request_summary.Action(_("Move"), "appointments.choose_new_slot"),
        request_summary.Action(
            _("Cancel the booking"),
            "appointments.cancel_booking",
            method="post",
            confirm=_("Cancel this booking? The time will be given to other patients."),
        ),
    )


def progress_of(appointment: Appointment) -> request_summary.Progress | None:
    """What happened to the patient: booked (the visit is still ahead), the visit done or missed. A booking
    the register has not confirmed yet, refused or cancelled says it with the request's own status."""
    if appointment.status == "booked":
        return request_summary.Progress(_("Booked"), delivered=appointment.starts_at <= now())
    labels = {"attended": _("The visit took place"), "no_show": _("You did not come")}
    label = labels.get(appointment.status)
    return request_summary.Progress(label) if label is not None else None
