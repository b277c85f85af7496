"""Managing the embedded local registry (admins): search, view, create and edit people.

Services that *use* the registry go through app.registries; these functions are the admin's tools over the
local registry's own tables, whichever backend the clinic's services use.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from app.core.clock import now
from app.core.iin import InvalidIin, normalise, parse_iin
from app.core.inputs import search_text
from app.extensions import db
from app.models import RegistryAttachment, RegistryPerson, RegistryRegisterEntry
from app.models.registry import REGISTER_CODES, name_key
from app.registries.local import LocalRegistry

log = logging.getLogger(__name__)

SEARCH_LIMIT = 50

# Shown in the admin pages and the CSV columns' order.
REGISTER_LABELS = {
    "tb": _l("TB dispensary register"),
    "psychiatry": _l("Psychiatric dynamic observation"),
    "narcology": _l("Narcological dynamic observation"),
}
REGISTER_SHORT_LABELS = {"tb": _l("TB"), "psychiatry": _l("Psychiatry"), "narcology": _l("Narcology")}


class PersonError(ValueError):
    """A change that cannot be made; `field` names the form field at fault, `message` is translatable."""

    def __init__(self, field_name: str, message):
        super().__init__(str(message))
        self.field = field_name
        self.message = message


@dataclass
class PersonRecord:
    """Everything the local registry holds about one person, as an admin or a CSV row gives it."""

    iin: str
    last_name: str
    first_name: str
    middle_name: str = ""
    address: str = ""
    phone: str = ""
    clinic_code: str | None = None
    clinic_name: str = ""
    district_number: int | None = None
    attached_since: date | None = None
    last_free_choice_on: date | None = None
    registers: dict[str, date | None] = field(default_factory=dict)  # register code -> since, None: not on it


@dataclass(frozen=True)
class SearchResult:
    people: list[RegistryPerson]
    total: int

    @property
    def is_truncated(self) -> bool:
        return self.total > len(self.people)


def search_people(query: str, *, limit: int = SEARCH_LIMIT) -> SearchResult:
    """By IIN (all 12 digits or the first few) or by name words in any order ("ахметов айдар")."""
    query = search_text(query)
    if not query:
        return SearchResult([], 0)
    digits = normalise(query)
    if digits.isdigit():
        condition = RegistryPerson.iin.startswith(digits, autoescape=True)
    else:
        words = query.casefold().split()
        condition = and_(*[RegistryPerson.name_key.contains(word, autoescape=True) for word in words])
    total = db.session.scalar(select(func.count()).select_from(RegistryPerson).where(condition)) or 0
    people = db.session.scalars(
        select(RegistryPerson)
        .where(condition)
        .order_by(RegistryPerson.last_name, RegistryPerson.first_name, RegistryPerson.iin)
        .limit(limit)
    ).all()
    return SearchResult(list(people), total)


def find_person(iin: str) -> RegistryPerson | None:
    return db.session.scalars(select(RegistryPerson).where(RegistryPerson.iin == normalise(iin))).first()


def count_people() -> int:
    return db.session.scalar(select(func.count()).select_from(RegistryPerson)) or 0


def record_of(person: RegistryPerson) -> PersonRecord:
    attachment = person.attachment
    return PersonRecord(
        iin=person.iin,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        address=person.address,
        phone=person.phone,
        clinic_code=attachment.clinic_code if attachment else None,
        clinic_name=attachment.clinic_name if attachment else "",
        district_number=attachment.district_number if attachment else None,
        attached_since=attachment.since if attachment else None,
        last_free_choice_on=attachment.last_free_choice_on if attachment else None,
        registers={code: _since(person, code) for code in REGISTER_CODES},
    )


def _since(person: RegistryPerson, register: str) -> date | None:
    entry = person.register_entry(register)
    return entry.since if entry else None


def create_person(record: PersonRecord) -> RegistryPerson:
    try:
        info = parse_iin(record.iin)
    except InvalidIin as error:
        raise PersonError("iin", error.message) from None
    if find_person(info.iin) is not None:
        raise PersonError("iin", _l("A person with this IIN is already in the registry."))
    person = RegistryPerson(iin=info.iin, birth_date=info.birth_date, sex=info.sex)
    db.session.add(person)
    _apply(person, record)
    db.session.flush()
    log.info("local registry: person #%s added", person.id)
    return person


def update_person(person: RegistryPerson, record: PersonRecord) -> RegistryPerson:
    """The IIN (and so birth date and sex) never changes: a different IIN is a different person."""
    _apply(person, record)
    db.session.flush()
    log.info("local registry: person #%s updated", person.id)
    return person


def _apply(person: RegistryPerson, record: PersonRecord) -> None:
    check_attachment(record)
    person.last_name = record.last_name.strip()
    person.first_name = record.first_name.strip()
    person.middle_name = (record.middle_name or "").strip()
    person.address = (record.address or "").strip()
    person.phone = record.phone or ""
    person.name_key = name_key(person.last_name, person.first_name, person.middle_name)
    person.updated_at = now()

    has_attachment = record.clinic_code or record.last_free_choice_on
    if has_attachment:
        if person.attachment is None:
            person.attachment = RegistryAttachment()
        person.attachment.clinic_code = record.clinic_code or None
        clinic_name = (record.clinic_name or "").strip()
        if record.clinic_code and not clinic_name:
            clinic_name = LocalRegistry.clinic_name_for(record.clinic_code)  # the name the code is known by
        person.attachment.clinic_name = clinic_name if record.clinic_code else ""
        person.attachment.district_number = record.district_number if record.clinic_code else None
        person.attachment.since = record.attached_since if record.clinic_code else None
        person.attachment.last_free_choice_on = record.last_free_choice_on
    elif person.attachment is not None:
        person.attachment = None

    for code in REGISTER_CODES:
        since = record.registers.get(code)
        entry = person.register_entry(code)
        if since is None and entry is not None:
            person.register_entries.remove(entry)
        elif since is not None and entry is None:
            person.register_entries.append(RegistryRegisterEntry(register=code, since=since))
        elif since is not None:
            entry.since = since


def check_attachment(record: PersonRecord) -> None:
    """An attachment names a clinic and a district; a district or date without a clinic is a mistake."""
    if not record.clinic_code:
        if record.district_number is not None or record.attached_since is not None or record.clinic_name:
            raise PersonError("clinic_code", _l("Enter the clinic code, or clear the attachment fields."))
        return
    if record.district_number is None or record.district_number < 1:
        raise PersonError("district_number", _l("Enter the district number (1 or more)."))


def normalise_phone(raw: str) -> str:
    """+7XXXXXXXXXX from the ways people write Kazakh numbers (8 701 ..., +7 (701) ..., 701...)."""
    digits = "".join(char for char in raw or "" if char.isdigit())
    if not digits:
        return ""
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError("not a Kazakhstan phone number")
    return "+7" + digits
