"""Reading attachment: the clinic's district doctors and districts, the attached population, the checks of an
application (`assess`), the decision queue, recent decisions, the status page's summary, and what the
registry says about a person for the application form.

Nothing here changes an application. The desk's reads of a person's data (`decision_queue`,
`application_for_desk`, `document_to_print`, `file_for_download`, `population_overview`) take the staff
actor and write the audit entry of the read.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.core.actors import Actor
from app.core.clock import local_now, now
from app.core.inputs import to_id
from app.core.transaction_cache import remembered
from app.extensions import db
from app.models import (
    AttachmentApplication,
    AttachmentFile,
    District,
    Document,
    ServiceRequest,
    StaffMember,
    StaffRole,
)
from app.models.requests import OPEN_STATUSES
from app.registries import Attachment, NotFound, RegistryUnavailable, get_registry
from app.services import audit, request_summary, uploads
from app.services import requests as request_service
from app.services.attachment import territory, texts
from app.services.attachment.rules import (
    SERVICE,
    ApplicationInput,
    InvalidApplication,
    clean_input,
    deadline_warning,
    next_free_choice_on,
)
from app.services.clinic import DISTRICT_KINDS, district_patient_counts, get_clinic
from app.services.patients import find_patient

# The type an uploaded file was checked to be on upload, and the extension it is downloaded with.
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


# ---- doctors and districts -------------------------------------------------------------------------------
def district_doctors() -> list[StaffMember]:
    """Active doctors who serve a district, by district number: the choice of a preferred doctor. Read once
    per transaction (a person's list of requests asks for every approved application)."""
    return remembered(
        ("district_doctors",),
        lambda: list(
            db.session.scalars(
                select(StaffMember)
                .join(StaffRole)
                .join(District, District.id == StaffMember.district_id)
                .where(StaffMember.is_active_account.is_(True), StaffRole.role == "doctor")
                .order_by(District.number, StaffMember.full_name)
            )
        ),
        depends_on=(StaffMember, StaffRole, District),
    )


def district_doctor(doctor_id: int) -> StaffMember | None:
    return next((doctor for doctor in district_doctors() if doctor.id == doctor_id), None)


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.number)))


def get_district(district_id: str | int | None) -> District | None:
    """The district a form chose (its id as posted), or None for none or a value that is not one."""
    found = to_id(district_id)
    return db.session.get(District, found) if found else None


def clinic_code() -> str:
    """This clinic's code in the register of attached population ("" until the administrator sets it)."""
    clinic = get_clinic()
    return clinic.code if clinic else ""


def districts_for_address(address: str) -> list[District]:
    """Districts whose territory (one street per line, optionally "1-49" for houses) includes the address."""
    return territory.matching_districts(address, districts())


def propose_district(address: str, birth_date: date | None, today: date | None = None) -> District | None:
    """The district for this address and age: a child goes to a paediatric district, an adult to a
    therapeutic one, a general practice district takes both."""
    return territory.district_for_age(districts_for_address(address), birth_date, today or local_now().date())


def validate(data: ApplicationInput) -> ApplicationInput:
    """The input, cleaned; InvalidApplication names the field that is wrong."""
    data = clean_input(data)
    if data.preferred_doctor_id is not None and district_doctor(data.preferred_doctor_id) is None:
        raise InvalidApplication(_l("Choose a district doctor from the list."), field="preferred_doctor_id")
    return data


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
    """Counts of the attached population, from the clinic's patient cards (Patient.district_id): the registry
    contract answers per person and has no count, and approving an application keeps the card in step."""
    counts = district_patient_counts()
    clinic = get_clinic()
    loads = [DistrictLoad(district, counts.get(district.id, 0)) for district in districts()]
    return Population(
        clinic_count=sum(load.count for load in loads),
        clinic_norm=clinic.attached_population_norm if clinic else 0,
        districts=loads,
    )


# ---- the checks ------------------------------------------------------------------------------------------
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
        return texts.ground_name(code)

    @property
    def warning_messages(self) -> list[str]:
        return [str(texts.WARNING_MESSAGES[code]) for code in self.warnings]


def default_district(application: AttachmentApplication) -> District | None:
    """The preferred doctor's district when the person named one, else the one proposed from the address."""
    if application.preferred_doctor is not None and application.preferred_doctor.district is not None:
        return application.preferred_doctor.district
    return application.proposed_district


def assess(application: AttachmentApplication, district: District | None = None) -> Assessment:
    """Run the checks (regulation 002 item 17) against what the registry answered last and the clinic's
    counts now: the identity document (desk), the once-a-year rule for a change by free choice, the clinic's
    and the district's attached-population norms, and being attached to another clinic. "Attached
    elsewhere" alone is no refusal: only an application for neither a move nor a free choice meets the
    "more than one clinic" ground. An address outside the territory is a warning, not a ground."""
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
            details["free_choice_once_a_year"] = texts.free_choice_detail(
                application.last_free_choice_on, next_allowed
            )
    load = counts.load_of(target)
    deciding = district is not None
    if counts.clinic_full:
        grounds.append("population_norm_exceeded")
        details["population_norm_exceeded"] = texts.clinic_norm_detail(
            counts.clinic_count, counts.clinic_norm
        )
    elif load is not None and load.is_full:
        if deciding:  # approving into a full district: its norm is the ground
            grounds.append("population_norm_exceeded")
        else:
            warnings.append("district_full")
        details["population_norm_exceeded"] = texts.district_norm_detail(
            load.district.number, load.count, load.norm
        )
    attached_elsewhere = bool(application.previous_clinic_code)
    if attached_elsewhere and application.reason == "other":
        grounds.append("attached_elsewhere")
        details["attached_elsewhere"] = texts.attached_elsewhere_detail(
            application.previous_clinic_name or application.previous_clinic_code
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


# ---- applications ----------------------------------------------------------------------------------------
def open_application_of(iin: str) -> AttachmentApplication | None:
    return db.session.scalars(
        select(AttachmentApplication)
        .join(ServiceRequest, ServiceRequest.id == AttachmentApplication.request_id)
        .where(AttachmentApplication.iin == iin, ServiceRequest.status.in_(OPEN_STATUSES))
        .order_by(AttachmentApplication.id.desc())
    ).first()


def application_for_request(request: ServiceRequest) -> AttachmentApplication | None:
    return request_summary.row_of(AttachmentApplication, request)


def prefetch_applications(requests: list[ServiceRequest]) -> None:
    """The applications of many requests and their districts, in one query each (a person's list)."""
    request_summary.prefetch_rows(
        AttachmentApplication, requests, selectinload(AttachmentApplication.district)
    )


def find_by_number(number: str) -> AttachmentApplication | None:
    request = request_service.find_by_number(number or "")
    if request is None or request.service != SERVICE:
        return None
    return application_for_request(request)


def get_file(file_id: int) -> AttachmentFile | None:
    return db.session.get(AttachmentFile, file_id)


def result_document(application: AttachmentApplication) -> Document | None:
    document_id = application.request.result_document_id
    document = db.session.get(Document, document_id) if document_id else None
    return document if document is not None and document.revoked_at is None else None


def applications_of(iin: str, limit: int = 20) -> list[AttachmentApplication]:
    return list(
        db.session.scalars(
            select(AttachmentApplication)
            .where(AttachmentApplication.iin == iin)
            .order_by(AttachmentApplication.id.desc())
            .limit(limit)
        )
    )


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
            .join(AttachmentApplication.request)
            .options(contains_eager(AttachmentApplication.request).selectinload(ServiceRequest.subject))
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
            .join(AttachmentApplication.request)
            .options(
                contains_eager(AttachmentApplication.request).selectinload(ServiceRequest.subject),
                selectinload(AttachmentApplication.district),
            )
            .where(
                ServiceRequest.status.in_(("completed", "refused")),
                AttachmentApplication.decided_at >= since,
            )
            .order_by(AttachmentApplication.decided_at.desc(), AttachmentApplication.id.desc())
            .limit(limit)
        )
    )


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


# ---- the person, for the application form ----------------------------------------------------------------
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


# ---- the desk's audited reads ----------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueRow:
    application: AttachmentApplication
    state: str  # deadline_state

    @property
    def request(self) -> ServiceRequest:
        return self.application.request


def decision_queue(*, actor: Actor) -> list[QueueRow]:
    """The open applications with their deadline state, the nearest deadline first; audits the list."""
    applications = open_applications()
    audit.audit(actor, "view", "attachment_queue", detail=f"{len(applications)} open applications listed")
    moment = now()
    return [QueueRow(item, deadline_state(item.request, moment)) for item in applications]


def application_for_desk(number: str, *, actor: Actor) -> AttachmentApplication | None:
    """The application `number` for the desk's page of it (None: there is none); audits the view."""
    application = find_by_number(number)
    if application is not None:
        request = application.request
        audit.audit(
            actor, "view", "attachment_application", object_id=request.number, patient_id=request.subject_id
        )
    return application


def document_to_print(application: AttachmentApplication, *, actor: Actor) -> Document | None:
    """The talon or the reasoned refusal of the application, to print at the desk; audits the print."""
    document = result_document(application)
    if document is not None:
        audit.audit(
            actor,
            "print",
            "document",
            object_id=document.number,
            patient_id=application.request.subject_id,
            detail=f"{document.kind} of {application.request.number}",
        )
    return document


@dataclass(frozen=True)
class FileDownload:
    data: bytes
    content_type: str  # the type checked on upload, never guessed again
    filename: str


def file_for_download(file_id: int, *, actor: Actor) -> FileDownload | None:
    """A file a person brought to the desk (staff only: files are never served to patients), or None when
    its content is gone; audits the download."""
    stored = get_file(file_id)
    data = uploads.read(stored.stored_name) if stored is not None else None
    if data is None:
        return None
    request = stored.application.request
    audit.audit(
        actor,
        "view",
        "attachment_file",
        object_id=stored.id,
        patient_id=request.subject_id,
        detail=f"downloaded the {stored.kind} file of {request.number}",
    )
    extension = _EXTENSIONS[stored.content_type]
    return FileDownload(data, stored.content_type, f"{request.number}-{stored.kind}.{extension}")


@dataclass(frozen=True)
class PopulationOverview:
    population: Population
    recent: list[AttachmentApplication]  # recent_decisions
    doctors: list[StaffMember]  # district_doctors


def population_overview(*, actor: Actor) -> PopulationOverview:
    """The attached population by district and the decisions of the last 30 days; audits the view."""
    counts = population()
    recent = recent_decisions()
    audit.audit(actor, "view", "attached_population", detail=f"{len(recent)} recent decisions listed")
    return PopulationOverview(counts, recent, district_doctors())
