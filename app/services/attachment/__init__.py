"""Attachment to the clinic (regulations 001 service 3, 002 service 3, 003): apply, check, decide, hand over.

    application = attachment.submit_application(data, actor=Actor.patient(), channel="web")   # or "desk"
    assessment = attachment.assess(application)   # the checks: grounds of refusal found, warnings, norms
    attachment.approve(application, district=district, actor=actor)    # registry, patient card, talon, SMS
    attachment.refuse(application, "free_choice_once_a_year", note="", actor=actor)   # reasoned refusal, SMS

The rooms: `rules` (grounds, limits, errors), `texts` (labels, messages, SMS), `territory` (address ->
district), `queries` (the checks, lists, the desk's audited reads), `documents` (the talon and the refusal),
`operations` (every change, with its events and audit entry). This face names what the rest of the app uses
and registers the service's hooks: its document kinds, its registry retry handler and its status summary.
"""

from app.services import documents as issued_documents
from app.services import registry_pending, request_summary
from app.services import requests as request_kernel
from app.services.attachment.operations import (
    RecheckOutcome,
    approve,
    recheck,
    refuse,
    resume_attachment,
    submit_application,
)
from app.services.attachment.queries import (
    Applicant,
    Assessment,
    DistrictLoad,
    FileDownload,
    Population,
    PopulationOverview,
    QueueRow,
    applicant_of,
    application_for_desk,
    application_for_request,
    applications_of,
    assess,
    attachment_summary,
    clinic_code,
    current_attachment,
    deadline_state,
    decision_queue,
    default_district,
    district_doctor,
    district_doctors,
    districts,
    districts_for_address,
    document_to_print,
    file_for_download,
    find_by_number,
    get_district,
    get_file,
    open_application_of,
    open_applications,
    population,
    population_overview,
    prefetch_applications,
    propose_district,
    recent_decisions,
    result_document,
    validate,
)
from app.services.attachment.rules import (
    ADULT_AGE,
    GROUNDS,
    MAX_ADDRESS,
    MAX_NOTE,
    REFUSAL,
    REFUSAL_PREFIX,
    REFUSAL_TITLE,
    SERVICE,
    TALON,
    TALON_PREFIX,
    TALON_TITLE,
    AlreadyAttachedHere,
    ApplicationInput,
    ApplicationPending,
    AttachmentError,
    DecisionBlocked,
    InvalidApplication,
    NotDecidable,
    PersonUnknown,
    RegistryDown,
    UploadInput,
    deadline_warning,
    next_free_choice_on,
    normalise_phone,
)
from app.services.attachment.territory import TerritoryLine
from app.services.attachment.texts import (
    ACTOR_LABELS,
    FILE_KIND_LABELS,
    REASON_LABELS,
    STEP_LABELS,
    WARNING_MESSAGES,
    ground_name,
)

# ---- the service's hooks ---------------------------------------------------------------------------------
TALON_KIND = issued_documents.register_kind(TALON, TALON_PREFIX, TALON_TITLE)
REFUSAL_KIND = issued_documents.register_kind(REFUSAL, REFUSAL_PREFIX, REFUSAL_TITLE)
registry_pending.register_retry_handler(SERVICE, resume_attachment)
request_summary.register(SERVICE, attachment_summary)
request_summary.register_prefetch(SERVICE, prefetch_applications)
request_kernel.register_labels(SERVICE, steps=STEP_LABELS, actors=ACTOR_LABELS)

__all__ = [
    "ACTOR_LABELS",
    "ADULT_AGE",
    "FILE_KIND_LABELS",
    "GROUNDS",
    "MAX_ADDRESS",
    "MAX_NOTE",
    "REASON_LABELS",
    "REFUSAL_KIND",
    "SERVICE",
    "STEP_LABELS",
    "TALON_KIND",
    "WARNING_MESSAGES",
    "AlreadyAttachedHere",
    "Applicant",
    "ApplicationInput",
    "ApplicationPending",
    "Assessment",
    "AttachmentError",
    "DecisionBlocked",
    "DistrictLoad",
    "FileDownload",
    "InvalidApplication",
    "NotDecidable",
    "PersonUnknown",
    "Population",
    "PopulationOverview",
    "QueueRow",
    "RecheckOutcome",
    "RegistryDown",
    "TerritoryLine",
    "UploadInput",
    "applicant_of",
    "application_for_desk",
    "application_for_request",
    "applications_of",
    "approve",
    "assess",
    "attachment_summary",
    "clinic_code",
    "current_attachment",
    "deadline_state",
    "deadline_warning",
    "decision_queue",
    "default_district",
    "district_doctor",
    "district_doctors",
    "districts",
    "districts_for_address",
    "document_to_print",
    "file_for_download",
    "find_by_number",
    "get_district",
    "get_file",
    "ground_name",
    "next_free_choice_on",
    "normalise_phone",
    "open_application_of",
    "open_applications",
    "population",
    "population_overview",
    "propose_district",
    "recent_decisions",
    "recheck",
    "refuse",
    "resume_attachment",
    "result_document",
    "submit_application",
    "validate",
]
