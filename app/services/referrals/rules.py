"""The rules of a hospitalization referral: the receiving departments' profiles and the pre-hospital
examinations each requires with their validity, the checks of a package and of the Bureau's answer, the
Bureau's one working day; the errors.

The examination lists and validity periods are general knowledge of Kazakh practice, not in the regulation's
text ([GK] in shared/regulations/services-7-14.md): they are settings (REFERRAL_EXAMINATIONS,
REFERRAL_PROFILES) a clinic adjusts, with these as defaults.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.services import icd10
from app.services.calendar import get_calendar

SERVICE = "hospitalization-referral"
# The printed talon, an issued document (registered in the face): HRT-2026-000001.
TALON_KIND, TALON_PREFIX = "referral_talon", "HRT"
MAX_TEXT = 2000

# Examination code -> days its result stays valid for the hospital.
EXAMINATIONS = {
    "blood_count": 10,
    "urine": 10,
    "biochemistry": 14,
    "coagulogram": 10,
    "ecg": 30,
    "fluorography": 365,
    "hepatitis_markers": 90,
    "syphilis": 30,
    "gynaecological_smear": 10,
    "therapist_opinion": 14,
}
_BASIC = ("blood_count", "urine", "biochemistry", "ecg", "fluorography")
# The receiving department's profile -> the examinations it requires.
PROFILES = {
    "therapy": _BASIC,
    "cardiology": (*_BASIC, "coagulogram"),
    "neurology": _BASIC,
    "surgery": (*_BASIC, "coagulogram", "hepatitis_markers", "syphilis", "therapist_opinion"),
    "gynaecology": (*_BASIC, "coagulogram", "hepatitis_markers", "syphilis", "gynaecological_smear"),
    "paediatrics": ("blood_count", "urine"),
}


class ReferralError(Exception):
    """A referral or change the rules refuse. `message` is translatable; `field` names the form input."""

    def __init__(self, message, *, field: str | None = None, problems: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.problems = problems or {}


class InvalidReferral(ReferralError):
    pass


class ChangeNotAllowed(ReferralError):
    pass


# ---- settings -------------------------------------------------------------------------------------------
def examinations() -> dict[str, int]:
    return current_app.config.get("REFERRAL_EXAMINATIONS") or EXAMINATIONS


def profiles() -> dict[str, tuple[str, ...]]:
    return current_app.config.get("REFERRAL_PROFILES") or PROFILES


def required_for(profile: str) -> tuple[str, ...]:
    return tuple(profiles().get(profile, ()))


def bureau_due(sent_at: datetime) -> datetime:
    """The Bureau's step: one working day (001 annex 13 item 5), outside the clinic's control."""
    return get_calendar().add_working_days(sent_at, 1)


# ---- the package ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExaminationCheck:
    code: str
    done_on: date | None
    valid_until: date | None
    problem: str | None  # "missing" | "expired" | "future" | None


def check_examinations(profile: str, done: dict[str, date | None], today: date) -> list[ExaminationCheck]:
    """Each examination the profile requires: when done, valid until, and what is wrong with it."""
    checks = []
    for code in required_for(profile):
        done_on = done.get(code)
        if done_on is None:
            checks.append(ExaminationCheck(code, None, None, "missing"))
            continue
        valid_until = done_on + timedelta(days=examinations().get(code, 0))
        problem = "future" if done_on > today else "expired" if valid_until < today else None
        checks.append(ExaminationCheck(code, done_on, valid_until, problem))
    return checks


@dataclass
class Package:
    """What the specialist reviews: the receiving department's profile, the diagnosis, the examinations."""

    profile: str
    diagnosis_code: str
    diagnosis_title: str = ""
    preferred_hospital: str = ""
    examinations: dict = None  # code -> date done

    def __post_init__(self):
        self.examinations = dict(self.examinations or {})


def check_package(package: Package, today: date, *, complete: bool) -> list[ExaminationCheck]:
    """Tidy and check the package. `complete`: to send it to the Bureau every examination must be there and
    valid (else InvalidReferral with the problems per examination); a decision needs only the profile."""
    if package.profile not in profiles():
        raise InvalidReferral(_l("Choose the receiving department's profile."), field="profile")
    package.preferred_hospital = " ".join((package.preferred_hospital or "").split())[:300]
    diagnosis = icd10.find(package.diagnosis_code) if package.diagnosis_code else None
    if diagnosis is None:
        raise InvalidReferral(_l("Enter the diagnosis (ICD-10)."), field="diagnosis")
    package.diagnosis_code = diagnosis.code
    package.diagnosis_title = package.diagnosis_title or diagnosis.title_ru
    checks = check_examinations(package.profile, package.examinations, today)
    future = {check.code: check.problem for check in checks if check.problem == "future"}
    if future:
        raise InvalidReferral(
            _l("An examination cannot be done in the future. Check the dates."), problems=future
        )
    problems = {check.code: check.problem for check in checks if check.problem}
    if complete and problems:
        raise InvalidReferral(
            _l(
                "The package is not complete: an examination is missing or out of date. Enter the fresh "
                "results, or record the decision «examinations incomplete»."
            ),
            problems=problems,
        )
    return checks


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()[:MAX_TEXT]
    if not reason:
        raise InvalidReferral(_l("Write the medical reason for the decision."), field="reason")
    return reason


# ---- the Bureau's answer typed in -------------------------------------------------------------------------
def check_answer(code: str, hospital: str, day: date | None, today: date) -> tuple[str, str, date]:
    code = " ".join((code or "").split())[:60]
    hospital = " ".join((hospital or "").split())[:300]
    if not code:
        raise InvalidReferral(_l("Enter the referral code the Bureau's portal gave."), field="bureau_code")
    if not hospital:
        raise InvalidReferral(_l("Enter the receiving hospital."), field="hospital")
    if day is None:
        raise InvalidReferral(_l("Enter the hospitalization date."), field="hospitalization_date")
    if day < today:
        raise InvalidReferral(
            _l("The hospitalization date is in the past. Check the date the Bureau gave."),
            field="hospitalization_date",
        )
    return code, hospital, day
