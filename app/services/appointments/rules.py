"""The rules of appointment booking (regulations 000; 001 annex 2; 002 «Запись на приём к врачу»): the
settings read from config, what a slot key is, when a booking may still be changed online, and the refusals.

- a slot must come from the doctor's plan, lie in the future and within the booking horizon
  (APPOINTMENT_HORIZON_DAYS);
- a patient holds at most APPOINTMENT_MAX_PER_SPECIALITY future bookings per speciality and never two that
  overlap in time;
- the patient may cancel or move a booking online up to APPOINTMENT_CHANGE_CUTOFF before the visit; the desk
  may until the visit;
- no-shows are counted over APPOINTMENT_NO_SHOW_WINDOW_DAYS for the desk's warning;
- the condition or reason for the visit (001 annex 2 item 8: «көрсетілетін қызметті алушының жағдайы және
  жазатайым оқиға немесе ауруы бойынша қысқа мәліметтер») is optional and brief: at most REASON_MAX_LENGTH
  characters once tidied (normalise_reason).
"""

import unicodedata
from datetime import date, datetime, timedelta

from flask import current_app

from app.core.clock import ALMATY, now
from app.core.inputs import to_day, to_int
from app.models import Appointment, ServiceRequest
from app.models.appointments import REASON_MAX_LENGTH

SERVICE = "appointment"  # the catalogue slug: requests AP-2026-000123
TALON_KIND = "appointment_talon"  # the document kind of the printed talon (registered in __init__)
STAFF_CHANNELS = ("desk", "phone")
ONLINE_CHANNELS = ("web", "kiosk")


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


class HomeCallTime(SlotNotOffered):
    """The doctor makes home calls then: the plan's home-visit hours or a home call's window."""

    code = "home_call_time"


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


class ReasonTooLong(BookingError):
    """The condition or reason for the visit is longer than REASON_MAX_LENGTH: nothing is booked."""

    code = "reason_too_long"


# ---- settings ---------------------------------------------------------------------------------------
def horizon_days() -> int:
    return int(current_app.config.get("APPOINTMENT_HORIZON_DAYS", 14))


def max_per_speciality() -> int:
    return int(current_app.config.get("APPOINTMENT_MAX_PER_SPECIALITY", 1))


def change_cutoff() -> timedelta:
    return current_app.config.get("APPOINTMENT_CHANGE_CUTOFF", timedelta(hours=2))


def no_show_window() -> timedelta:
    return timedelta(days=int(current_app.config.get("APPOINTMENT_NO_SHOW_WINDOW_DAYS", 365)))


def bookable_days(today: date | None = None) -> tuple[date, date]:
    """The first and last local day a booking may be made for."""
    today = today or now().astimezone(ALMATY).date()
    return today, today + timedelta(days=horizon_days() - 1)


def can_change_online(appointment: Appointment, moment: datetime | None = None) -> bool:
    """Whether the patient may still cancel or move the booking themselves (before the cut-off)."""
    moment = moment or now()
    return appointment.is_upcoming and appointment.starts_at - change_cutoff() > moment


# ---- what the browser sends ---------------------------------------------------------------------------
def as_int(value) -> int | None:
    """A number from the query string or a form, if it fits an integer column (app.core.inputs)."""
    return to_int(value)


def as_date(value) -> date | None:
    """A day from the query string or a form, if it is a real day of a year the clinic can mean."""
    return to_day(value)


def parse_slot_key(key: str | None) -> datetime | None:
    """A slot's local start as sent by a form ("2026-11-23T10:15") -> aware datetime, or None."""
    if not key:
        return None
    try:
        moment = datetime.strptime(key.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return moment.replace(tzinfo=ALMATY)


def normalise_reason(raw: str | None) -> str:
    """The condition or reason for the visit as it is kept: composed Unicode (a Kazakh letter typed as a base
    and a combining mark is one character), line breaks and tabs as spaces, other control and invisible
    format characters dropped, runs of spaces as one, no spaces at the ends (then `reason_too_long`)."""
    text = unicodedata.normalize("NFC", raw or "")
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return " ".join(kept.split())


def reason_too_long(reason: str) -> bool:
    """Whether a tidied reason is longer than a booking keeps (the column's own length)."""
    return len(reason) > REASON_MAX_LENGTH
