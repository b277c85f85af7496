"""Attachment to the clinic (regulations 001 service 3, 002 service 3, 003): apply, check, decide, hand over.

    application = submit_application(data, actor=Actor.patient(), channel="web")    # or channel="desk", files
    assessment = assess(application)            # the checks: grounds of refusal found, warnings, norms
    approve(application, district=district, actor=actor)           # registry, patient card, talon, SMS
    refuse(application, "free_choice_once_a_year", note="", actor=actor)   # reasoned refusal document, SMS

The flow, one service request (service "attachment") per application:
- submitted -> in_review once the register of attached population has answered (step "registry_checked"), or
  -> awaiting_registry when it cannot answer; `resume_attachment` (a registry_pending retry handler) carries
  on from there with everything the person entered.
- in_review -> completed (approved: attached in the register, talon issued) or refused (a regulation ground,
  a refusal document naming it), by a registrar or the head within one working day (the catalogue deadline).

The checks (regulation 002 item 17): identity document (desk), the once-a-year rule for a change by free
choice, the clinic's and the district's attached-population norms, and being attached to another clinic.
"Attached elsewhere" alone is no refusal: a change of clinic by free choice or because the person moved
replaces the old attachment in the register. Only an application for neither reason, from someone attached
elsewhere, meets the "more than one clinic" ground. Someone already attached here is told so and no
application is made. Whether the address lies in the clinic's territory is a warning, not a ground (the
person may choose a clinic freely), and it proposes the district.

Counts of the attached population come from the clinic's patient cards (Patient.district_id): the registry
contract answers per person and has no count, and approving an application keeps the card in step.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import notify
from app.core.actors import Actor
from app.core.bilingual import Bilingual as T
from app.core.clock import local_now, now
from app.core.iin import InvalidIin, parse_iin
from app.core.urls import absolute_url
from app.extensions import db
from app.models import (
    AttachmentApplication,
    AttachmentFile,
    Clinic,
    District,
    Document,
    ServiceRequest,
    StaffMember,
    StaffRole,
)
from app.models.attachment import REASONS
from app.models.requests import OPEN_STATUSES
from app.registries import Attachment, NotFound, RegistryUnavailable, get_registry
from app.services import catalogue, documents, registry_pending, request_summary, uploads
from app.services import requests as request_service
from app.services.clinic import DISTRICT_KINDS, district_patient_counts, get_clinic
from app.services.patients import card_from_registry, find_patient

log = logging.getLogger(__name__)

SERVICE = "attachment"
GROUNDS = catalogue.ATTACHMENT_GROUNDS
ADULT_AGE = 18  # paediatric districts serve children up to this age
MAX_ADDRESS = 500
MAX_NOTE = 1000

TALON_KIND = documents.register_kind(
    "attachment_talon",
    "ATT",
    T("МСАК ұйымына тіркелу туралы анықтама (талон)", "Справка (талон) о прикреплении к организации ПМСП"),
)
REFUSAL_KIND = documents.register_kind(
    "attachment_refusal",
    "ATR",
    T("МСАК ұйымына тіркеуден дәлелді бас тарту", "Мотивированный отказ в прикреплении к организации ПМСП"),
)

REASON_LABELS = {
    "residence": _l("Change of residence"),
    "free_choice": _l("Free choice of clinic"),
    "other": _l("Other reason"),
}
FILE_KIND_LABELS = {
    "application": _l("Application (scan or photo)"),
    "identity": _l("Identity document (scan or photo)"),
}
# The steps of an application's history, as the staff page shows them.
STEP_LABELS = {
    "submitted": _l("Application received"),
    "files_attached": _l("Files attached"),
    "registry_checked": _l("Checked against the register of attached population"),
    "registry_unavailable": _l("The registry did not answer"),
    "registry_retry": _l("The registry asked again"),
    "registry_still_unavailable": _l("The registry still did not answer"),
    "approved": _l("Approved"),
    "detached_from_previous": _l("Detached from the previous clinic"),
    "refused": _l("Refused"),
    "already_attached_here": _l("Closed: already attached here"),
    "sms_sent": _l("SMS sent"),
    "sms_failed": _l("SMS could not be sent"),
    "sms_skipped": _l("No phone for an SMS"),
    "document_revoked": _l("Document revoked"),
}
ACTOR_LABELS = {"patient": _l("Applicant"), "applicant": _l("Applicant"), "system": _l("System")}
WARNING_MESSAGES = {
    "not_checked": _l("The register of attached population has not answered yet: the checks are incomplete."),
    "outside_territory": _l(
        "The address is not in the clinic's territory (no district's street list matches it): choose the "
        "district yourself."
    ),
    "residence_outside_territory": _l(
        "The reason is a change of residence, but the new address is not in the clinic's territory."
    ),
    "district_full": _l("The proposed district has reached its norm: choose a district with room."),
}


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


def validate(data: ApplicationInput) -> ApplicationInput:
    """The input, cleaned; InvalidApplication names the field that is wrong."""
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
    doctor_id = data.preferred_doctor_id
    if doctor_id is not None and district_doctor(doctor_id) is None:
        raise InvalidApplication(_l("Choose a district doctor from the list."), field="preferred_doctor_id")
    return ApplicationInput(
        iin=iin,
        address=address,
        reason=data.reason,
        reason_note=note,
        preferred_doctor_id=doctor_id,
        phone=phone,
        identity_checked=bool(data.identity_checked),
        language=data.language if data.language in ("kk", "ru") else "kk",
    )


# ---- doctors and districts -------------------------------------------------------------------------------
def district_doctors() -> list[StaffMember]:
    """Active doctors who serve a district, by district number: the choice of a preferred doctor."""
    return list(
        db.session.scalars(
            select(StaffMember)
            .join(StaffRole)
            .join(District, District.id == StaffMember.district_id)
            .where(StaffMember.is_active_account.is_(True), StaffRole.role == "doctor")
            .order_by(District.number, StaffMember.full_name)
        )
    )


def district_doctor(doctor_id: int) -> StaffMember | None:
    return next((doctor for doctor in district_doctors() if doctor.id == doctor_id), None)


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.number)))


# Street-type words are dropped before matching: "Абай даңғылы" and "проспект Абая" name the same street.
# fmt: off
_STREET_WORDS = frozenset((
    "көшесі", "көше", "к", "даңғылы", "даңғ", "д", "ул", "улица", "пр", "т", "просп", "проспект",
    "мкр", "микрорайон", "шағын", "ауданы", "аудан", "ша", "бульвары", "бульвар", "б", "р",
    "переулок", "пер", "тұйығы", "тұйық", "алаңы", "площадь", "шоссе",
))
# fmt: on
_KAZAKH_LETTERS = str.maketrans("әғқңөұүһі", "агкноуухи")
_HOUSE_RANGE = re.compile(r"(\d+)\s*[-–—]\s*(\d+)\s*$")


def _tokens(text: str) -> list[str]:
    folded = text.casefold().replace("ё", "е").translate(_KAZAKH_LETTERS)
    return [token for token in re.split(r"[^\w]+", folded) if token]


def _normalised_street_words() -> frozenset[str]:
    return frozenset(token for word in _STREET_WORDS for token in _tokens(word))


def _same_word(core: str, word: str) -> bool:
    """A street's name against a word of an address, allowing Russian case endings ("Абай" ~ "Абая")."""
    if word == core:
        return True
    if len(core) >= 4 and word.startswith(core) and len(word) - len(core) <= 2:
        return True
    return len(core) >= 4 and core[-1] in "йьиыа" and len(word) == len(core) and word.startswith(core[:-1])


@dataclass(frozen=True)
class TerritoryLine:
    words: tuple[str, ...]
    houses: tuple[int, int] | None

    @classmethod
    def parse(cls, line: str) -> "TerritoryLine | None":
        houses = None
        match = _HOUSE_RANGE.search(line)
        if match:
            low, high = int(match[1]), int(match[2])
            houses = (min(low, high), max(low, high))
            line = line[: match.start()]
        street_words = _normalised_street_words()
        words = tuple(token for token in _tokens(line) if token not in street_words and not token.isdigit())
        return cls(words, houses) if words else None

    def matches(self, address_tokens: list[str]) -> bool:
        size = len(self.words)
        for start in range(len(address_tokens) - size + 1):
            window = address_tokens[start : start + size]
            if all(_same_word(core, word) for core, word in zip(self.words, window, strict=True)):
                if self.houses is None:
                    return True
                house = _house_after(address_tokens, start + size)
                if house is None or self.houses[0] <= house <= self.houses[1]:
                    return True
        return False


def _house_after(tokens: list[str], index: int) -> int | None:
    for token in tokens[index : index + 3]:
        digits = re.match(r"\d+", token)
        if digits:
            return int(digits[0])
    return None


def districts_for_address(address: str) -> list[District]:
    """Districts whose territory (one street per line, optionally "1-49" for houses) includes the address."""
    address_tokens = _tokens(address)
    found = []
    for district in districts():
        lines = (TerritoryLine.parse(line) for line in (district.territory or "").splitlines())
        if any(line is not None and line.matches(address_tokens) for line in lines):
            found.append(district)
    return found


def _kind_preference(birth_date: date | None, today: date) -> tuple[str, ...]:
    if birth_date is None:
        return ("therapeutic", "gp", "paediatric")
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    return ("paediatric", "gp", "therapeutic") if age < ADULT_AGE else ("therapeutic", "gp")


def propose_district(address: str, birth_date: date | None, today: date | None = None) -> District | None:
    """The district for this address and age: a child goes to a paediatric district, an adult to a
    therapeutic one, a general practice district takes both."""
    today = today or local_now().date()
    matching = districts_for_address(address)
    for kind in _kind_preference(birth_date, today):
        for district in matching:
            if district.kind == kind:
                return district
    return None


# ---- the attached population -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DistrictLoad:
    district: District
    count: int

    @property
    def norm(self) -> int:
        return self.district.population_norm

    @property
    def is_full(self) -> bool:
        return self.count >= self.norm

    @property
    def room(self) -> int:
        return max(0, self.norm - self.count)


@dataclass(frozen=True)
class Population:
    clinic_count: int
    clinic_norm: int
    districts: list[DistrictLoad]

    @property
    def clinic_full(self) -> bool:
        return self.clinic_count >= self.clinic_norm

    def load_of(self, district: District | None) -> DistrictLoad | None:
        if district is None:
            return None
        return next((load for load in self.districts if load.district.id == district.id), None)


def population() -> Population:
    counts = district_patient_counts()
    clinic = get_clinic()
    loads = [DistrictLoad(district, counts.get(district.id, 0)) for district in districts()]
    return Population(
        clinic_count=sum(load.count for load in loads),
        clinic_norm=clinic.attached_population_norm if clinic else 0,
        districts=loads,
    )


# ---- the checks ------------------------------------------------------------------------------------------
def next_free_choice_on(last_free_choice_on: date) -> date:
    """A year after the last change by free choice (29 February moves to 1 March)."""
    try:
        return last_free_choice_on.replace(year=last_free_choice_on.year + 1)
    except ValueError:
        return date(last_free_choice_on.year + 1, 3, 1)


@dataclass(frozen=True)
class Assessment:
    """What the checks say about an application, for the person deciding. `grounds` are regulation refusal
    grounds that apply (approval is blocked while any does); warnings need a look but block nothing."""

    grounds: list[str]
    warnings: list[str]
    district: District | None  # where the person would be attached
    population: Population
    next_free_choice_on: date | None = None
    attached_elsewhere: bool = False
    details: dict[str, str] = field(default_factory=dict)

    @property
    def can_approve(self) -> bool:
        return not self.grounds and self.district is not None

    def ground_name(self, code: str) -> str:
        return str(GROUNDS[code])

    @property
    def warning_messages(self) -> list[str]:
        return [str(WARNING_MESSAGES[code]) for code in self.warnings]


def default_district(application: AttachmentApplication) -> District | None:
    """The preferred doctor's district when the person named one, else the one proposed from the address."""
    if application.preferred_doctor is not None and application.preferred_doctor.district is not None:
        return application.preferred_doctor.district
    return application.proposed_district


def assess(application: AttachmentApplication, district: District | None = None) -> Assessment:
    """Run the checks against what the registry answered last and the clinic's counts now."""
    today = local_now().date()
    target = district or default_district(application)
    counts = population()
    grounds, warnings, details = [], [], {}

    if not application.identity_checked:
        grounds.append("requirements_not_met")
    next_allowed = None
    if application.reason == "free_choice" and application.last_free_choice_on is not None:
        next_allowed = next_free_choice_on(application.last_free_choice_on)
        if today < next_allowed:
            grounds.append("free_choice_once_a_year")
            details["free_choice_once_a_year"] = _(
                "The last change of clinic by free choice was on %(last)s; "
                "the next is possible from %(next)s",
                last=application.last_free_choice_on.strftime("%d.%m.%Y"),
                next=next_allowed.strftime("%d.%m.%Y"),
            )
    load = counts.load_of(target)
    deciding = district is not None
    if counts.clinic_full:
        grounds.append("population_norm_exceeded")
        details["population_norm_exceeded"] = ngettext(
            "The clinic has %(num)d attached person with a norm of %(norm)s",
            "The clinic has %(num)d attached people with a norm of %(norm)s",
            counts.clinic_count,
            norm=counts.clinic_norm,
        )
    elif load is not None and load.is_full:
        if deciding:  # approving into a full district: its norm is the ground
            grounds.append("population_norm_exceeded")
        else:
            warnings.append("district_full")
        details["population_norm_exceeded"] = ngettext(
            "District %(number)s has %(num)d attached person with a norm of %(norm)s",
            "District %(number)s has %(num)d attached people with a norm of %(norm)s",
            load.count,
            number=load.district.number,
            norm=load.norm,
        )
    attached_elsewhere = bool(application.previous_clinic_code)
    if attached_elsewhere and application.reason == "other":
        grounds.append("attached_elsewhere")
        details["attached_elsewhere"] = _(
            "Attached to %(clinic)s; the application gives neither a change of residence nor a free choice",
            clinic=application.previous_clinic_name or application.previous_clinic_code,
        )

    if application.checked_at is None:
        warnings.insert(0, "not_checked")
    elif not districts_for_address(application.address):
        warnings.append(
            "residence_outside_territory" if application.reason == "residence" else "outside_territory"
        )
    return Assessment(
        grounds=grounds,
        warnings=warnings,
        district=target,
        population=counts,
        next_free_choice_on=next_allowed,
        attached_elsewhere=attached_elsewhere,
        details=details,
    )


# ---- applying --------------------------------------------------------------------------------------------
def open_application_of(iin: str) -> AttachmentApplication | None:
    return db.session.scalars(
        select(AttachmentApplication)
        .join(ServiceRequest, ServiceRequest.id == AttachmentApplication.request_id)
        .where(AttachmentApplication.iin == iin, ServiceRequest.status.in_(OPEN_STATUSES))
        .order_by(AttachmentApplication.id.desc())
    ).first()


def _is_here(attachment: Attachment | None, clinic: Clinic | None) -> bool:
    return bool(attachment and clinic and clinic.code and attachment.clinic_code == clinic.code)


def submit_application(
    data: ApplicationInput,
    *,
    actor: Actor,
    channel: str,
    files: list[UploadInput] | tuple = (),
) -> AttachmentApplication:
    """Register an application and run the checks.

    Raises InvalidApplication (the field and why), uploads.UploadError (a file: nothing is stored),
    AlreadyAttachedHere, ApplicationPending or PersonUnknown; none of them leaves anything behind. When the
    registry cannot answer, the application is kept in `awaiting_registry` with everything entered.
    """
    data = validate(data)
    checked_files = []
    for upload in files:
        try:
            checked_files.append((upload.kind, uploads.check(upload.stream, upload.filename)))
        except uploads.UploadError as error:
            error.field = f"{upload.kind}_file"
            raise
    pending = open_application_of(data.iin)
    if pending is not None:
        raise ApplicationPending(pending.request.number)

    clinic = get_clinic()
    patient = find_patient(data.iin)
    attachment, person, registry_down = None, None, False
    registry = get_registry()
    try:
        attachment = registry.attachment_of(data.iin)
        if patient is None:
            person = registry.find_person(data.iin)
    except NotFound:
        raise PersonUnknown() from None
    except RegistryUnavailable as error:
        log.warning("attachment application for a new applicant: registry unavailable (%s)", error.reason)
        registry_down = True
    if _is_here(attachment, clinic):
        raise AlreadyAttachedHere(attachment.district_number)
    if patient is None and person is not None:
        patient = card_from_registry(person, language=data.language)

    request = request_service.create_request(
        SERVICE, channel=channel, actor=actor, subject=patient, language=data.language
    )
    application = AttachmentApplication(
        request=request,
        iin=data.iin,
        address=data.address,
        phone=data.phone,
        reason=data.reason,
        reason_note=data.reason_note,
        preferred_doctor_id=data.preferred_doctor_id,
        identity_checked=data.identity_checked,
        findings={},
    )
    db.session.add(application)
    db.session.flush()
    stored_names = []
    try:
        for kind, checked in checked_files:
            stored = uploads.save(checked)
            stored_names.append(stored.stored_name)
            db.session.add(
                AttachmentFile(
                    application=application,
                    kind=kind,
                    stored_name=stored.stored_name,
                    original_name=stored.original_name,
                    content_type=stored.content_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    uploaded_at=now(),
                    uploaded_by_id=actor.staff_id,
                )
            )
        db.session.flush()
        if stored_names:
            request_service.record_step(
                request, "files_attached", actor=actor, note=f"{len(stored_names)} files"
            )
        if registry_down:
            registry_pending.wait_for_registry(request, actor=actor)
        else:
            _record_check(application, attachment, actor=actor)
    except Exception:
        for name in stored_names:  # the request will roll back: leave no orphaned file on disk
            uploads.remove(name)
        raise
    log.info("attachment application %s registered via %s", request.number, channel)
    return application


def _birth_date_of(application: AttachmentApplication) -> date | None:
    try:
        return parse_iin(application.iin).birth_date
    except InvalidIin:
        return None


def _record_check(application: AttachmentApplication, attachment: Attachment, *, actor: Actor) -> None:
    """Keep what the register of attached population said, propose the district, and put the application in
    review (or, if it waited for the registry, move it on)."""
    clinic = get_clinic()
    elsewhere = attachment.is_attached and not _is_here(attachment, clinic)
    application.previous_clinic_code = attachment.clinic_code if elsewhere else ""
    application.previous_clinic_name = attachment.clinic_name if elsewhere else ""
    application.last_free_choice_on = attachment.last_free_choice_on
    application.checked_at = now()
    application.proposed_district = propose_district(application.address, _birth_date_of(application))
    result = assess(application)
    application.findings = {"grounds": result.grounds, "warnings": result.warnings}
    db.session.flush()
    request = application.request
    note = ", ".join(result.grounds) or "no grounds"
    if request.status == "in_review":
        request_service.record_step(request, "registry_checked", actor=actor, note=note)
    else:
        request_service.transition(request, "in_review", actor=actor, step="registry_checked", note=note)


def resume_attachment(request: ServiceRequest, actor: Actor) -> None:
    """Retry handler: the registry answers again, so run the checks the application waited for."""
    application = application_for_request(request)
    if application is None:
        return
    registry = get_registry()
    try:
        attachment = registry.attachment_of(application.iin)  # RegistryUnavailable: keep waiting
        person = registry.find_person(application.iin) if request.subject is None else None
    except NotFound:
        request_service.refuse(
            request,
            "requirements_not_met",
            actor=actor,
            note="no such person in the state database of individuals",
        )
        _issue_refusal_document(application)
        return
    if _is_here(attachment, get_clinic()):
        request_service.transition(
            request, "cancelled", actor=actor, step="already_attached_here", note="attached here already"
        )
        return
    if person is not None:
        request.subject = find_patient(application.iin) or card_from_registry(
            person, language=request.language
        )
        request.applicant = request.applicant or request.subject
    _record_check(application, attachment, actor=actor)


registry_pending.register_retry_handler(SERVICE, resume_attachment)


def recheck(application: AttachmentApplication, *, actor: Actor, channel: str = "desk") -> str:
    """Ask the registry again: "checked", or a registry_pending result word for a waiting application.
    Raises RegistryUnavailable when an application in review cannot be checked now (it stays as it was)."""
    request = application.request
    if request.status == registry_pending.AWAITING_REGISTRY:
        return registry_pending.retry(request, actor, channel=channel).result
    if request.status != "in_review":
        raise NotDecidable()
    try:
        attachment = get_registry().attachment_of(application.iin)
    except NotFound:
        raise PersonUnknown() from None
    if _is_here(attachment, get_clinic()):
        request_service.transition(
            request, "cancelled", actor=actor, step="already_attached_here", channel=channel
        )
        return "cancelled"
    _record_check(application, attachment, actor=actor)
    return "checked"


# ---- deciding --------------------------------------------------------------------------------------------
def approve(
    application: AttachmentApplication, *, district: District | None, actor: Actor, channel: str = "desk"
) -> Document:
    """Attach the person in the register (replacing any attachment elsewhere), keep the card in step, issue
    the talon and send an SMS. Raises NotDecidable, DecisionBlocked, RegistryUnavailable (nothing changed)."""
    request = application.request
    if request.status != "in_review":
        raise NotDecidable()
    clinic = get_clinic()
    if clinic is None or not clinic.code:
        raise DecisionBlocked(
            _l(
                "The clinic's code in the register of attached population is not set: "
                "the administrator sets it."
            )
        )
    registry = get_registry()
    try:
        current = registry.attachment_of(application.iin)
        patient = request.subject or find_patient(application.iin)
        person = registry.find_person(application.iin) if patient is None else None
    except NotFound:
        raise DecisionBlocked(PersonUnknown().message, ground="requirements_not_met") from None
    already_here = _is_here(current, clinic)
    if not already_here:
        elsewhere = current.is_attached
        application.previous_clinic_code = current.clinic_code if elsewhere else ""
        application.previous_clinic_name = current.clinic_name if elsewhere else ""
        application.last_free_choice_on = current.last_free_choice_on
        application.checked_at = now()
    result = assess(application, district=district)
    if result.district is None:
        raise DecisionBlocked(_l("Choose the district the person is attached to."))
    if result.grounds:
        ground = result.grounds[0]
        detail = result.details.get(ground)
        raise DecisionBlocked(
            _l(
                "The application cannot be approved: %(ground)s (%(detail)s). Choose another district if "
                "that helps, or refuse the application on this ground.",
                ground=result.ground_name(ground),
                detail=detail,
            )
            if detail
            else _l(
                "The application cannot be approved: %(ground)s. Refuse the application on this ground.",
                ground=result.ground_name(ground),
            ),
            ground=ground,
        )
    target = result.district
    today = local_now().date()

    with db.session.begin_nested():  # the registry is written last: if it fails, nothing here stays either
        if patient is None:
            patient = card_from_registry(person, language=request.language)
        request.subject = patient
        request.applicant = request.applicant or patient
        patient.address = application.address
        patient.district = target
        if application.phone:
            patient.phone = application.phone
        application.district = target
        application.attached_on = today
        application.decided_at = now()
        application.decided_by_id = actor.staff_id
        db.session.flush()
        talon = documents.issue_document(
            TALON_KIND.code,
            "documents/attachment_talon.html",
            _talon_context(application, patient, target, clinic),
            subject=patient,
            language=request.language,
            valid_until=None,
        )
        registry.attach(
            application.iin,
            clinic.code,
            target.number,
            today,
            free_choice=application.reason == "free_choice" and not already_here,
        )
    request.result_document_id = talon.id
    if application.previous_clinic_code and not already_here:
        request_service.record_step(
            request,
            "detached_from_previous",
            actor=actor,
            channel=channel,
            note=application.previous_clinic_name or application.previous_clinic_code,
        )
    request_service.transition(
        request, "completed", actor=actor, step="approved", channel=channel, note=f"district {target.number}"
    )
    _send_sms(application, "approved")
    log.info("attachment %s approved: district %s", request.number, target.number)
    return talon


def refuse(
    application: AttachmentApplication, ground: str, *, note: str = "", actor: Actor, channel: str = "desk"
) -> Document:
    """Refuse on one of the four regulation grounds, with a printable reasoned refusal naming it."""
    request = application.request
    if not request.is_open:
        raise NotDecidable()
    if ground not in GROUNDS:
        raise InvalidApplication(_l("Choose the ground of the refusal."), field="ground")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidApplication(
            _l("The text is too long: at most %(max)s characters.", max=MAX_NOTE), field="note"
        )
    application.decided_at = now()
    application.decided_by_id = actor.staff_id
    request_service.refuse(request, ground, actor=actor, channel=channel, note=note)
    document = _issue_refusal_document(application)
    _send_sms(application, "refused")
    log.info("attachment %s refused: %s", request.number, ground)
    return document


def _issue_refusal_document(application: AttachmentApplication) -> Document:
    request = application.request
    clinic = get_clinic()
    with force_locale(request.language):  # the checks' own words, in the document's language
        detail = assess(application).details.get(request.refusal_ground, "")
    document = documents.issue_document(
        REFUSAL_KIND.code,
        "documents/attachment_refusal.html",
        {
            "application": application,
            "request": request,
            "clinic": clinic,
            "ground": GROUNDS[request.refusal_ground],
            "detail": detail,
            "full_name": request.subject.full_name if request.subject else "",
        },
        subject=request.subject,
        language=request.language,
        valid_until=None,
    )
    request.result_document_id = document.id
    db.session.flush()
    return document


def _talon_context(application, patient, district, clinic) -> dict:
    doctors = [doctor for doctor in district_doctors() if doctor.district_id == district.id]
    return {
        "application": application,
        "request": application.request,
        "patient": patient,
        "district": district,
        "doctors": doctors,
        "clinic": clinic,
        "reason_label": REASON_LABELS[application.reason],
    }


def _send_sms(application: AttachmentApplication, outcome: str) -> None:
    request = application.request
    phone = (request.subject.phone if request.subject else "") or application.phone
    if not phone:
        request_service.record_step(request, "sms_skipped", actor=Actor.system(), note="no phone on file")
        return
    clinic = get_clinic()
    link = absolute_url("attachment.show_application", number=request.number)

    def text():
        if outcome == "approved":
            return _(
                "Application %(number)s is approved: you are attached to %(clinic)s, district %(district)s. "
                "The talon: %(link)s",
                number=request.number,
                clinic=clinic.name(request.language) if clinic else "",
                district=application.district.number if application.district else "",
                link=link,
            )
        return _(
            "Application %(number)s for attachment is refused: %(ground)s. The reasoned refusal: %(link)s",
            number=request.number,
            ground=str(GROUNDS[request.refusal_ground]),
            link=link,
        )

    try:
        notify.send_localized(phone, request.language, text, purpose=f"attachment_{outcome}")
    except notify.SmsUnavailable as error:
        request_service.record_step(request, "sms_failed", actor=Actor.system(), note=error.reason)
    else:
        request_service.record_step(request, "sms_sent", actor=Actor.system(), note=outcome)


def step_label(step: str) -> str:
    label = STEP_LABELS.get(step)
    return str(label) if label is not None else step


def actor_label(label: str) -> str:
    known = ACTOR_LABELS.get(label)
    return str(known) if known is not None else label


# ---- reading ---------------------------------------------------------------------------------------------
def application_for_request(request: ServiceRequest) -> AttachmentApplication | None:
    return db.session.scalars(
        select(AttachmentApplication).where(AttachmentApplication.request_id == request.id)
    ).first()


def attachment_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """What an approved application gave, for the status page (app.services.request_summary): the district,
    its doctors and the day of attachment. Before the decision there is nothing to add to the status."""
    application = application_for_request(request)
    if application is None or request.status != "completed" or application.district is None:
        return None
    district = application.district
    kind = DISTRICT_KINDS.get(district.kind)
    facts = [
        request_summary.Fact(
            _("District"),
            f"{district.number} ({str(kind).lower()})" if kind is not None else str(district.number),
        )
    ]
    doctors = [doctor.full_name for doctor in district_doctors() if doctor.district_id == district.id]
    if doctors:
        facts.append(request_summary.Fact(_("District doctor"), ", ".join(doctors)))
    if application.attached_on:
        attached_on = format_date(application.attached_on, "d MMMM yyyy")
        facts.append(request_summary.Fact(_("Attached from"), attached_on))
    return request_summary.Summary(title=_("Your attachment to the clinic"), facts=tuple(facts))


request_summary.register(SERVICE, attachment_summary)


def find_by_number(number: str) -> AttachmentApplication | None:
    request = request_service.find_by_number(number or "")
    if request is None or request.service != SERVICE:
        return None
    return application_for_request(request)


def get_file(file_id: int) -> AttachmentFile | None:
    return db.session.get(AttachmentFile, file_id)


def deadline_warning() -> timedelta:
    value = current_app.config.get("ATTACHMENT_DEADLINE_WARNING", timedelta(hours=2))
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def deadline_state(request: ServiceRequest, moment: datetime | None = None) -> str:
    """ "overdue", "due_soon" (within ATTACHMENT_DEADLINE_WARNING of the deadline) or "on_time"; "" once
    decided."""
    if not request.is_open or request.deadline_at is None:
        return ""
    moment = moment or now()
    if moment > request.deadline_at:
        return "overdue"
    if request.deadline_at - moment <= deadline_warning():
        return "due_soon"
    return "on_time"


def open_applications(limit: int = 500) -> list[AttachmentApplication]:
    """The decision queue: open applications, the nearest deadline first."""
    return list(
        db.session.scalars(
            select(AttachmentApplication)
            .join(ServiceRequest, ServiceRequest.id == AttachmentApplication.request_id)
            .where(ServiceRequest.status.in_(OPEN_STATUSES))
            .order_by(ServiceRequest.deadline_at, ServiceRequest.id)
            .limit(limit)
        )
    )


def recent_decisions(days: int = 30, limit: int = 100) -> list[AttachmentApplication]:
    """Approved and refused applications of the last `days` days, newest first (the "recent changes")."""
    since = now() - timedelta(days=days)
    return list(
        db.session.scalars(
            select(AttachmentApplication)
            .join(ServiceRequest, ServiceRequest.id == AttachmentApplication.request_id)
            .where(
                ServiceRequest.status.in_(("completed", "refused")),
                AttachmentApplication.decided_at >= since,
            )
            .order_by(AttachmentApplication.decided_at.desc(), AttachmentApplication.id.desc())
            .limit(limit)
        )
    )


def applications_of(iin: str, limit: int = 20) -> list[AttachmentApplication]:
    return list(
        db.session.scalars(
            select(AttachmentApplication)
            .where(AttachmentApplication.iin == iin)
            .order_by(AttachmentApplication.id.desc())
            .limit(limit)
        )
    )


def result_document(application: AttachmentApplication) -> Document | None:
    document_id = application.request.result_document_id
    document = db.session.get(Document, document_id) if document_id else None
    return document if document is not None and document.revoked_at is None else None


@dataclass(frozen=True)
class Applicant:
    """Who is applying, for the form: from the clinic's card, else from the state database of individuals."""

    full_name: str
    masked_name: str
    address: str


def applicant_of(iin: str) -> Applicant | None:
    patient = find_patient(iin)
    if patient is not None:
        return Applicant(patient.full_name, patient.masked_name, patient.address)
    try:
        person = get_registry().find_person(iin)
    except (NotFound, RegistryUnavailable):
        return None
    initials = " ".join(f"{part[0]}." for part in (person.first_name, person.middle_name) if part)
    masked = f"{person.last_name[:1]}{'*' * max(0, len(person.last_name) - 1)} {initials}".strip()
    return Applicant(person.full_name, masked, person.address)


def current_attachment(iin: str) -> Attachment | None:
    """The register's answer for the form's "you are attached to" line; None when it cannot say now."""
    try:
        return get_registry().attachment_of(iin)
    except (NotFound, RegistryUnavailable):
        return None
