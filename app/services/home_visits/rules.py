"""The rules of a home call: what a call must say, which signs make it urgent, which districts serve a patient
of an age, how close the answer deadline is; the settings read from config; the errors the rules answer with.

Imports nothing of the service: every other room builds on this one.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.clock import local_now, now
from app.core.person import age_on
from app.models import Patient
from app.models.home_visits import RED_FLAGS, HomeVisit

SERVICE = "home-visit"
# The caller may call the visit off until the doctor has been: at the desk, by phone, or online from the
# cabinet (issue 14; regulation 001 says nothing against it).
CANCELLABLE_STATUSES = ("waiting", "unassigned", "assigned")
ONLINE_CHANNELS = ("web", "kiosk")
STAFF_CHANNELS = ("desk", "phone")
APPLICANT_KINDS = ("self", "relative", "other")
CHILD_AGE = 18  # below this a paediatric (or general practice) district serves the patient
ADULT_DISTRICT_KINDS = ("therapeutic", "gp")
CHILD_DISTRICT_KINDS = ("paediatric", "gp")
FEVER = 38.0  # °C: with a child under one year, a red flag
# A doctor's printed route list, an issued document with no subject (registered in the face): HVR-2026-000001.
ROUTE_LIST_KIND, ROUTE_LIST_PREFIX = "home_visit_route_list", "HVR"
TEMPERATURE_RANGE = (34.0, 43.0)
MIN_WINDOW = timedelta(hours=1)  # a doctor with less of the day left is not given a new call
MAX_TEXT = 2000

TEMPERATURE_MESSAGE = _l(
    "Enter the temperature in degrees Celsius, from 34 to 43, for example 38.5 (or 385 on a keypad without a "
    "point). Leave it empty if it was not measured."
)

# Words of the complaint that raise a red flag even when the box was not ticked (Russian, Kazakh, English).
# Stems, so "задыхается", "задыхаюсь" and "задыхание" all match; each must begin a word.
_RED_FLAG_WORDS = {
    "chest_pain": re.compile(
        r"(?<!\w)(?:боль в груди|болит грудь|боли в груди|давит в груди|жжет в груди|кеуде|сердц"
        r"|жүре[кг]\w* ауыр|chest pain)"
    ),
    "breathing": re.compile(
        r"(?<!\w)(?:задыха|одышк|трудно дыш|тяжело дыш|не может дыш|не хватает воздух|удушь|тұншығ|ентіг"
        r"|тыныс алу қиын|дем ала алмай|breathless|difficulty breathing|shortness of breath)"
    ),
    "unconscious": re.compile(
        r"(?<!\w)(?:без сознан|потерял сознан|потеряла сознан|потеря сознан|обморок|не приходит в себя"
        r"|есінен тан|есін жоғалт|талып|unconscious|fainted)"
    ),
    "bleeding": re.compile(r"(?<!\w)(?:кровотеч|сильно кровит|қан кет|қан ағ|bleeding)"),
}


# ---- answers that are not errors of the program -----------------------------------------------------
class HomeVisitError(Exception):
    """A call or change the rules refuse. `message` is translatable; `field` names the form input."""

    code = "home_visit_error"

    def __init__(self, message, *, field: str | None = None, visit: HomeVisit | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.visit = visit


class InvalidCall(HomeVisitError):
    code = "invalid"


class DuplicateCall(HomeVisitError):
    """The patient already has a live call for that day; `visit` is that call."""

    code = "duplicate"


class CallRefused(HomeVisitError):
    """Refused on a regulation ground; `visit` is the refused call (kept in the journal)."""

    code = "refused"


class ChangeNotAllowed(HomeVisitError):
    code = "change_not_allowed"


class TooManyCalls(HomeVisitError):
    """One person online has called the doctor for too many people today (a limit against abuse)."""

    code = "too_many_calls"


# ---- settings ---------------------------------------------------------------------------------------
def window_length() -> timedelta:
    return current_app.config.get("HOME_VISIT_WINDOW", timedelta(hours=4))


def calls_per_applicant_per_day() -> int:
    return int(current_app.config.get("HOME_VISIT_CALLS_PER_APPLICANT_PER_DAY", 5))


def deadline_warning() -> timedelta:
    return current_app.config.get("HOME_VISIT_DEADLINE_WARNING", timedelta(minutes=5))


def emergency_phone() -> str:
    return current_app.config.get("EMERGENCY_PHONE", "103")


# ---- red flags ---------------------------------------------------------------------------------------
def detect_red_flags(
    complaint: str, temperature: float | None, birth_date: date | None, day: date
) -> set[str]:
    """Red flags the complaint's words and the patient's age and temperature show by themselves."""
    text = " ".join(complaint.casefold().replace("ё", "е").split())
    found = {flag for flag, pattern in _RED_FLAG_WORDS.items() if pattern.search(text)}
    if temperature is not None and temperature >= FEVER and birth_date and age_on(birth_date, day) < 1:
        found.add("infant_fever")
    return found


def signs_shown(complaint: str, raw_temperature: str | None, ticked, birth_date: date | None) -> set[str]:
    """The red flags a form being filled in shows today: ticked, in the words of the complaint, or by the
    patient's age and temperature. A temperature that cannot be read yet counts as not measured."""
    try:
        temperature = parse_temperature(raw_temperature)
    except InvalidCall:
        temperature = None
    flags = {flag for flag in (ticked or []) if flag in RED_FLAGS}
    return flags | detect_red_flags(complaint or "", temperature, birth_date, local_now().date())


# ---- districts ---------------------------------------------------------------------------------------
def district_kinds_for(patient: Patient, day: date) -> tuple[str, ...]:
    return CHILD_DISTRICT_KINDS if age_on(patient.birth_date, day) < CHILD_AGE else ADULT_DISTRICT_KINDS


# ---- what a call must say ------------------------------------------------------------------------------
@dataclass
class CallDetails:
    """What the caller tells: where, what is wrong, how to call back, and who is calling."""

    address: str
    complaint: str
    callback_phone: str
    temperature: float | None = None
    red_flags: set[str] = field(default_factory=set)
    applicant_kind: str = "self"
    applicant_name: str = ""
    applicant_relationship: str = ""


_PHONE_DIGITS = re.compile(r"\d")


def clean_phone(raw: str) -> str:
    """ "8 (701) 123-45-67" or "+7 701 123 45 67" -> "+77011234567"; "" when it is not a Kazakh number."""
    digits = "".join(_PHONE_DIGITS.findall(raw or ""))
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "7":
        return "+7" + digits
    return ""


def parse_temperature(raw: str | None) -> float | None:
    """Degrees Celsius from "38.5", "38,5 °C" or "385" (typed on a digits-only keypad); None when empty."""
    text = (raw or "").strip().replace(",", ".").replace("°", "").rstrip("CcСс ").strip()
    if not text:
        return None
    try:
        value = int(text) / 10 if re.fullmatch(r"\d{3}", text) else float(text)
    except ValueError:
        value = math.nan
    if not TEMPERATURE_RANGE[0] <= value <= TEMPERATURE_RANGE[1]:  # NaN fails both comparisons
        raise InvalidCall(TEMPERATURE_MESSAGE, field="temperature")
    return round(value, 1)


def check_details(details: CallDetails) -> CallDetails:
    """Tidy and check what was entered; raise InvalidCall naming the first field that needs fixing."""
    details.address = " ".join((details.address or "").split())
    details.complaint = (details.complaint or "").strip()
    if not details.address:
        raise InvalidCall(
            _l("Enter the address where the doctor should come: street, house and flat."), field="address"
        )
    if len(details.address) > 500:
        raise InvalidCall(_l("The address is too long: at most 500 characters."), field="address")
    if not details.complaint:
        raise InvalidCall(_l("Describe the condition and the complaint, in a few words."), field="complaint")
    if len(details.complaint) > MAX_TEXT:
        raise InvalidCall(
            _l("The complaint is too long: at most %(count)s characters.", count=MAX_TEXT), field="complaint"
        )
    if details.temperature is not None and not (
        TEMPERATURE_RANGE[0] <= details.temperature <= TEMPERATURE_RANGE[1]
    ):
        raise InvalidCall(TEMPERATURE_MESSAGE, field="temperature")
    phone = clean_phone(details.callback_phone)
    if not phone:
        raise InvalidCall(
            _l("Enter a phone number to call back, for example +7 701 123 45 67."), field="callback_phone"
        )
    details.callback_phone = phone
    unknown = set(details.red_flags) - set(RED_FLAGS)
    if unknown:
        raise InvalidCall(_l("Choose the signs from the list."), field="red_flags")
    if details.applicant_kind not in APPLICANT_KINDS:
        raise InvalidCall(_l("Choose who is calling."), field="applicant_kind")
    details.applicant_name = " ".join((details.applicant_name or "").split())[:200]
    details.applicant_relationship = " ".join((details.applicant_relationship or "").split())[:100]
    if details.applicant_kind != "self" and not details.applicant_name:
        raise InvalidCall(_l("Enter the name of the person who is calling."), field="applicant_name")
    return details


# ---- the answer deadline ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeadlineState:
    """state: "answered" | "answered_late" | "on_time" | "due_soon" | "overdue" | "closed"."""

    state: str
    minutes_left: int | None = None

    @property
    def needs_attention(self) -> bool:
        return self.state in ("due_soon", "overdue")

    @property
    def minutes_late(self) -> int:
        return -self.minutes_left if self.state == "overdue" and self.minutes_left is not None else 0


def deadline_state(visit: HomeVisit, moment: datetime | None = None) -> DeadlineState:
    """Whether the answer (doctor and window) came, or how close the regulation's deadline is."""
    moment = moment or now()
    deadline = visit.request.deadline_at
    if visit.answered_at is not None:
        late = deadline is not None and visit.answered_at > deadline
        return DeadlineState("answered_late" if late else "answered")
    if visit.status not in ("waiting", "unassigned"):
        return DeadlineState("closed")
    if deadline is None:
        return DeadlineState("on_time")
    left = deadline - moment
    minutes = math.ceil(left.total_seconds() / 60)
    if left <= timedelta(0):
        return DeadlineState("overdue", -max(1, math.ceil(-left.total_seconds() / 60)))
    if left <= deadline_warning():
        return DeadlineState("due_soon", minutes)
    return DeadlineState("on_time", minutes)
