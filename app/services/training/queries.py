"""Reading the training centre: its setting, courses and cohorts, what is due and late, the accounting
journal (page, PDF, CSV). Never a change of state; a staff look at a trainee's data writes its audit entry."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY, local_now, now
from app.core.i18n import current_language
from app.documents import render_pdf
from app.extensions import db
from app.models import (
    ServiceRequest,
    StaffMember,
    StaffRole,
    Trainee,
    TrainingCohort,
    TrainingCourse,
    TrainingDocument,
    TrainingSettings,
)
from app.services import request_summary, status
from app.services.audit import audit
from app.services.training.rules import DOCUMENT_TITLES, SIGNER_ROLES
from app.services.training.texts import (
    DUPLICATE_LABEL,
    JOURNAL_COLUMNS,
    PROGRAMME_KIND_LABELS,
    RECEIVER_LABELS,
    SIGNED_LABEL,
    TRAINEE_STATE_LABEL,
    TRAINEE_STATES,
)


def settings() -> TrainingSettings:
    """The one settings row; a clinic that never touched it has the module off."""
    row = db.session.scalars(select(TrainingSettings).order_by(TrainingSettings.id).limit(1)).first()
    return row or TrainingSettings(is_enabled=False, is_bilingual=False, duplicate_price=0)


def is_enabled() -> bool:
    return bool(settings().is_enabled)


def courses() -> list[TrainingCourse]:
    return list(
        db.session.scalars(
            select(TrainingCourse).options(selectinload(TrainingCourse.cohorts)).order_by(TrainingCourse.id)
        )
    )


def get_course(course_id: int) -> TrainingCourse | None:
    return db.session.get(TrainingCourse, course_id)


def get_cohort(cohort_id: int) -> TrainingCohort | None:
    return db.session.get(TrainingCohort, cohort_id)


def get_document(document_id: int) -> TrainingDocument | None:
    return db.session.get(TrainingDocument, document_id)


def signers(role: str | None = None) -> list[StaffMember]:
    """Active staff who may sign: the head and the deputy head for academic work (or one of the roles)."""
    roles = (role,) if role else SIGNER_ROLES
    return list(
        db.session.scalars(
            select(StaffMember)
            .join(StaffRole)
            .where(StaffRole.role.in_(roles), StaffMember.is_active_account.is_(True))
            .order_by(StaffMember.full_name)
            .distinct()
        )
    )


def state_of(document: TrainingDocument, at: datetime | None = None) -> str:
    """awaiting_decision | due | late | suspended | ready | issued."""
    if document.handed_over_at is not None:
        return "issued"
    if document.ready_at is not None:
        return "ready"
    if document.suspended_at is not None:
        return "suspended"
    deadline = document.request.deadline_at
    if deadline is not None and (at or now()) > deadline:
        return "late"
    if document.is_duplicate and document.approved_at is None:
        return "awaiting_decision"
    return "due"


@dataclass(frozen=True)
class Worklist:
    """Documents not yet handed over, grouped by state, late first."""

    late: list[TrainingDocument]
    due: list[TrainingDocument]
    awaiting_decision: list[TrainingDocument]
    suspended: list[TrainingDocument]
    ready: list[TrainingDocument]

    @property
    def is_empty(self) -> bool:
        return not (self.late or self.due or self.awaiting_decision or self.suspended or self.ready)


def worklist(*, actor: Actor) -> Worklist:
    rows = db.session.scalars(
        select(TrainingDocument)
        .where(TrainingDocument.handed_over_at.is_(None))
        .order_by(TrainingDocument.id)
    ).all()
    groups: dict[str, list[TrainingDocument]] = {
        "late": [],
        "due": [],
        "awaiting_decision": [],
        "suspended": [],
        "ready": [],
    }
    moment = now()
    for row in rows:
        groups[state_of(row, moment)].append(row)
    for state in ("late", "due", "awaiting_decision"):
        groups[state].sort(key=lambda row: row.request.deadline_at or moment)
    audit(actor, "view", "training_documents", detail="worklist")
    return Worklist(**groups)


def open_document(document: TrainingDocument, *, actor: Actor) -> TrainingDocument:
    audit(actor, "view", "training_document", object_id=document.request.number, detail=document.trainee_iin)
    return document


def open_cohort(cohort: TrainingCohort, *, actor: Actor) -> TrainingCohort:
    audit(actor, "view", "training_cohort", object_id=cohort.id)
    return cohort


def documents_of(trainee: Trainee) -> list[TrainingDocument]:
    return list(
        db.session.scalars(
            select(TrainingDocument)
            .where(TrainingDocument.trainee_id == trainee.id)
            .order_by(TrainingDocument.duplicate_no)
        )
    )


def original_of(trainee: Trainee) -> TrainingDocument | None:
    return db.session.scalars(
        select(TrainingDocument).where(
            TrainingDocument.course_id == trainee.cohort.course_id,
            TrainingDocument.trainee_iin == trainee.iin,
            TrainingDocument.duplicate_no == 0,
        )
    ).first()


def blank_in_use(series: str, number: str) -> bool:
    return (
        db.session.scalar(
            select(TrainingDocument.id).where(
                TrainingDocument.blank_series == series, TrainingDocument.blank_number == number
            )
        )
        is not None
    )


# ---- the accounting journal (журнал учёта), 002 lines 1666 and 1680 and the columns of B.14 --------------


def journal_entries(*, actor: Actor, printed: bool = False) -> list[TrainingDocument]:
    # What a journal line reads besides the document is loaded with the rows (issue 22): the decision.
    rows = list(
        db.session.scalars(
            select(TrainingDocument)
            .options(selectinload(TrainingDocument.decision))
            .order_by(TrainingDocument.id)
        )
    )
    audit(actor, "print" if printed else "view", "training_journal", detail=f"{len(rows)} entries")
    return rows


def blank_label(document: TrainingDocument | None) -> str:
    if document is None or not document.blank_number:
        return ""
    return f"{document.blank_series} {document.blank_number}".strip()


def journal_row(document: TrainingDocument) -> list[str]:
    """One journal line as text, in the order of texts.JOURNAL_COLUMNS."""
    request = document.request
    cohort = document.trainee.cohort
    decision = document.decision

    def day(value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(ALMATY)
        return value.strftime("%d.%m.%Y")

    kind = str(PROGRAMME_KIND_LABELS[document.course.kind])
    if document.is_duplicate:
        kind = f"{DUPLICATE_LABEL} · {kind}"
    receiver = ""
    if document.received_by == "proxy":
        receiver = f"{RECEIVER_LABELS['proxy']}: {document.proxy_name}, {document.power_of_attorney}"
    elif document.received_by:
        receiver = str(RECEIVER_LABELS["self"])
    return [
        str(document.id),
        day(request.created_at),
        kind,
        blank_label(document),
        document.full_name,
        document.trainee_iin,
        document.course.programme,
        str(document.course.hours),
        f"{day(cohort.starts_on)}–{day(cohort.ends_on)}",
        f"{decision.number}, {day(decision.decided_on)}" if decision else "",
        day(document.handed_over_at),
        receiver,
        str(SIGNED_LABEL) if document.journal_signed else "",
        blank_label(document.original),
        day(document.applied_on),
        (
            f"{document.notice_title} № {document.notice_number}, {day(document.notice_date)}"
            if document.notice_title
            else ""
        ),
        (
            f"{document.payment_document}: {document.payment_amount}, {day(document.payment_date)}"
            if document.payment_document
            else ""
        ),
        day(document.approved_at),
    ]


def journal_csv(rows: list[list[str]], headings: list[str], *, semicolon: bool) -> str:
    """The journal as CSV; `semicolon` for Excel in a Russian or Kazakh locale (with a BOM: UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return ("\ufeff" if semicolon else "") + buffer.getvalue()


def journal_pdf(*, actor: Actor, language: str) -> bytes:
    """The accounting journal printed (a view, not a stored document), in the reader's language."""
    entries = journal_entries(actor=actor, printed=True)
    return render_pdf(
        "documents/training_journal.html",
        {
            "columns": JOURNAL_COLUMNS,
            "rows": [journal_row(entry) for entry in entries],
            "printed_at": local_now(),
            "printed_by": actor.label,
        },
        language=language,
    )


# ---- the trainee on /status ------------------------------------------------------------------------------


def follower(request: ServiceRequest) -> status.Follower | None:
    """A trainee follows their document like any applicant: by their IIN, the one-time code going to the phone
    on file for it (the clinic's card, else the state database of individuals)."""
    document = request.training_document
    return status.Follower(iin=document.trainee_iin) if document is not None else None


def trainee_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """What the trainee reads: which document, for which programme, where it stands, when it was handed
    over."""
    document = request.training_document
    if document is None:
        return None
    title = DOCUMENT_TITLES[document.course.kind].in_language(current_language())
    if document.is_duplicate:
        title = f"{title} ({_('Duplicate')})"
    facts = [
        request_summary.Fact(_("Document"), title),
        request_summary.Fact(_("Programme"), document.course.programme),
        request_summary.Fact(str(TRAINEE_STATE_LABEL), str(TRAINEE_STATES[state_of(document)])),
    ]
    if document.handed_over_at is not None:
        facts.append(
            request_summary.Fact(_("Date of issue"), format_date(document.handed_over_at, "d MMMM yyyy"))
        )
    return request_summary.Summary(facts=tuple(facts))
