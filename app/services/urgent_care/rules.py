"""The rules of an urgent-care call: what a call must say, the times the journal records and their order, the
7-hour clock (elapsed time, never working minutes), the department's own hours and phone; the errors.

Imports nothing of the service: every other room builds on this one.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.clock import ALMATY, now
from app.models.urgent_care import CALLER_KINDS, RESULTS, URGENCY_CATEGORIES, UrgentCall
from app.services import home_visits, icd10
from app.services.calendar import get_calendar
from app.services.clinic import get_clinic

SERVICE = "urgent-care"
# A team's printed route list, an issued document with no subject (registered in the face): UCR-2026-000001.
ROUTE_LIST_KIND, ROUTE_LIST_PREFIX = "urgent_route_list", "UCR"
EXAMINATION_HOURS = 7  # 001 annex 12 item 5: «7 сағат ішінде»
RESULT_MINUTES = 5  # then 5 minutes to register the result
MAX_TEXT = 2000
MAX_AGE = 130
# The red flags are the home call's: the same words and the same list (app.services.home_visits).
RED_FLAGS = tuple(home_visits.RED_FLAG_LABELS)


class UrgentCareError(Exception):
    """A call or change the rules refuse. `message` is translatable; `field` names the form input."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidCall(UrgentCareError):
    pass


class RedFlagsCall103(UrgentCareError):
    """Red flags: the call is not queued. The nurse calls 103 at once and records the hand-over."""

    def __init__(self, message, *, flags: set[str]):
        super().__init__(message, field="handover_note")
        self.flags = flags


class ChangeNotAllowed(UrgentCareError):
    pass


# ---- settings ---------------------------------------------------------------------------------------
def department_phone() -> str:
    """The department's phone for calls (URGENT_CARE_PHONE), else the clinic's."""
    clinic = get_clinic()
    return (
        current_app.config.get("URGENT_CARE_PHONE")
        or (clinic.phones if clinic else "")
        or current_app.config.get("CONTACT_CENTRE_PHONE", "1414")
    )


def emergency_phone() -> str:
    return home_visits.emergency_phone()


def deadline_warning() -> timedelta:
    """How long before the 7 hours run out a call turns amber in the journal."""
    return current_app.config.get("URGENT_CARE_DEADLINE_WARNING", timedelta(hours=1))


def department_hours(day: date) -> tuple[datetime, datetime] | None:
    """The department's hours on `day`: URGENT_CARE_HOURS = "around the clock" or ("08:00", "24:00"); None
    (the default) is the clinic's hours (decision item 4). The hours say when calls are taken here; they never
    stop the 7-hour clock of a call already taken."""
    setting = current_app.config.get("URGENT_CARE_HOURS")
    if setting is None:
        return get_calendar().hours_on(day)
    midnight = datetime.combine(day, time(0, 0), ALMATY)
    if setting == "around the clock":
        return midnight, midnight + timedelta(days=1)
    opens, closes = (_minutes(value) for value in setting)
    return midnight + timedelta(minutes=opens), midnight + timedelta(minutes=closes)


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def is_department_open(moment: datetime) -> bool:
    local = moment.astimezone(ALMATY)
    hours = department_hours(local.date())
    return hours is not None and hours[0] <= local < hours[1]


# ---- the clock of a call ------------------------------------------------------------------------------
def examination_due(received_at: datetime) -> datetime:
    """Received + 7 elapsed clock hours: night, weekend and holiday included (decision item 4)."""
    return received_at + timedelta(hours=EXAMINATION_HOURS)


def result_due(examined_at: datetime) -> datetime:
    return examined_at + timedelta(minutes=RESULT_MINUTES)


@dataclass(frozen=True)
class DeadlineState:
    """state: "on_time" | "due_soon" | "overdue" (the 7 hours, a live call), "met" | "missed" (examined
    within them or not), "closed" (handed to 103, cancelled)."""

    state: str
    minutes_left: int | None = None

    @property
    def needs_attention(self) -> bool:
        return self.state in ("due_soon", "overdue")


def deadline_state(call: UrgentCall, moment: datetime | None = None) -> DeadlineState:
    if call.examined_at is not None:
        return DeadlineState("met" if call.examined_at <= call.examination_due_at else "missed")
    if not call.is_live:
        return DeadlineState("closed")
    left = call.examination_due_at - (moment or now())
    minutes = math.ceil(left.total_seconds() / 60)
    if left <= timedelta(0):
        return DeadlineState("overdue", minutes)
    if left <= deadline_warning():
        return DeadlineState("due_soon", minutes)
    return DeadlineState("on_time", minutes)


# ---- what a call must say ------------------------------------------------------------------------------
@dataclass
class CallDetails:
    """What the caller tells the nurse-registrar (the dispatch journal's columns)."""

    caller_phone: str
    patient_name: str
    address: str
    complaint: str
    caller_kind: str = "self"
    caller_name: str = ""
    patient_iin: str = ""
    patient_age: int | None = None
    patient_sex: str = ""
    entrance: str = ""
    floor: str = ""
    urgency_category: int = 4
    red_flags: set[str] = field(default_factory=set)


def _one_line(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def check_details(details: CallDetails) -> CallDetails:
    """Tidy and check what was entered; raise InvalidCall naming the first field that needs fixing."""
    details.address = " ".join((details.address or "").split())
    details.complaint = (details.complaint or "").strip()
    details.patient_name = _one_line(details.patient_name, 200)
    details.caller_name = _one_line(details.caller_name, 200)
    details.entrance = _one_line(details.entrance, 20)
    details.floor = _one_line(details.floor, 20)
    if not details.address:
        raise InvalidCall(
            _l("Enter the address where the team should come: street, house and flat."), field="address"
        )
    if len(details.address) > 500:
        raise InvalidCall(_l("The address is too long: at most 500 characters."), field="address")
    if not details.complaint:
        raise InvalidCall(_l("Describe the condition and the complaint, in a few words."), field="complaint")
    if len(details.complaint) > MAX_TEXT:
        raise InvalidCall(
            _l("The complaint is too long: at most %(count)s characters.", count=MAX_TEXT), field="complaint"
        )
    if not details.patient_name:
        raise InvalidCall(_l("Enter the patient's name as the caller gives it."), field="patient_name")
    if details.patient_age is not None and not 0 <= details.patient_age <= MAX_AGE:
        raise InvalidCall(_l("Enter the age in full years, from 0 to 130."), field="patient_age")
    if details.patient_sex not in ("", "M", "F"):
        raise InvalidCall(_l("Choose the sex from the list."), field="patient_sex")
    phone = home_visits.clean_phone(details.caller_phone)
    if not phone:
        raise InvalidCall(
            _l("Enter a phone number to call back, for example +7 701 123 45 67."), field="caller_phone"
        )
    details.caller_phone = phone
    if details.caller_kind not in CALLER_KINDS:
        raise InvalidCall(_l("Choose who is calling."), field="caller_kind")
    if details.caller_kind != "self" and not details.caller_name:
        raise InvalidCall(_l("Enter the name of the person who is calling."), field="caller_name")
    if details.urgency_category not in URGENCY_CATEGORIES:
        raise InvalidCall(_l("Choose the urgency category from the list."), field="urgency_category")
    if set(details.red_flags) - set(RED_FLAGS):
        raise InvalidCall(_l("Choose the signs from the list."), field="red_flags")
    return details


# ---- the outcome: times in their order ----------------------------------------------------------------
@dataclass
class Outcome:
    """What the team reports: when it arrived and finished, the result, the diagnosis."""

    arrived_at: datetime
    examined_at: datetime
    result: str
    diagnosis_code: str = ""
    diagnosis_title: str = ""
    note: str = ""


def check_outcome(call: UrgentCall, outcome: Outcome, moment: datetime) -> Outcome:
    """The times must follow each other: received <= passed <= arrived <= examination ended <= now."""
    if outcome.result not in RESULTS:
        raise InvalidCall(_l("Choose the result from the list."), field="result")
    # The form gives times to the minute: the call passed at 10:30:45 may well be reached "at 10:30".
    start = (call.passed_at or call.received_at).replace(second=0, microsecond=0)
    if outcome.arrived_at < start:
        raise InvalidCall(
            _l("The team cannot arrive before the call was passed to it. Check the arrival time."),
            field="arrived_at",
        )
    if outcome.arrived_at > moment:
        raise InvalidCall(_l("The arrival time is in the future. Check it."), field="arrived_at")
    if outcome.examined_at < outcome.arrived_at:
        raise InvalidCall(
            _l("The examination cannot end before the team arrived. Check both times."), field="examined_at"
        )
    if outcome.examined_at > moment:
        raise InvalidCall(_l("The end of the examination is in the future. Check it."), field="examined_at")
    if not outcome.diagnosis_code and outcome.result != "care_refused":
        raise InvalidCall(_l("Enter the diagnosis (ICD-10)."), field="diagnosis")
    if outcome.diagnosis_code:
        diagnosis = icd10.find(outcome.diagnosis_code)
        if diagnosis is None:
            raise InvalidCall(_l("Enter the diagnosis (ICD-10)."), field="diagnosis")
        outcome.diagnosis_code = diagnosis.code
        outcome.diagnosis_title = outcome.diagnosis_title or diagnosis.title_ru
    outcome.note = (outcome.note or "").strip()[:MAX_TEXT]
    return outcome
