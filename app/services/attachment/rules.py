"""The rules of attachment (regulation 002 items 6-17 and 22): the grounds of refusal, the once-a-year rule
for a change by free choice, the age that decides a paediatric district, the limits of what a person enters,
the deadline warning setting, and the errors an application or a decision can meet (each with its message).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.bilingual import Bilingual as T
from app.core.iin import InvalidIin, parse_iin
from app.models import Clinic
from app.models.attachment import REASONS
from app.registries import Attachment
from app.services import catalogue, registry_pending

SERVICE = "attachment"
GROUNDS = catalogue.ATTACHMENT_GROUNDS
ADULT_AGE = 18  # paediatric districts serve children up to this age
MAX_ADDRESS = 500
MAX_NOTE = 1000

# The printed documents (codes stored in Document.kind, number prefixes, titles on the verification page);
# registered with app.services.documents in the package's __init__.
TALON = "attachment_talon"
TALON_PREFIX = "ATT"
TALON_TITLE = T(
    "МСАК ұйымына тіркелу туралы анықтама (талон)", "Справка (талон) о прикреплении к организации ПМСП"
)
REFUSAL = "attachment_refusal"
REFUSAL_PREFIX = "ATR"
REFUSAL_TITLE = T(
    "МСАК ұйымына тіркеуден дәлелді бас тарту", "Мотивированный отказ в прикреплении к организации ПМСП"
)


def deadline_warning() -> timedelta:
    """How close to its deadline an open application is flagged "due soon" (ATTACHMENT_DEADLINE_WARNING)."""
    value = current_app.config.get("ATTACHMENT_DEADLINE_WARNING", timedelta(hours=2))
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def next_free_choice_on(last_free_choice_on: date) -> date:
    """A year after the last change by free choice (29 February moves to 1 March)."""
    try:
        return last_free_choice_on.replace(year=last_free_choice_on.year + 1)
    except ValueError:
        return date(last_free_choice_on.year + 1, 3, 1)


def district_kinds_for(birth_date: date | None, today: date) -> tuple[str, ...]:
    """The kinds of district that serve a person of this age, the best first: a child goes to a paediatric
    district, an adult to a therapeutic one, a general practice district takes both."""
    if birth_date is None:
        return ("therapeutic", "gp", "paediatric")
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    return ("paediatric", "gp", "therapeutic") if age < ADULT_AGE else ("therapeutic", "gp")


def birth_date_of(iin: str) -> date | None:
    try:
        return parse_iin(iin).birth_date
    except InvalidIin:
        return None


# ---- errors ----------------------------------------------------------------------------------------------
class AttachmentError(Exception):
    """The application or decision cannot go ahead; `message` says why in the user's language."""

    field: str | None = None

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self._message = message
        if field is not None:
            self.field = field

    @property
    def message(self) -> str:
        return str(self._message)


class InvalidApplication(AttachmentError):
    pass


class AlreadyAttachedHere(AttachmentError):
    def __init__(self, district_number: int | None):
        if district_number:
            message = _l(
                "You are already attached to this clinic (district %(number)s), so there is nothing to apply "
                "for. To change the district, ask at the registry desk.",
                number=district_number,
            )
        else:
            message = _l("You are already attached to this clinic, so there is nothing to apply for.")
        super().__init__(message, field="iin")
        self.district_number = district_number


class ApplicationPending(AttachmentError):
    def __init__(self, number: str):
        super().__init__(
            _l(
                "An application for attachment with this IIN is already being reviewed: %(number)s. "
                "The decision is made within one working day.",
                number=number,
            ),
            field="iin",
        )
        self.number = number


class PersonUnknown(AttachmentError):
    def __init__(self):
        super().__init__(
            _l(
                "No person with this IIN is found in the state database of individuals. Please check the IIN."
            ),
            field="iin",
        )


class DecisionBlocked(AttachmentError):
    """Approval would break a rule: refuse on `ground`, or fix what the message says."""

    def __init__(self, message, ground: str | None = None):
        super().__init__(message)
        self.ground = ground


class NotDecidable(AttachmentError):
    def __init__(self):
        super().__init__(_l("This application has already been decided or is waiting for the registry."))


class RegistryDown(AttachmentError):
    """The register of attached population did not answer a decision: nothing has changed, try again."""

    def __init__(self):
        super().__init__(registry_pending.UNAVAILABLE_MESSAGE)


# ---- what the person asked for ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ApplicationInput:
    iin: str
    address: str
    reason: str
    reason_note: str = ""
    preferred_doctor_id: int | None = None
    phone: str = ""  # desk: a contact phone for the SMS, when the registry has none
    identity_checked: bool = True  # online and kiosk: the one-time code to the phone on file identifies
    language: str = "kk"


@dataclass(frozen=True)
class UploadInput:
    kind: str  # "application" | "identity"
    stream: object
    filename: str | None


_PHONE = re.compile(r"^\+7\d{10}$")


def normalise_phone(raw: str) -> str:
    """ "8 701 123 45 67" or "+7 (701) 123-45-67" -> "+77011234567"; "" stays ""; anything else is kept for
    the error message."""
    digits = "".join(char for char in raw or "" if char.isdigit())
    if not digits:
        return ""
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10:
        return "+7" + digits
    return raw.strip()


def clean_input(data: ApplicationInput) -> ApplicationInput:
    """The input, cleaned; InvalidApplication names the field that is wrong. (Whether the preferred doctor
    serves a district is asked of the clinic's staff list: queries.validate.)"""
    try:
        iin = parse_iin(data.iin).iin
    except InvalidIin as invalid:
        raise InvalidApplication(invalid.message, field="iin") from None
    address = " ".join((data.address or "").split())
    if len(address) < 5:
        raise InvalidApplication(
            _l("Enter the address where you live: street, house and flat."), field="address"
        )
    if len(address) > MAX_ADDRESS:
        raise InvalidApplication(
            _l("The address is too long: at most %(max)s characters.", max=MAX_ADDRESS), field="address"
        )
    if data.reason not in REASONS:
        raise InvalidApplication(_l("Choose the reason for the application."), field="reason")
    note = (data.reason_note or "").strip()
    if data.reason == "other" and len(note) < 3:
        raise InvalidApplication(_l("Describe the reason in a few words."), field="reason_note")
    if len(note) > MAX_NOTE:
        raise InvalidApplication(
            _l("The text is too long: at most %(max)s characters.", max=MAX_NOTE), field="reason_note"
        )
    phone = normalise_phone(data.phone)
    if phone and not _PHONE.match(phone):
        raise InvalidApplication(_l("Enter a mobile number like +7 701 123 45 67."), field="phone")
    return ApplicationInput(
        iin=iin,
        address=address,
        reason=data.reason,
        reason_note=note,
        preferred_doctor_id=data.preferred_doctor_id,
        phone=phone,
        identity_checked=bool(data.identity_checked),
        language=data.language if data.language in ("kk", "ru") else "kk",
    )


def check_refusal(ground: str, note: str) -> str:
    """The refusal's explanation, cleaned; InvalidApplication for an unknown ground or too long a note."""
    if ground not in GROUNDS:
        raise InvalidApplication(_l("Choose the ground of the refusal."), field="ground")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidApplication(
            _l("The text is too long: at most %(max)s characters.", max=MAX_NOTE), field="note"
        )
    return note


def is_attached_here(attachment: Attachment | None, clinic: Clinic | None) -> bool:
    """Whether the register's answer says the person is attached to this clinic already."""
    return bool(attachment and clinic and clinic.code and attachment.clinic_code == clinic.code)
