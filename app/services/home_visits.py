"""Home doctor calls (regulations 001 service 1; 002 «Вызов врача на дом»).

The patient or a relative (web, kiosk) or a registrar (desk, phone) calls the district doctor to the patient's
home. The answer of the service is an entry in the home-call journal and the date and time of the visit, due
within 10 minutes at the desk or on the phone and 30 minutes online. Each call is a service request
("home-visit", HV-2026-000123) with its events, linked one-to-one to a HomeVisit row.

Rules kept here, for every channel:
- same day, and calls close 2 hours before the clinic closes (18:00 on weekdays, 12:00 on Saturday); a call
  taken after that, on a Sunday or on a public holiday is registered for the next working day, and the
  answer says so and names urgent care (103) for anything that cannot wait;
- one live call per patient and visit day (the database enforces it); a second one is refused with a pointer
  to the first;
- red-flag complaints (chest pain, difficulty breathing, loss of consciousness, heavy bleeding, a child under
  one year with fever) mark the call urgent, and the answer shows the emergency number first;
- the doctor is the district doctor of the district whose territory lists the street of the actual address
  (falling back to the district on the patient's card); when that doctor does not work that day, or their
  day is over, a doctor of a matching district kind who does work covers; the visit window is the next
  4-hour window within that doctor's day;
- refused only on the regulation's grounds: no identity document at the desk, or not attached here; when the
  register of attached population cannot answer the call waits in awaiting_registry with everything entered.
"""

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, format_time, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import District, Patient, ServiceRequest, StaffMember, StaffRole
from app.models.home_visits import LIVE_STATUSES, OUTCOMES, RED_FLAGS, HomeVisit
from app.registries import RegistryUnavailable
from app.services import catalogue, patients, rate_limit, registry_pending, request_summary, schedules
from app.services.calendar import WorkingCalendar, get_calendar
from app.services.clinic import get_clinic
from app.services.requests import cancel as cancel_request
from app.services.requests import create_request, record_step, refuse, transition
from app.services.specialities import SPECIALITIES, get_speciality

log = logging.getLogger(__name__)

SERVICE = "home-visit"
ONLINE_CHANNELS = ("web", "kiosk")
STAFF_CHANNELS = ("desk", "phone")
CHILD_AGE = 18  # below this a paediatric (or general practice) district serves the patient
ADULT_DISTRICT_KINDS = ("therapeutic", "gp")
CHILD_DISTRICT_KINDS = ("paediatric", "gp")
FEVER = 38.0  # °C: with a child under one year, a red flag
TEMPERATURE_RANGE = (34.0, 43.0)
MIN_WINDOW = timedelta(hours=1)  # a doctor with less of the day left is not given a new call
MAX_TEXT = 2000

RED_FLAG_LABELS = {
    "chest_pain": _l("Chest pain"),
    "breathing": _l("Difficulty breathing"),
    "unconscious": _l("Loss of consciousness"),
    "bleeding": _l("Heavy bleeding"),
    "infant_fever": _l("A child under one year with fever"),
}
STATUS_LABELS = {
    "waiting": _l("Waiting for the registry"),
    "unassigned": _l("Waiting for a doctor"),
    "assigned": _l("Doctor assigned"),
    "done": _l("Visit done"),
    "refused": _l("Refused"),
    "cancelled": _l("Cancelled"),
}
OUTCOME_LABELS = {
    "visited": _l("Visited"),
    "not_at_home": _l("Not at home"),
    "hospitalised": _l("Hospitalised"),
}
# The steps of a call's history, for the staff page (steps of other modules show as they are stored).
STEP_LABELS = {
    "submitted": _l("Call received"),
    "red_flags": _l("Red flags noted"),
    "deferred": _l("Registered for a later day"),
    "identity_document_checked": _l("Identity document checked"),
    "registry_checked": _l("Attachment checked in the registry"),
    "registry_unavailable": _l("The registry did not answer"),
    "registry_retry": _l("The registry was asked again"),
    "registry_still_unavailable": _l("The registry still did not answer"),
    "awaiting_assignment": _l("Waiting for the desk to assign a doctor"),
    "assigned": _l("Doctor and time given"),
    "reassigned": _l("Doctor or time changed"),
    "refused": _l("Refused"),
    "call_cancelled": _l("Call cancelled"),
    "visited": _l("Visited"),
    "not_at_home": _l("Not at home"),
    "hospitalised": _l("Hospitalised"),
    "sms_assigned": _l("SMS sent: doctor and time"),
    "sms_reassigned": _l("SMS sent: the change"),
    "sms_refused": _l("SMS sent: the refusal"),
    "sms_cancelled": _l("SMS sent: the cancellation"),
}
ACTOR_LABELS = {"patient": _l("the patient"), "applicant": _l("a family member"), "system": _l("the system")}
SEX_LABELS = {"M": _l("male"), "F": _l("female")}
APPLICANT_LABELS = {
    "self": _l("The patient"),
    "relative": _l("A family member"),
    "other": _l("Someone else"),
}
DEFERRAL_MESSAGES = {
    "after_cutoff": _l(
        "Calls for today closed at %(cutoff)s, two hours before the clinic closes. Your call is registered "
        "for the next working day, %(day)s."
    ),
    "day_off": _l("The clinic is closed today. Your call is registered for the next working day, %(day)s."),
    "public_holiday": _l(
        "Today is a public holiday and the clinic is closed. Your call is registered for the next working "
        "day, %(day)s."
    ),
}
NOT_ATTACHED_MESSAGE = _l(
    "According to the register of attached population the patient is not attached to this clinic, so it "
    "cannot send its doctor. Call the clinic the patient is attached to; in an emergency call %(phone)s."
)
NO_IDENTITY_DOCUMENT_MESSAGE = _l(
    "The call is refused without an identity document (regulation ground). Ask for the document, or take "
    "the call by phone."
)
WAITING_MESSAGE = _l(
    "The register of attached population is not answering right now. Your call %(number)s is saved with "
    "everything you entered; the time of the doctor's visit will be sent by SMS as soon as the registry "
    "answers. You do not need to call again."
)
UNASSIGNED_MESSAGE = _l(
    "Your call %(number)s is registered. The registry desk will assign a doctor and tell you the time of the "
    "visit within %(minutes)s minutes."
)

TEMPERATURE_MESSAGE = _l(
    "Enter the temperature in degrees Celsius, from 34 to 43, for example 38.5 (or 385 on a keypad without a "
    "point). Leave it empty if it was not measured."
)

SMS_TEXTS = {
    "assigned": _l(
        "%(clinic)s: call %(number)s. Doctor %(doctor)s will come on %(day)s between %(start)s and %(end)s. "
        "If it gets worse, call %(phone)s."
    ),
    "reassigned": _l(
        "%(clinic)s: call %(number)s changed. Doctor %(doctor)s will come on %(day)s between %(start)s and "
        "%(end)s."
    ),
    "refused": _l(
        "%(clinic)s: call %(number)s is refused: the patient is not attached to this clinic. In an emergency "
        "call %(phone)s."
    ),
    "cancelled": _l("%(clinic)s: call %(number)s for %(day)s is cancelled."),
}

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


# ---- which day a call is for ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CallDay:
    """The day a call taken at `taken_at` is for, and why it is not today when it is not.

    reason: None (today) | "after_cutoff" | "day_off" | "public_holiday".
    """

    taken_at: datetime
    day: date
    reason: str | None
    cutoff: datetime | None  # today's last moment for same-day calls, None when the clinic is closed today

    @property
    def is_today(self) -> bool:
        return self.reason is None

    def message(self):
        """The sentence that tells the caller which day their call is for (None for today)."""
        return _deferral_text(self.reason, self.cutoff, self.day) if self.reason else None


def call_day_for(moment: datetime | None = None, calendar: WorkingCalendar | None = None) -> CallDay:
    moment = moment or now()
    calendar = calendar or get_calendar()
    today = moment.astimezone(ALMATY).date()
    cutoff = calendar.same_day_cutoff(today)
    if cutoff is not None and moment <= cutoff:
        return CallDay(moment, today, None, cutoff)
    if cutoff is not None:
        reason = "after_cutoff"
    elif calendar.is_public_holiday(today):
        reason = "public_holiday"
    else:
        reason = "day_off"
    return CallDay(moment, calendar.next_working_day(today), reason, cutoff)


def deferral_message(visit: HomeVisit):
    """For a call registered for a later day: which day and why, in the current language."""
    if not visit.deferred_reason:
        return None
    cutoff = get_calendar().same_day_cutoff(visit.request.created_at.astimezone(ALMATY).date())
    return _deferral_text(visit.deferred_reason, cutoff, visit.visit_day)


def _deferral_text(reason: str, cutoff: datetime | None, day: date) -> str:
    return str(DEFERRAL_MESSAGES[reason]) % {
        "cutoff": format_time(cutoff, "HH:mm") if cutoff else "",
        "day": format_date(day, "EEEE, d MMMM"),
    }


# ---- red flags ---------------------------------------------------------------------------------------
def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_label(birth_date: date, day: date) -> str:
    """ "34 years", or "7 months" for a baby: the journal's age column, in the current language."""
    years = age_on(birth_date, day)
    if years >= 1:
        return ngettext("%(num)d year", "%(num)d years", years)
    months = (day.year - birth_date.year) * 12 + day.month - birth_date.month - (day.day < birth_date.day)
    return ngettext("%(num)d month", "%(num)d months", max(months, 0))


def detect_red_flags(
    complaint: str, temperature: float | None, birth_date: date | None, day: date
) -> set[str]:
    """Red flags the complaint's words and the patient's age and temperature show by themselves."""
    text = " ".join(complaint.casefold().replace("ё", "е").split())
    found = {flag for flag, pattern in _RED_FLAG_WORDS.items() if pattern.search(text)}
    if temperature is not None and temperature >= FEVER and birth_date and age_on(birth_date, day) < 1:
        found.add("infant_fever")
    return found


# ---- districts and doctors ------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold().replace("ё", "е"))


@dataclass(frozen=True)
class TerritoryLine:
    """One line of a district's territory: a street, and the houses of it when the line lists them."""

    street: tuple[str, ...]
    houses: frozenset[int] | None = None  # None: the whole street
    parity: int | None = None  # 1: odd houses only, 0: even only


_ODD_WORDS = ("тақ", "нечет", "odd")
_EVEN_WORDS = ("жұп", "чет", "even")


def parse_territory_line(line: str) -> TerritoryLine | None:
    """ "Абай даңғылы" -> the whole street; "Абай даңғылы, 1-49, 52" or "Абай даңғылы 2-40 жұп" -> houses."""
    text = line.casefold().replace("ё", "е")
    tokens = list(re.finditer(r"\w+", text))
    # The houses start at the first number after the street's name ("8 Марта көшесі, 1-20" keeps its 8).
    split = next((i for i, token in enumerate(tokens) if i and token.group()[0].isdigit()), len(tokens))
    street = tuple(token.group() for token in tokens[:split])
    if not street:
        return None
    houses_text = text[tokens[split].start() :] if split < len(tokens) else ""
    numbers = re.findall(r"(\d+)\s*[-–—]\s*(\d+)|(\d+)", houses_text)
    houses: set[int] = set()
    for low, high, single in numbers:
        if single:
            houses.add(int(single))
        elif int(high) - int(low) <= 2000:
            houses.update(range(int(low), int(high) + 1))
    tail = houses_text
    parity = None
    if any(word in tail for word in _ODD_WORDS):
        parity = 1
    elif any(word in tail for word in _EVEN_WORDS):
        parity = 0
    return TerritoryLine(street, frozenset(houses) if houses else None, parity)


def _house_number(address_words: list[str], after: int) -> int | None:
    for word in address_words[after : after + 3]:
        digits = re.match(r"\d+", word)
        if digits:
            return int(digits.group())
    return None


def territory_match(territory: str, address: str) -> int:
    """How well the address falls in the territory: 0 no, 1 a listed street, 2 a listed house of it."""
    address_words = _words(address)
    best = 0
    for raw_line in (territory or "").splitlines():
        line = parse_territory_line(raw_line)
        if line is None:
            continue
        size = len(line.street)
        for start in range(len(address_words) - size + 1):
            if tuple(address_words[start : start + size]) != line.street:
                continue
            if line.houses is None and line.parity is None:
                best = max(best, 1)
                continue
            house = _house_number(address_words, start + size)
            if house is None:
                continue
            in_list = line.houses is None or house in line.houses
            if in_list and (line.parity is None or house % 2 == line.parity):
                best = max(best, 2)
    return best


def district_kinds_for(patient: Patient, day: date) -> tuple[str, ...]:
    return CHILD_DISTRICT_KINDS if age_on(patient.birth_date, day) < CHILD_AGE else ADULT_DISTRICT_KINDS


def district_for(patient: Patient, address: str, day: date) -> District | None:
    """The district whose territory lists the address (matching the patient's age), else the card's."""
    kinds = district_kinds_for(patient, day)
    scored = [
        (territory_match(district.territory, address), district)
        for district in db.session.scalars(select(District).order_by(District.number))
    ]
    matching = [(score, d) for score, d in scored if score and d.kind in kinds]
    if matching:
        return max(matching, key=lambda pair: (pair[0], -pair[1].number))[1]
    if patient.district is not None:
        return patient.district
    others = [(score, d) for score, d in scored if score]
    return max(others, key=lambda pair: (pair[0], -pair[1].number))[1] if others else None


def home_visit_doctors() -> list[StaffMember]:
    """Active doctors who go on home calls: the district specialities (therapist, paediatrician, GP)."""
    codes = [s.code for s in SPECIALITIES if s.district_kind]
    return list(
        db.session.scalars(
            select(StaffMember)
            .join(StaffRole)
            .where(
                StaffRole.role == "doctor",
                StaffMember.is_active_account.is_(True),
                StaffMember.speciality.in_(codes),
            )
            .order_by(StaffMember.full_name)
        )
    )


def doctor_hours(doctor: StaffMember, day: date, calendar: WorkingCalendar | None = None):
    """The doctor's working day (start, end), aware Almaty, or None when they do not work that day.

    From the weekly plan and its exceptions when the doctor has one (sick day, leave and training take the
    day or part of it away); the clinic's hours of that day otherwise.
    """
    calendar = calendar or get_calendar()
    schedule = schedules.schedule_of(doctor.id)
    if schedule is None:
        return calendar.hours_on(day)
    doctor_day = schedules.doctor_day(schedule, day, calendar=calendar)
    if not doctor_day.slots:
        return None
    return (
        doctor_day.slots[0].starts_at.astimezone(ALMATY),
        doctor_day.slots[-1].ends_at.astimezone(ALMATY),
    )


def _next_full_hour(moment: datetime) -> datetime:
    local = moment.astimezone(ALMATY)
    rounded = local.replace(minute=0, second=0, microsecond=0)
    return rounded if rounded == local else rounded + timedelta(hours=1)


def visit_window(hours, moment: datetime, *, starts_at: datetime | None = None):
    """The next window of the doctor's day: from the next full hour (or `starts_at`), WINDOW long, never past
    the end of the day. None when less than MIN_WINDOW of the day is left."""
    if hours is None:
        return None
    day_start, day_end = hours
    start = max(day_start, starts_at or _next_full_hour(moment))
    end = min(start + window_length(), day_end)
    if end - start < MIN_WINDOW:
        return None
    return start, end


def calls_of(doctor_id: int, day: date) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(HomeVisit)
            .where(
                HomeVisit.doctor_id == doctor_id,
                HomeVisit.visit_day == day,
                HomeVisit.status.in_(("assigned", "done")),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class DoctorOption:
    """A doctor who can take a call on a day: their hours, their load, and the window they would give."""

    doctor: StaffMember
    hours: tuple[datetime, datetime]
    window: tuple[datetime, datetime]
    calls: int
    is_district_doctor: bool


def doctor_options(visit_day: date, district: District | None, kinds, moment: datetime | None = None):
    """Doctors who work on `visit_day` with time left for a window, the district's own first, then by load."""
    moment = moment or now()
    calendar = get_calendar()
    options = []
    for doctor in home_visit_doctors():
        speciality = get_speciality(doctor.speciality)
        is_district_doctor = district is not None and doctor.district_id == district.id
        if not is_district_doctor and (speciality is None or speciality.district_kind not in kinds):
            continue
        hours = doctor_hours(doctor, visit_day, calendar)
        window = visit_window(hours, moment)
        if window is None:
            continue
        options.append(
            DoctorOption(doctor, hours, window, calls_of(doctor.id, visit_day), is_district_doctor)
        )
    options.sort(key=lambda o: (not o.is_district_doctor, o.calls, o.window[0], o.doctor.full_name))
    return options


# ---- taking a call -------------------------------------------------------------------------------------
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
    if details.applicant_kind not in APPLICANT_LABELS:
        raise InvalidCall(_l("Choose who is calling."), field="applicant_kind")
    details.applicant_name = " ".join((details.applicant_name or "").split())[:200]
    details.applicant_relationship = " ".join((details.applicant_relationship or "").split())[:100]
    if details.applicant_kind != "self" and not details.applicant_name:
        raise InvalidCall(_l("Enter the name of the person who is calling."), field="applicant_name")
    return details


def live_call(patient: Patient, day: date) -> HomeVisit | None:
    return db.session.scalars(
        select(HomeVisit).where(
            HomeVisit.patient_id == patient.id,
            HomeVisit.visit_day == day,
            HomeVisit.status.in_(LIVE_STATUSES),
        )
    ).first()


def duplicate_message(existing: HomeVisit, *, detailed: bool = True):
    """Why a second call is refused. `detailed` (doctor, window, number) only for people party to the call:
    to anyone else it would tell when a stranger is ill at home."""
    if not detailed:
        return _l(
            "A doctor has already been called for this person for %(day)s. One call a day is enough; to add "
            "something or to change it, call the registry desk: %(phone)s.",
            day=format_date(existing.visit_day, "d MMMM"),
            phone=_clinic_phone(),
        )
    if existing.has_window and existing.doctor is not None:
        return _l(
            "A doctor has already been called for this patient for %(day)s: call %(number)s, %(doctor)s "
            "between %(start)s and %(end)s. One call a day is enough; to add something or to change it, "
            "call the registry desk: %(phone)s.",
            day=format_date(existing.visit_day, "d MMMM"),
            number=existing.number,
            doctor=existing.doctor.full_name,
            start=format_time(existing.window_starts_at, "HH:mm"),
            end=format_time(existing.window_ends_at, "HH:mm"),
            phone=_clinic_phone(),
        )
    return _l(
        "A doctor has already been called for this patient for %(day)s: call %(number)s. One call a day is "
        "enough; to add something or to change it, call the registry desk: %(phone)s.",
        day=format_date(existing.visit_day, "d MMMM"),
        number=existing.number,
        phone=_clinic_phone(),
    )


def _clinic_phone() -> str:
    clinic = get_clinic()
    return (clinic.phones if clinic else "") or current_app.config.get("CONTACT_CENTRE_PHONE", "1414")


def call_doctor(
    patient: Patient,
    details: CallDetails,
    *,
    actor: Actor,
    channel: str,
    language: str = "kk",
    applicant: Patient | None = None,
    notice_phone: str = "",
    notice_language: str | None = None,
    identity_document_checked: bool | None = None,
    registry_address: str | None = None,
) -> HomeVisit:
    """Register a home call for `patient` and answer it when the rules allow; returns the HomeVisit.

    Raises InvalidCall (nothing saved), DuplicateCall (nothing saved; `visit` is the existing call) or
    CallRefused (the refused call is saved in the journal). Otherwise the visit is "assigned" (doctor and
    window given), "unassigned" (the desk must assign within the deadline) or "waiting" (registry down).
    """
    check_details(details)
    moment = now()
    call_day = call_day_for(moment)
    red_flags = set(details.red_flags) | detect_red_flags(
        details.complaint, details.temperature, patient.birth_date, call_day.day
    )
    existing = live_call(patient, call_day.day)
    if existing is not None:
        raise DuplicateCall(duplicate_message(existing), visit=existing)

    if channel in ONLINE_CHANNELS and applicant is not None:
        _count_online_call(applicant)
    attachment_state = _attachment_state(patient)
    registry_address = patient.address if registry_address is None else registry_address
    if applicant is None and details.applicant_kind == "self":
        applicant = patient
    try:
        # One savepoint: losing the race against a simultaneous call leaves nothing but the answer.
        with db.session.begin_nested():
            request = create_request(
                SERVICE,
                channel=channel,
                actor=actor,
                subject=patient,
                applicant=applicant,
                applicant_name=details.applicant_name,
                language=language,
                note=_journal_note(details),
            )
            visit = HomeVisit(
                request=request,
                patient=patient,
                status="waiting",
                applicant_kind=details.applicant_kind,
                applicant_name=details.applicant_name,
                applicant_relationship=details.applicant_relationship,
                address=details.address,
                address_differs_from_registry=_normalised(details.address) != _normalised(registry_address),
                complaint=details.complaint,
                temperature=details.temperature,
                callback_phone=details.callback_phone,
                notice_phone=notice_phone or (details.callback_phone if channel in STAFF_CHANNELS else ""),
                notice_language=notice_language or patient.language,
                is_urgent=bool(red_flags),
                red_flags=sorted(red_flags),
                visit_day=call_day.day,
                deferred_reason=call_day.reason,
                district=district_for(patient, details.address, call_day.day),
                created_at=moment,
            )
            db.session.add(visit)
            db.session.flush()  # the unique index on (patient, visit day) speaks here
    except IntegrityError:
        existing = live_call(patient, call_day.day)
        log.info("home call for patient %s lost the race to %s", patient.id, existing and existing.number)
        raise DuplicateCall(duplicate_message(existing), visit=existing) from None

    if red_flags:
        record_step(request, "red_flags", actor=actor, note=", ".join(sorted(red_flags)))
    if call_day.reason:
        record_step(request, "deferred", actor=actor, note=f"{call_day.reason}: {call_day.day.isoformat()}")
    if channel == "desk" and not identity_document_checked:
        _refuse(visit, "no_identity_document", actor=actor)
        raise CallRefused(NO_IDENTITY_DOCUMENT_MESSAGE, visit=visit)
    if channel == "desk":
        record_step(request, "identity_document_checked", actor=actor)
    if attachment_state == "not_attached":
        _refuse(visit, "not_attached", actor=actor)
        notify(visit, "refused")
        raise CallRefused(NOT_ATTACHED_MESSAGE % {"phone": emergency_phone()}, visit=visit)
    if attachment_state == "unavailable":
        registry_pending.wait_for_registry(request, actor=actor)
        log.info("home call %s waits for the registry", request.number)
        return visit

    record_step(request, "registry_checked", actor=Actor.system(), note="attached")
    _assign_automatically(visit)
    return visit


def _count_online_call(applicant: Patient) -> None:
    """Online, one person calls the doctor for a few people a day (their family), not for a whole street."""
    limit = rate_limit.Limit(
        "home_visit:applicant", applicant.iin, calls_per_applicant_per_day(), timedelta(days=1)
    )
    try:
        rate_limit.check_and_count(limit)
    except rate_limit.RateLimited:
        raise TooManyCalls(
            _l(
                "You have already called the doctor %(count)s times today. For more calls, please phone the "
                "registry desk: %(phone)s.",
                count=calls_per_applicant_per_day(),
                phone=_clinic_phone(),
            )
        ) from None


def _attachment_state(patient: Patient) -> str:
    """ "attached" | "not_attached" | "unavailable", from the register of attached population."""
    return patients.check_attachment(patient).state


def _journal_note(details: CallDetails) -> str:
    temperature = f", {details.temperature:.1f} °C" if details.temperature is not None else ""
    return f"{details.complaint[:200]}{temperature}; {details.address}"


def _normalised(address: str) -> str:
    return " ".join(_words(address))


def _refuse(visit: HomeVisit, ground: str, *, actor: Actor) -> None:
    visit.status = "refused"
    refuse(visit.request, ground, actor=actor)
    db.session.flush()


def _assign_automatically(visit: HomeVisit) -> None:
    """Give the district doctor (or a covering colleague) and a window; else leave the call to the desk."""
    options = doctor_options(
        visit.visit_day, visit.district, district_kinds_for(visit.patient, visit.visit_day)
    )
    if not options:
        visit.status = "unassigned"
        if visit.request.status != "in_review":
            transition(visit.request, "in_review", actor=Actor.system(), step="awaiting_assignment")
        db.session.flush()
        log.info("home call %s: no doctor available on %s, left to the desk", visit.number, visit.visit_day)
        return
    best = options[0]
    _give(visit, best.doctor, best.window, actor=Actor.system(), covering=not best.is_district_doctor)


def _give(visit: HomeVisit, doctor: StaffMember, window, *, actor: Actor, covering: bool) -> None:
    first_answer = visit.answered_at is None
    before = describe(visit) if not first_answer else ""
    visit.doctor = doctor
    visit.doctor_id = doctor.id
    visit.is_covering_doctor = covering
    visit.window_starts_at, visit.window_ends_at = window
    visit.status = "assigned"
    after = describe(visit)
    if first_answer:
        visit.answered_at = now()
        if visit.request.is_open:
            transition(visit.request, "completed", actor=actor, step="assigned", note=after)
        else:
            record_step(visit.request, "assigned", actor=actor, note=after)
        notify(visit, "assigned")
    else:
        record_step(visit.request, "reassigned", actor=actor, note=f"{before} -> {after}")
        notify(visit, "reassigned")
    db.session.flush()
    log.info(
        "home call %s given to doctor %s (%s)",
        visit.number,
        doctor.id,
        "covering" if covering else "district",
    )


def describe(visit: HomeVisit) -> str:
    """ "24.11.2026 12:00-16:00, Жұмабаева А. Қ." for event notes (language-neutral)."""
    if not visit.has_window or visit.doctor is None:
        return ""
    start = visit.window_starts_at.astimezone(ALMATY)
    end = visit.window_ends_at.astimezone(ALMATY)
    return f"{start:%d.%m.%Y %H:%M}-{end:%H:%M}, {visit.doctor.full_name}"


# ---- the registry answers later -----------------------------------------------------------------------
def resume_after_registry(request: ServiceRequest, actor: Actor) -> None:
    """Retry handler: the register of attached population answers a call that waited for it."""
    visit = visit_for_request(request)
    if visit is None or visit.status != "waiting":
        return
    check = patients.check_attachment(visit.patient)
    if check.state == "unavailable":
        raise RegistryUnavailable("unavailable", "still no answer about the attachment")
    if check.state == "not_attached":
        _refuse(visit, "not_attached", actor=actor)
        notify(visit, "refused")
        return
    record_step(request, "registry_checked", actor=actor, note="attached")
    calendar = get_calendar()
    moment = now()
    hours = calendar.hours_on(visit.visit_day)
    if visit.visit_day < moment.astimezone(ALMATY).date() or (hours is not None and moment >= hours[1]):
        # The registry answered after the visit day was over: the doctor comes on the next working day.
        visit.visit_day = call_day_for(moment, calendar).day
        record_step(request, "deferred", actor=actor, note=f"registry_late: {visit.visit_day.isoformat()}")
    _assign_automatically(visit)


registry_pending.register_retry_handler(SERVICE, resume_after_registry)


# ---- the desk: assigning, reassigning, cancelling -------------------------------------------------------
def assign_doctor(
    visit: HomeVisit,
    doctor: StaffMember,
    *,
    actor: Actor,
    channel: str = "desk",
    starts_at: datetime | None = None,
) -> HomeVisit:
    """The registrar gives (or changes) the doctor and, optionally, the start of the window."""
    if visit.status not in ("unassigned", "assigned"):
        raise ChangeNotAllowed(_l("Only a call that is waiting for a doctor or assigned can get a doctor."))
    if not doctor.has_role("doctor") or not doctor.is_active_account:
        raise ChangeNotAllowed(_l("Choose a doctor from the list."), field="doctor")
    hours = doctor_hours(doctor, visit.visit_day)
    if hours is None:
        raise ChangeNotAllowed(
            _l(
                "%(doctor)s does not work on %(day)s. Choose another doctor.",
                doctor=doctor.full_name,
                day=format_date(visit.visit_day, "d MMMM"),
            ),
            field="doctor",
        )
    if starts_at is not None and not hours[0] <= starts_at < hours[1]:
        raise ChangeNotAllowed(
            _l(
                "The window must start within the doctor's day, %(start)s-%(end)s.",
                start=format_time(hours[0], "HH:mm"),
                end=format_time(hours[1], "HH:mm"),
            ),
            field="starts_at",
        )
    window = visit_window(hours, now(), starts_at=starts_at)
    if window is None:
        raise ChangeNotAllowed(
            _l(
                "%(doctor)s has less than an hour of the working day left. Choose another doctor or a later "
                "start.",
                doctor=doctor.full_name,
            ),
            field="doctor" if starts_at is None else "starts_at",
        )
    if visit.doctor_id == doctor.id and (visit.window_starts_at, visit.window_ends_at) == window:
        return visit
    covering = visit.district is None or doctor.district_id != visit.district_id
    _give(visit, doctor, window, actor=actor, covering=covering)
    return visit


def window_starts(hours, moment: datetime | None = None) -> list[datetime]:
    """Whole hours a registrar may start a window at within the doctor's day (at least MIN_WINDOW left)."""
    if hours is None:
        return []
    moment = moment or now()
    start = max(hours[0], _next_full_hour(moment))
    start = _next_full_hour(start)
    starts = []
    while start + MIN_WINDOW <= hours[1]:
        starts.append(start)
        start += timedelta(hours=1)
    return starts


def cancel_call(visit: HomeVisit, *, actor: Actor, channel: str, note: str = "") -> HomeVisit:
    """The caller (through the desk) calls the visit off. A done, refused or cancelled call stays as it is.

    The request ends "cancelled" even when the window was already given; it keeps its answer time, so the
    call still counts as answered in time (requests.cancel)."""
    if visit.status not in ("waiting", "unassigned", "assigned"):
        raise ChangeNotAllowed(_l("This call is already closed and cannot be cancelled."))
    note = note.strip()[:MAX_TEXT]
    visit.status = "cancelled"
    cancel_request(visit.request, actor=actor, channel=channel, step="call_cancelled", note=note)
    db.session.flush()
    notify(visit, "cancelled")
    return visit


# ---- the doctor --------------------------------------------------------------------------------------
def record_outcome(visit: HomeVisit, outcome: str, *, note: str = "", actor: Actor) -> HomeVisit:
    """The doctor marks the call visited, not at home or hospitalised; a mark can be corrected later."""
    if outcome not in OUTCOMES:
        raise ChangeNotAllowed(
            _l("Choose what happened: visited, not at home or hospitalised."), field="outcome"
        )
    if visit.status not in ("assigned", "done"):
        raise ChangeNotAllowed(_l("Only a call with an assigned doctor can be marked."))
    if visit.visit_day > now().astimezone(ALMATY).date():
        raise ChangeNotAllowed(
            _l("The visit is on %(day)s: mark it on that day.", day=format_date(visit.visit_day, "d MMMM"))
        )
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ChangeNotAllowed(
            _l("The note is too long: at most %(count)s characters.", count=MAX_TEXT), field="note"
        )
    if outcome in ("not_at_home", "hospitalised") and not note:
        raise ChangeNotAllowed(
            _l("Add a note: what was done (left a notice, where the patient was taken)."), field="note"
        )
    if visit.outcome == outcome and visit.outcome_note == note:
        return visit
    visit.outcome = outcome
    visit.outcome_note = note
    visit.outcome_at = now()
    visit.outcome_by_id = actor.staff_id
    visit.status = "done"
    record_step(visit.request, outcome, actor=actor, channel="desk", note=note)
    db.session.flush()
    return visit


# ---- reading calls -----------------------------------------------------------------------------------
def visit_for_request(request: ServiceRequest) -> HomeVisit | None:
    return db.session.scalars(select(HomeVisit).where(HomeVisit.request_id == request.id)).first()


def find_by_number(number: str) -> HomeVisit | None:
    return db.session.scalars(
        select(HomeVisit)
        .join(HomeVisit.request)
        .where(ServiceRequest.number == (number or "").strip().upper(), ServiceRequest.service == SERVICE)
    ).first()


def visit_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """The answer a call got, for the status page (app.services.request_summary): the visit day, the window
    and the doctor once given, and what the doctor found. The complaint and the address stay off it."""
    visit = visit_for_request(request)
    if visit is None:
        return None
    facts = [request_summary.Fact(_("Visit day"), format_date(visit.visit_day, "EEEE, d MMMM yyyy"))]
    if visit.has_window:
        window = (format_time(visit.window_starts_at, "HH:mm"), format_time(visit.window_ends_at, "HH:mm"))
        facts.append(request_summary.Fact(_("Visit window"), "–".join(window)))
    if visit.doctor is not None:
        facts.append(request_summary.Fact(_("Doctor"), visit.doctor.full_name))
    if visit.outcome:
        facts.append(request_summary.Fact(_("Outcome"), str(OUTCOME_LABELS[visit.outcome])))
    notes = {
        "waiting": _("The register of attached population has not answered yet; the call is kept."),
        "unassigned": _("The registry desk gives a doctor and a time soon; you will get an SMS."),
        "assigned": _("The doctor comes within this window. Please stay at home and keep your phone near."),
        "cancelled": _("This call is cancelled."),
    }
    return request_summary.Summary(
        title=_("The doctor's home visit"),
        facts=tuple(facts),
        notes=(notes[visit.status],) if visit.status in notes else (),
        link_endpoint="home_visits.show_call" if visit.is_live and visit.status != "done" else None,
        link_label=_("Open the call"),
    )


request_summary.register(SERVICE, visit_summary)


def journal(day: date, *, district_id: int | None = None, status: str | None = None) -> list[HomeVisit]:
    """The home-call journal of a visit day, in the order the calls came in."""
    query = select(HomeVisit).join(HomeVisit.request).where(HomeVisit.visit_day == day)
    if district_id:
        query = query.where(HomeVisit.district_id == district_id)
    if status:
        query = query.where(HomeVisit.status == status)
    return list(db.session.scalars(query.order_by(ServiceRequest.created_at, HomeVisit.id)))


def awaiting_answer() -> list[HomeVisit]:
    """Every call the desk still owes an answer (no doctor and window yet), the soonest deadline first."""
    return list(
        db.session.scalars(
            select(HomeVisit)
            .join(HomeVisit.request)
            .where(HomeVisit.status.in_(("waiting", "unassigned")))
            .order_by(ServiceRequest.deadline_at, HomeVisit.id)
        )
    )


def route_list(doctor_id: int, day: date) -> list[HomeVisit]:
    """The doctor's calls of the day, ordered by district and address, the way the round is walked."""
    visits = db.session.scalars(
        select(HomeVisit).where(
            HomeVisit.doctor_id == doctor_id,
            HomeVisit.visit_day == day,
            HomeVisit.status.in_(("assigned", "done")),
        )
    ).all()
    return sorted(
        visits,
        key=lambda v: (v.district.number if v.district else math.inf, _address_key(v.address), v.id),
    )


_CITY_MARKERS = ("қ.", "қаласы", "г.", "город")


def _address_key(address: str):
    """Street words, then the house number as a number, so house 9 comes before house 10. A leading city
    ("Алматы қ., ..." or "г. Алматы, ...") is skipped, so addresses with and without it sort together."""
    first, _, rest = address.partition(",")
    if rest and any(marker in first.casefold() for marker in _CITY_MARKERS):
        address = rest
    words = _words(address)
    return tuple((0, int(w), "") if w.isdigit() else (1, 0, w) for w in words)


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


# ---- messages to the patient ---------------------------------------------------------------------------
def message_text(visit: HomeVisit, kind: str) -> str:
    """The SMS text of `kind` in the language of the card of the person it goes to."""
    clinic = get_clinic()
    with force_locale(visit.notice_language):
        values = {
            "clinic": clinic.name(visit.notice_language) if clinic else "",
            "number": visit.number,
            "day": format_date(visit.visit_day, "d MMMM"),
            "doctor": visit.doctor.full_name if visit.doctor else "",
            "start": format_time(visit.window_starts_at, "HH:mm") if visit.window_starts_at else "",
            "end": format_time(visit.window_ends_at, "HH:mm") if visit.window_ends_at else "",
            "phone": emergency_phone(),
        }
        return str(SMS_TEXTS[kind]) % values


def notify(visit: HomeVisit, kind: str) -> None:
    """Send the SMS of `kind` to the call's notice phone, and note it on the request."""
    from app.notify import SmsUnavailable, send

    phone = visit.notice_phone
    if not phone:
        log.info("home call %s: no phone for notices, %s message not sent", visit.number, kind)
        return
    try:
        send(phone, message_text(visit, kind), purpose=f"home_visit_{kind}", language=visit.notice_language)
    except SmsUnavailable as error:
        record_step(visit.request, f"sms_{kind}_failed", actor=Actor.system(), note=error.reason)
        return
    record_step(visit.request, f"sms_{kind}", actor=Actor.system())


def event_note(event) -> str:
    """An event's note for the staff history: red-flag codes in words; machine-only notes left out."""
    if event.step == "red_flags":
        return ", ".join(str(RED_FLAG_LABELS.get(code.strip(), code)) for code in event.note.split(","))
    if event.step == "deferred":  # "after_cutoff: 2026-11-24": the day says it; the label says why
        return event.note.rpartition(": ")[2]
    if event.step == "registry_checked":
        return ""
    return event.note


# ---- what the caller and the status page see -------------------------------------------------------------
def result_lines(visit: HomeVisit) -> list[str]:
    """Sentences describing where a call stands, in the current language (the status page may show them)."""
    lines = []
    if visit.status == "assigned" and visit.has_window and visit.doctor is not None:
        lines.append(
            _(
                "Doctor %(doctor)s will come on %(day)s between %(start)s and %(end)s.",
                doctor=visit.doctor.full_name,
                day=format_date(visit.visit_day, "EEEE, d MMMM"),
                start=format_time(visit.window_starts_at, "HH:mm"),
                end=format_time(visit.window_ends_at, "HH:mm"),
            )
        )
    elif visit.status == "waiting":
        lines.append(str(WAITING_MESSAGE % {"number": visit.number}))
    elif visit.status == "unassigned":
        lines.append(str(UNASSIGNED_MESSAGE % {"number": visit.number, "minutes": _answer_minutes(visit)}))
    elif visit.status == "done" and visit.outcome:
        lines.append(str(OUTCOME_LABELS[visit.outcome]))
    elif visit.status in STATUS_LABELS:
        lines.append(str(STATUS_LABELS[visit.status]))
    return lines


def _answer_minutes(visit: HomeVisit) -> int:
    """The regulation's answer time for the call's channel: 10 minutes at the desk, 30 online."""
    service = catalogue.get(SERVICE)
    rule = service.deadlines.get(visit.request.channel) or service.deadlines.get("*")
    return rule.amount if rule else 30
