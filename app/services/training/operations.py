"""Every change in the training centre, each with its request events and its audit entry.

An original is opened for each trainee the final attestation commission passes, its clock the commission's
decision date + 15 working days; a duplicate is opened by a paid application, its clock one month. A debt
suspends (never refuses) the service, and lifting it resumes the clock without the paused time. A document
is "ready" (the request completed) once it is on a blank, signed and sealed, and printed through the document
engine; the recipient's signature in the accounting journal records the handover."""

import logging
from datetime import date

from sqlalchemy.exc import IntegrityError

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.core.iin import is_valid_iin, normalise
from app.extensions import db
from app.models import (
    CommissionDecision,
    StaffMember,
    Trainee,
    TrainingCohort,
    TrainingCourse,
    TrainingDocument,
    TrainingSettings,
)
from app.models.training import DEBT_KINDS, PROGRAMME_KINDS, RECEIVERS
from app.services import documents
from app.services import requests as request_kernel
from app.services.audit import audit
from app.services.calendar import get_calendar
from app.services.clinic import get_clinic
from app.services.training.queries import (
    blank_in_use,
    blank_label,
    documents_of,
    is_enabled,
    original_of,
    settings,
)
from app.services.training.rules import (
    DOCUMENT_KIND_CODES,
    DOCUMENT_TITLES,
    PRINT_LABELS,
    SERVICE,
    SIGNER_ROLES,
    AlreadyExists,
    BlankUsed,
    DateInFuture,
    DuplicateSigners,
    EndsBeforeStart,
    InvalidIin,
    JournalNotSigned,
    LossNotStated,
    ModuleSwitchedOff,
    NoOriginal,
    NothingTicked,
    NoticeMissing,
    NotPassed,
    NotSealed,
    NotSuspended,
    PaymentMissing,
    PaymentTooSmall,
    ProxyDetailsMissing,
    SecondOriginal,
    Suspended,
    WrongSigner,
    WrongStep,
    duplicate_deadline,
    original_deadline,
    resumed_deadline,
    stamp_text,
)

log = logging.getLogger(__name__)

TEMPLATE = "documents/training_document.html"


def _today() -> date:
    return now().astimezone(ALMATY).date()


def _not_future(day: date | None, field: str) -> None:
    if day is not None and day > _today():
        raise DateInFuture(field)


def require_enabled() -> None:
    if not is_enabled():
        raise ModuleSwitchedOff()


# ---- the setting -----------------------------------------------------------------------------------------


def save_settings(
    *, is_enabled: bool, is_bilingual: bool, duplicate_price: int, actor: Actor
) -> TrainingSettings:
    row = settings()
    if row.id is None:
        db.session.add(row)
    row.is_enabled, row.is_bilingual, row.duplicate_price = is_enabled, is_bilingual, duplicate_price
    db.session.flush()
    audit(
        actor,
        "update",
        "training_settings",
        object_id=row.id,
        detail=f"enabled={is_enabled} bilingual={is_bilingual} price={duplicate_price}",
    )
    return row


# ---- courses, cohorts, trainees --------------------------------------------------------------------------


def create_course(*, programme: str, kind: str, hours: int, actor: Actor) -> TrainingCourse:
    require_enabled()
    if kind not in PROGRAMME_KINDS:
        raise ValueError(f"unknown programme kind {kind!r}")
    course = TrainingCourse(programme=programme.strip(), kind=kind, hours=hours, created_at=now())
    db.session.add(course)
    db.session.flush()
    audit(actor, "create", "training_course", object_id=course.id, detail=course.programme)
    return course


def create_cohort(
    course: TrainingCourse, *, code: str, starts_on: date, ends_on: date, actor: Actor
) -> TrainingCohort:
    require_enabled()
    code = code.strip()
    if any(cohort.code == code for cohort in course.cohorts):
        raise AlreadyExists("code")
    if ends_on < starts_on:
        raise EndsBeforeStart()
    cohort = TrainingCohort(course=course, code=code, starts_on=starts_on, ends_on=ends_on)
    db.session.add(cohort)
    db.session.flush()
    audit(actor, "create", "training_cohort", object_id=cohort.id, detail=f"{course.programme} {code}")
    return cohort


def add_trainee(
    cohort: TrainingCohort,
    *,
    full_name: str,
    iin: str,
    workplace: str,
    actor: Actor,
    staff: StaffMember | None = None,
) -> Trainee:
    require_enabled()
    iin = normalise(iin)
    if not is_valid_iin(iin):
        raise InvalidIin()
    if any(trainee.iin == iin for trainee in cohort.trainees):
        raise AlreadyExists("iin")
    trainee = Trainee(
        cohort=cohort, full_name=full_name.strip(), iin=iin, workplace=workplace.strip(), staff=staff
    )
    db.session.add(trainee)
    db.session.flush()
    audit(actor, "create", "trainee", object_id=trainee.id, detail=f"{iin} cohort {cohort.id}")
    return trainee


# ---- the commission's decision starts the clock ----------------------------------------------------------


def record_decision(
    cohort: TrainingCohort, *, number: str, decided_on: date, passed_ids: list[int], actor: Actor
) -> tuple[CommissionDecision, list[TrainingDocument]]:
    """The final attestation commission's decision: who passed gets an original opened, due 15 working days
    after the decision."""
    require_enabled()
    number = number.strip()
    _not_future(decided_on, "decided_on")
    if any(decision.number == number for decision in cohort.decisions):
        raise AlreadyExists("number")
    candidates = {trainee.id: trainee for trainee in cohort.trainees if trainee.passed_decision_id is None}
    passed = [candidates[trainee_id] for trainee_id in passed_ids if trainee_id in candidates]
    if not passed:
        raise NothingTicked()
    # Checked before anything changes: someone with an original of this programme from another cohort.
    if any(original_of(trainee) is not None for trainee in passed):
        raise SecondOriginal()
    decision = CommissionDecision(
        cohort=cohort, number=number, decided_on=decided_on, recorded_at=now(), recorded_by=actor.staff
    )
    db.session.add(decision)
    db.session.flush()
    opened = []
    for trainee in passed:
        trainee.passed_decision = decision
        opened.append(open_original(trainee, actor=actor))
    audit(
        actor,
        "create",
        "commission_decision",
        object_id=decision.id,
        detail=f"{number} {decided_on.isoformat()}: {len(opened)} passed",
    )
    return decision, opened


def open_original(trainee: Trainee, *, actor: Actor) -> TrainingDocument:
    """The service request for a trainee's original; refused for someone who did not pass, and for a second
    original of the same programme (the database refuses it too)."""
    decision = trainee.passed_decision
    if decision is None:
        raise NotPassed()
    if original_of(trainee) is not None:
        raise SecondOriginal()
    request = request_kernel.create_request(
        SERVICE,
        channel="desk",
        actor=actor,
        applicant_name=trainee.full_name,
        language="ru",
        status="in_review",
        note=f"{decision.number} {decision.decided_on.isoformat()}",
    )
    request.deadline_at = original_deadline(decision.decided_on, get_calendar())
    document = TrainingDocument(
        request=request,
        trainee=trainee,
        course_id=trainee.cohort.course_id,
        trainee_iin=trainee.iin,
        full_name=trainee.full_name,
        duplicate_no=0,
        decision=decision,
    )
    db.session.add(document)
    try:  # the database's unique constraint, should two desks open the same original at once
        db.session.flush()
    except IntegrityError as error:
        raise SecondOriginal() from error
    request_kernel.record_step(request, "commission_decision", actor=actor, note=decision.number)
    return document


# ---- suspension for a debt -------------------------------------------------------------------------------


def suspend(document: TrainingDocument, *, debt_kind: str, reason: str, actor: Actor) -> TrainingDocument:
    """The trainee owes the organisation: the service is suspended (002 line 1642), the clock stops."""
    require_enabled()
    if debt_kind not in DEBT_KINDS:
        raise ValueError(f"unknown debt kind {debt_kind!r}")
    if document.suspended_at is not None:
        raise Suspended()
    if document.ready_at is not None:
        raise WrongStep()
    document.suspended_at = now()
    document.debt_kind = debt_kind
    document.debt_reason = reason.strip()
    document.paused_deadline = document.request.deadline_at
    # No deadline while suspended: the document is neither due nor late (monitoring reads the same column).
    document.request.deadline_at = None
    request_kernel.record_step(document.request, "suspended", actor=actor, note=document.debt_reason)
    audit(actor, "update", "training_document", object_id=document.request.number, detail="suspended")
    return document


def lift_suspension(document: TrainingDocument, *, actor: Actor) -> TrainingDocument:
    """The debt is settled: the clock resumes; the days it was suspended do not count."""
    require_enabled()
    if document.suspended_at is None:
        raise NotSuspended()
    lifted_at = now()
    document.request.deadline_at = resumed_deadline(
        get_calendar(),
        document.paused_deadline,
        document.suspended_at,
        lifted_at,
        duplicate=document.is_duplicate,
    )
    note = document.debt_reason
    document.suspended_at = None
    document.paused_deadline = None
    request_kernel.record_step(document.request, "suspension_lifted", actor=actor, note=note)
    audit(actor, "update", "training_document", object_id=document.request.number, detail="suspension lifted")
    return document


# ---- paid duplicates -------------------------------------------------------------------------------------


def apply_for_duplicate(
    original: TrainingDocument,
    *,
    applied_on: date,
    loss_circumstances: str,
    notice_title: str,
    notice_number: str,
    notice_date: date | None,
    payment_document: str,
    payment_amount: int | None,
    payment_date: date | None,
    actor: Actor,
) -> TrainingDocument:
    """A duplicate's application to the head: how the original was lost, the newspaper notice, the payment
    per the price list. Due one month after the application came in."""
    require_enabled()
    if original.is_duplicate or original.ready_at is None:
        raise NoOriginal()
    if not loss_circumstances.strip():
        raise LossNotStated()
    if not (notice_title.strip() and notice_number.strip() and notice_date):
        raise NoticeMissing()
    if not (payment_document.strip() and payment_amount and payment_date):
        raise PaymentMissing()
    for day, field in (
        (applied_on, "applied_on"),
        (notice_date, "notice_date"),
        (payment_date, "payment_date"),
    ):
        _not_future(day, field)
    price = settings().duplicate_price
    if payment_amount < max(price, 1):
        raise PaymentTooSmall(price)
    trainee = original.trainee
    number = max(document.duplicate_no for document in documents_of(trainee)) + 1
    request = request_kernel.create_request(
        SERVICE,
        channel="desk",
        actor=actor,
        applicant_name=original.full_name,
        language="ru",
        note=f"duplicate of {blank_label(original)}",
    )
    request.deadline_at = duplicate_deadline(applied_on)
    document = TrainingDocument(
        request=request,
        trainee=trainee,
        course_id=original.course_id,
        trainee_iin=original.trainee_iin,
        full_name=original.full_name,  # the same name as the original (002 line 1652)
        duplicate_no=number,
        original=original,
        applied_on=applied_on,
        loss_circumstances=loss_circumstances.strip(),
        notice_title=notice_title.strip(),
        notice_number=notice_number.strip(),
        notice_date=notice_date,
        payment_document=payment_document.strip(),
        payment_amount=payment_amount,
        payment_date=payment_date,
    )
    db.session.add(document)
    db.session.flush()
    request_kernel.record_step(request, "duplicate_applied", actor=actor, note=blank_label(original))
    audit(actor, "create", "training_document", object_id=request.number, detail=f"duplicate {number}")
    return document


def approve_duplicate(document: TrainingDocument, *, actor: Actor) -> TrainingDocument:
    """The head's (or deputy's) decision to issue the duplicate."""
    require_enabled()
    if not document.is_duplicate or document.approved_at is not None:
        raise WrongStep()
    if document.suspended_at is not None:
        raise Suspended()
    document.approved_at = now()
    document.approved_by = actor.staff
    request_kernel.transition(document.request, "in_review", actor=actor, step="duplicate_approved")
    audit(actor, "update", "training_document", object_id=document.request.number, detail="approved")
    return document


# ---- preparing and handing over --------------------------------------------------------------------------


def prepare(
    document: TrainingDocument,
    *,
    blank_series: str,
    blank_number: str,
    signed_by: StaffMember | None,
    deputy_signed_by: StaffMember | None,
    sealed: bool,
    actor: Actor,
) -> TrainingDocument:
    """The document on its blank, signed and sealed, printed with its QR code: ready for issue (the
    request is completed and the clock stops)."""
    require_enabled()
    if document.suspended_at is not None:
        raise Suspended()
    if document.ready_at is not None or (document.is_duplicate and document.approved_at is None):
        raise WrongStep()
    blank_series, blank_number = blank_series.strip().upper(), blank_number.strip()
    if blank_in_use(blank_series, blank_number):
        raise BlankUsed()
    if document.is_duplicate:
        # 002 line 1654: a duplicate is signed by the head and the deputy head for academic work.
        if signed_by is None or not signed_by.has_role("head"):
            raise WrongSigner()
        if deputy_signed_by is None or not deputy_signed_by.has_role("academic_deputy"):
            raise DuplicateSigners()
    elif signed_by is None or not signed_by.has_role(*SIGNER_ROLES):
        raise WrongSigner()
    if not sealed:
        raise NotSealed()
    # Two desks may take the same blank at once (both checked it free): the database's unique constraint
    # decides. The blank is written in a savepoint, so the loser's refusal rolls back only that (its document
    # as it was, the session usable: a clear "blank used" message, never a 500).
    try:
        with db.session.begin_nested():
            document.blank_series, document.blank_number = blank_series, blank_number
            document.signed_by = signed_by
            document.deputy_signed_by = deputy_signed_by if document.is_duplicate else None
            document.is_sealed = True
            document.ready_at = now()
    except IntegrityError as error:
        log.warning("training document %s: blank taken at the same moment", document.request.number)
        raise BlankUsed() from error
    document.document = _print(document)
    document.request.result_document = document.document
    request_kernel.transition(document.request, "completed", actor=actor)
    audit(
        actor,
        "create",
        "training_document",
        object_id=document.request.number,
        detail=f"ready on blank {blank_label(document)}",
    )
    return document


def _print(document: TrainingDocument):
    course = document.course
    clinic = get_clinic()
    return documents.issue_document(
        DOCUMENT_KIND_CODES[course.kind],
        TEMPLATE,
        {
            "entry": document,
            "course": course,
            "cohort": document.trainee.cohort,
            "title": DOCUMENT_TITLES[course.kind],
            "clinic": clinic,
            "bilingual": settings().is_bilingual,
            "stamp": stamp_text(blank_label(document.original)) if document.is_duplicate else "",
            "labels": PRINT_LABELS,
        },
        subject=None,
        language="ru",
        valid_until=None,
    )


def hand_over(
    document: TrainingDocument,
    *,
    received_by: str,
    proxy_name: str,
    power_of_attorney: str,
    journal_signed: bool,
    actor: Actor,
) -> TrainingDocument:
    """Handed over in person or to a proxy with a power of attorney; the recipient signs in the journal."""
    require_enabled()
    if received_by not in RECEIVERS:
        raise ValueError(f"unknown receiver {received_by!r}")
    if document.ready_at is None or document.handed_over_at is not None:
        raise WrongStep()
    if received_by == "proxy" and not (proxy_name.strip() and power_of_attorney.strip()):
        raise ProxyDetailsMissing()
    if not journal_signed:
        raise JournalNotSigned()
    document.received_by = received_by
    document.proxy_name = proxy_name.strip() if received_by == "proxy" else ""
    document.power_of_attorney = power_of_attorney.strip() if received_by == "proxy" else ""
    document.journal_signed = True
    document.handed_over_at = now()
    # The note is read on kk and ru pages as it is: the proxy's name, or nothing when handed over in person.
    note = proxy_name.strip() if received_by == "proxy" else ""
    request_kernel.record_step(document.request, "handed_over", actor=actor, note=note)
    audit(actor, "update", "training_document", object_id=document.request.number, detail="handed over")
    log.info("training document %s handed over", document.request.number)
    return document
