"""Training and qualification documents, and paid duplicates (service 14; regulation 002, ru only).

A module an admin switches on (the clinic runs accredited courses); switched off, the passport names the
medical college and the staff see nothing of it. Courses and cohorts of three kinds (qualification upgrade ->
свидетельство, retraining -> удостоверение, vocational -> diploma); the final attestation commission's
decision opens an original for each trainee who passed, due within 15 working days of the decision; a debt
suspends the service (never refuses it) and lifting it resumes the clock; a paid duplicate (the loss stated,
a newspaper notice, a payment per the price list) is due within one month of the application, decided by the
head, signed by the head and the deputy for academic work and stamped «Дубликат взамен подлинника № ___».
The accounting journal (журнал учёта) is a page, a PDF and a CSV.

Rooms: `rules` (clocks, document kinds, errors), `texts` (labels), `queries` (read-only, audited looks),
`operations` (changes, with events and audit). This face registers the document kinds and the labels.
"""

from app.services import request_summary, status
from app.services import requests as request_kernel
from app.services.documents import register_kind
from app.services.training.operations import (
    TEMPLATE,
    add_trainee,
    apply_for_duplicate,
    approve_duplicate,
    create_cohort,
    create_course,
    hand_over,
    lift_suspension,
    open_original,
    prepare,
    record_decision,
    require_enabled,
    save_settings,
    suspend,
)
from app.services.training.queries import (
    Worklist,
    blank_label,
    courses,
    documents_of,
    follower,
    get_cohort,
    get_course,
    get_document,
    is_enabled,
    journal_csv,
    journal_entries,
    journal_pdf,
    journal_row,
    open_cohort,
    open_document,
    original_of,
    settings,
    signers,
    state_of,
    trainee_summary,
    worklist,
)
from app.services.training.rules import (
    DOCUMENT_KIND_CODES,
    DOCUMENT_PREFIXES,
    DOCUMENT_TITLES,
    DUPLICATE_STAMP,
    SERVICE,
    SIGNER_ROLES,
    TERM_WORKING_DAYS,
    TrainingError,
    add_months,
    duplicate_deadline,
    original_deadline,
    paused_working_days,
    resumed_deadline,
    stamp_text,
)
from app.services.training.texts import (
    DEBT_KIND_LABELS,
    JOURNAL_COLUMNS,
    PROGRAMME_KIND_LABELS,
    RECEIVER_LABELS,
    STATE_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
)

# ---- hooks ------------------------------------------------------------------------------------------------

DOCUMENT_KINDS = {
    kind: register_kind(code, DOCUMENT_PREFIXES[kind], DOCUMENT_TITLES[kind])
    for kind, code in DOCUMENT_KIND_CODES.items()
}
request_kernel.register_labels(SERVICE, steps=STEP_LABELS, statuses=STATUS_LABELS)
request_summary.register(SERVICE, trainee_summary)
status.register_follower(SERVICE, follower)

__all__ = [
    "follower",
    "trainee_summary",
    "DEBT_KIND_LABELS",
    "DOCUMENT_KINDS",
    "DOCUMENT_KIND_CODES",
    "DOCUMENT_PREFIXES",
    "DOCUMENT_TITLES",
    "DUPLICATE_STAMP",
    "JOURNAL_COLUMNS",
    "PROGRAMME_KIND_LABELS",
    "RECEIVER_LABELS",
    "SERVICE",
    "SIGNER_ROLES",
    "STATE_LABELS",
    "STATUS_LABELS",
    "STEP_LABELS",
    "TEMPLATE",
    "TERM_WORKING_DAYS",
    "TrainingError",
    "Worklist",
    "add_months",
    "add_trainee",
    "apply_for_duplicate",
    "approve_duplicate",
    "blank_label",
    "courses",
    "create_cohort",
    "create_course",
    "documents_of",
    "duplicate_deadline",
    "get_cohort",
    "get_course",
    "get_document",
    "hand_over",
    "is_enabled",
    "journal_csv",
    "journal_entries",
    "journal_pdf",
    "journal_row",
    "lift_suspension",
    "open_cohort",
    "open_document",
    "open_original",
    "original_deadline",
    "original_of",
    "paused_working_days",
    "prepare",
    "record_decision",
    "require_enabled",
    "resumed_deadline",
    "save_settings",
    "settings",
    "signers",
    "stamp_text",
    "state_of",
    "suspend",
    "worklist",
]
