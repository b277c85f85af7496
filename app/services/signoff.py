"""The sign-off of a clinic document that several staff members sign in turn (services 8, 9, and sick leave).

A service declares its steps once, in the catalogue (`catalogue.SIGNOFF_STEPS[slug]`: code, roles, working
minutes, what the signatory confirms, the position printed under their name), and registers the page where
staff open one of its requests:

    signoff.register_workflow(SERVICE, show_endpoint="desk_phc_certificates.show_request")

Then, on a service request of that service:

    signoff.start(request, actor=actor)                 # in review, at the first step, its deadline set
    signoff.sign(request, "documents_checked", actor=actor, confirmed="Паспорт N12345")
    signoff.send_back(request, actor=actor, reason="...", to_step="documents_checked")  # to an earlier step
    signoff.signatories(request)                        # who signed what, for the printed document

`sign` refuses a step that is not the current one (skipped or repeated: `StepOutOfOrder`) and a staff member
who holds none of its roles (`NotYourStep`, audited as refused); the last step completes the request (the
service issues its PDF right after, in the same transaction, with the signatories). Every signature and
send-back is an append-only `Signature` row and a request event with the step's code, so the request's log,
the status page and monitoring (time per step, share within the step's time) follow it. Each step's deadline
is its working minutes from the moment it became current; the request's deadline is the catalogue's.

`queue(roles)` is what waits for a role (late ones first); `progress(request)` is each step's state for the
person on /status. `issued(model, start, end)` is the journal of the documents a sign-off service issued in a
period (`open_issued`: a staff look at it, audited), `open_document` a staff print of one of them.

A step some documents need and others do not (sick leave: the head of department only past the clinic's
threshold of days) is declared like any other; the service registers `needed=callable(request, step)` and the
kernel passes over a step that is not needed, after the signature before it (and when sending back). Such a
step shows as "skipped" in the progress.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import Document, ServiceRequest, Signature, Signoff
from app.models.requests import OPEN_STATUSES
from app.services import catalogue
from app.services.audit import audit
from app.services.calendar import get_calendar
from app.services.catalogue import SignoffStep
from app.services.requests import record_step, transition

log = logging.getLogger(__name__)

MIN_REASON = 5
MAX_REASON = 500
QUEUE_LIMIT = 200

# The request kernel's words for the sign-off's own events (the steps' own words are their titles).
STEP_LABELS = {
    "signoff_started": _l("Handed over for signatures"),
    "sent_back": _l("Sent back"),
}
FINISHED = _l("Every signature of this document is already given.")
NOT_STARTED = _l("This document has not been handed over for signatures.")
NOTHING_TO_SEND_BACK = _l("The first step has no earlier step to send the document back to.")
BAD_TARGET = _l("A document goes back only to an earlier step.")


def not_your_step_message(roles: tuple[str, ...]):
    return _l("This step is signed by another role: %(roles)s.", roles=role_names(roles))


def _out_of_order(step: SignoffStep):
    return _l(
        "This document is not at this step now: it waits for «%(step)s». Reload the page.", step=step.title
    )


def _reason_needed():
    return _l("Write why the document goes back (at least %(count)s characters).", count=MIN_REASON)


class SignoffError(Exception):
    """A sign-off action the rules refuse; `message` is translatable and says what to do."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotYourStep(SignoffError):
    pass


class StepOutOfOrder(SignoffError):
    pass


class SendBackRefused(SignoffError):
    pass


@dataclass(frozen=True)
class Signatory:
    """A valid signature, as the document prints it."""

    step: SignoffStep
    name: str
    at: datetime
    confirmed: str

    def position(self, language: str) -> str:
        return self.step.position.in_language(language)


@dataclass(frozen=True)
class StepProgress:
    step: SignoffStep
    state: str  # done | current | waiting | skipped
    signatory: Signatory | None
    due_at: datetime | None
    late: bool


@dataclass(frozen=True)
class QueueItem:
    request: ServiceRequest
    step: SignoffStep
    waiting_since: datetime
    due_at: datetime | None
    late: bool
    show_endpoint: str | None

    @property
    def service_name(self) -> str:
        return str(catalogue.get(self.request.service).name)


_show_endpoints: dict[str, str] = {}
_needed_checks: dict[str, Callable[[ServiceRequest, SignoffStep], bool]] = {}


def register_workflow(
    service_slug: str,
    *,
    show_endpoint: str,
    needed: Callable[[ServiceRequest, SignoffStep], bool] | None = None,
) -> None:
    """Called once from a service's face: the page where staff open one of its requests (takes `number`),
    and, for a service whose steps are not all needed every time, which steps a request needs."""
    if not catalogue.signoff_steps(service_slug):
        raise ValueError(f"{service_slug} declares no sign-off steps in the catalogue")
    _show_endpoints[service_slug] = show_endpoint
    if needed is not None:
        _needed_checks[service_slug] = needed


def is_needed(request: ServiceRequest, step: SignoffStep) -> bool:
    check = _needed_checks.get(request.service)
    return True if check is None else bool(check(request, step))


def step_labels(service_slug: str) -> dict[str, object]:
    """The request kernel's labels of a service's sign-off events (for `requests.register_labels`)."""
    return {**STEP_LABELS, **{step.code: step.title for step in catalogue.signoff_steps(service_slug)}}


def role_names(roles: tuple[str, ...]) -> str:
    return ", ".join(str(ROLE_WORDS.get(role, role)) for role in roles)


ROLE_WORDS = {
    "registrar": _l("Registrar"),
    "doctor": _l("Doctor"),
    "head": _l("Head of the clinic"),
    "head_of_department": _l("Head of department"),
    "senior_nurse": _l("Senior nurse"),
    "issuing_desk": _l("Issuing desk"),
}


# ---- reading --------------------------------------------------------------------------------------------


def steps_of(request: ServiceRequest) -> tuple[SignoffStep, ...]:
    return catalogue.signoff_steps(request.service)


def current_step(request: ServiceRequest) -> SignoffStep | None:
    signoff = request.signoff
    if signoff is None or signoff.finished_at is not None:
        return None
    return steps_of(request)[signoff.position]


def is_late(request: ServiceRequest, at: datetime | None = None) -> bool:
    signoff = request.signoff
    if signoff is None or signoff.finished_at is not None or signoff.step_due_at is None:
        return False
    return (at or now()) > signoff.step_due_at


def _valid_signatures(signoff: Signoff) -> dict[int, Signature]:
    """Position -> the signature that stands: a send-back to step t voids the signatures of t and after."""
    positions = {step.code: index for index, step in enumerate(steps_of(signoff.request))}
    valid: dict[int, Signature] = {}
    for signature in signoff.signatures:
        if signature.action == "signed":
            valid[signature.position] = signature
        else:
            target = positions.get(signature.back_to, signature.position)
            valid = {position: kept for position, kept in valid.items() if position < target}
    return valid


def signatories(request: ServiceRequest) -> list[Signatory]:
    """The signatures that stand, in the steps' order: name, position, time, what they confirmed."""
    if request.signoff is None:
        return []
    steps = steps_of(request)
    valid = _valid_signatures(request.signoff)
    return [
        Signatory(
            step=steps[position], name=signature.staff_name, at=signature.at, confirmed=signature.confirmed
        )
        for position, signature in sorted(valid.items())
    ]


def send_backs(request: ServiceRequest) -> list[Signature]:
    return [s for s in request.signoff.signatures if s.action == "sent_back"] if request.signoff else []


def progress(request: ServiceRequest) -> list[StepProgress]:
    """Each step's state, for the staff's page and the person's status page."""
    signoff = request.signoff
    if signoff is None:
        return []
    by_code = {signatory.step.code: signatory for signatory in signatories(request)}
    moment = now()
    rows = []
    for index, step in enumerate(steps_of(request)):
        current = signoff.finished_at is None and index == signoff.position
        signatory = by_code.get(step.code) if not current else None
        state = "current" if current else ("done" if signatory else "waiting")
        if state == "waiting" and not is_needed(request, step):
            state = "skipped"
        due = signoff.step_due_at if current else None
        rows.append(
            StepProgress(
                step=step,
                state=state,
                signatory=signatory,
                due_at=due,
                late=bool(current and due and moment > due),
            )
        )
    return rows


def queue(roles, *, service_slug: str | None = None) -> list[QueueItem]:
    """What waits for any of `roles` now, the late ones first, then by deadline."""
    roles = set(roles)
    query = (
        select(Signoff)
        .join(Signoff.request)
        .options(contains_eager(Signoff.request).selectinload(ServiceRequest.subject))
        # A request waiting for a registry is in the registry-pending queue, not here: nobody can sign it yet.
        .where(
            Signoff.finished_at.is_(None),
            ServiceRequest.status.in_(OPEN_STATUSES),
            ServiceRequest.status != "awaiting_registry",
        )
        .order_by(Signoff.step_due_at, Signoff.id)
    )
    if service_slug:
        query = query.where(ServiceRequest.service == service_slug)
    moment = now()
    items = []
    for signoff in db.session.scalars(query):
        step = steps_of(signoff.request)[signoff.position]
        if not roles.intersection(step.roles):
            continue
        due = signoff.step_due_at
        items.append(
            QueueItem(
                request=signoff.request,
                step=step,
                waiting_since=signoff.step_started_at,
                due_at=due,
                late=bool(due and moment > due),
                show_endpoint=_show_endpoints.get(signoff.request.service),
            )
        )
        if len(items) >= QUEUE_LIMIT:
            break
    items.sort(key=lambda item: (not item.late, item.due_at or moment))
    return items


def open_queue(roles, *, actor: Actor, service_slug: str | None = None) -> list[QueueItem]:
    """A staff member's look at their queue: names of patients, so audited."""
    audit(
        actor, "view", "signoff_queue", detail=f"roles={','.join(sorted(roles))} service={service_slug or ''}"
    )
    return queue(roles, service_slug=service_slug)


# ---- the journal of issued documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedRow:
    """One document a sign-off service issued: the document, its request and the service's own row."""

    document: Document
    request: ServiceRequest
    record: object  # the service's model (PhcCertificate, InpatientExtract), linked by its request_id


def issued(model, start: date, end: date, *, also_load=()) -> list[IssuedRow]:
    """The documents issued in [start, end] (the clinic's local days), oldest first: each request's result
    document with the row of `model` (the service's table, with a `request_id`). The person and the
    relationships of `model` named in `also_load` (e.g. its doctor) come in one query each,
    not one per row."""
    start_at = datetime.combine(start, time.min, ALMATY)
    end_at = datetime.combine(end + timedelta(days=1), time.min, ALMATY)
    rows = db.session.execute(
        select(Document, ServiceRequest, model)
        .join(ServiceRequest, ServiceRequest.result_document_id == Document.id)
        .join(model, model.request_id == ServiceRequest.id)
        .where(Document.issued_at >= start_at, Document.issued_at < end_at)
        .options(selectinload(ServiceRequest.subject), *(selectinload(relation) for relation in also_load))
        .order_by(Document.issued_at, Document.id)
    ).all()
    return [IssuedRow(document, request, record) for document, request, record in rows]


def open_issued(
    model, start: date, end: date, *, journal: str, actor: Actor, printed: bool = False, also_load=()
) -> list[IssuedRow]:
    """A staff member views (or prints) the journal `journal` (its audit object type) for a period."""
    action = "print" if printed else "view"
    audit(actor, action, journal, detail=f"{start.isoformat()}..{end.isoformat()}")
    return issued(model, start, end, also_load=also_load)


def open_document(document: Document, *, actor: Actor) -> Document:
    """A staff member prints an issued document: audited against the person it is about."""
    audit(actor, "print", "document", object_id=document.number, patient_id=document.subject_id)
    return document


# ---- changing -------------------------------------------------------------------------------------------


def _due(step: SignoffStep, started_at: datetime) -> datetime:
    return get_calendar().add_working_minutes(started_at, step.minutes)


def start(request: ServiceRequest, *, actor: Actor) -> Signoff:
    """Put the request into its sign-off: status in review, at the first step, its deadline set."""
    steps = steps_of(request)
    if not steps:
        raise ValueError(f"{request.service} has no sign-off steps")
    if request.signoff is not None:
        raise StepOutOfOrder(FINISHED)
    moment = now()
    signoff = Signoff(request=request, position=0, step_started_at=moment, step_due_at=_due(steps[0], moment))
    db.session.add(signoff)
    transition(request, "in_review", actor=actor, step="signoff_started")
    return signoff


def check_turn(request: ServiceRequest, step_code: str, *, actor: Actor) -> SignoffStep:
    """The current step when it is `step_code` and the actor holds one of its roles; else refused (a wrong
    role is audited as a refused attempt)."""
    signoff = request.signoff
    if signoff is None:
        raise StepOutOfOrder(NOT_STARTED)
    if signoff.finished_at is not None:
        raise StepOutOfOrder(FINISHED)
    step = steps_of(request)[signoff.position]
    if step.code != step_code:
        raise StepOutOfOrder(_out_of_order(step))
    if actor.staff is None or not actor.staff.has_role(*step.roles):
        audit(
            actor,
            "refused",
            "signoff",
            object_id=request.number,
            patient_id=request.subject_id,
            detail=f"step={step.code}",
        )
        log.warning("sign-off %s: step %s refused to staff %s", request.number, step.code, actor.staff_id)
        raise NotYourStep(not_your_step_message(step.roles))
    return step


def _role_held(step: SignoffStep, actor: Actor) -> str:
    return next((role for role in step.roles if actor.staff and actor.staff.has_role(role)), step.roles[0])


def sign(request: ServiceRequest, step_code: str, *, actor: Actor, confirmed: str = "") -> Signature:
    """Sign the current step. The last step completes the request."""
    step = check_turn(request, step_code, actor=actor)
    signoff = request.signoff
    steps = steps_of(request)
    moment = now()
    words = step.confirms.in_language(request.language)
    signature = Signature(
        signoff=signoff,
        position=signoff.position,
        step=step.code,
        action="signed",
        role=_role_held(step, actor),
        staff_id=actor.staff_id,
        staff_name=actor.staff.full_name,
        started_at=signoff.step_started_at,
        due_at=signoff.step_due_at,
        at=moment,
        confirmed=f"{words}. {confirmed}".strip() if confirmed else words,
    )
    db.session.add(signature)
    following = signoff.position + 1
    while following < len(steps) and not is_needed(request, steps[following]):
        following += 1
    if following >= len(steps):
        signoff.finished_at = moment
        transition(request, "completed", actor=actor, step=step.code, note=signature.confirmed)
    else:
        signoff.position = following
        signoff.step_started_at = moment
        signoff.step_due_at = _due(steps[signoff.position], moment)
        record_step(request, step.code, actor=actor, note=signature.confirmed)
    audit(actor, "sign", "signoff", object_id=request.number, patient_id=request.subject_id, detail=step.code)
    db.session.flush()
    return signature


def clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise SendBackRefused(_reason_needed())
    return reason[:MAX_REASON]


def send_back(request: ServiceRequest, *, actor: Actor, reason: str, to_step: str | None = None) -> Signature:
    """Whoever holds the current step sends the document back to an earlier step (the previous one by
    default), with a reason; that step's signature and the later ones no longer stand."""
    signoff = request.signoff
    if signoff is None:
        raise StepOutOfOrder(NOT_STARTED)
    steps = steps_of(request)
    step = check_turn(request, steps[min(signoff.position, len(steps) - 1)].code, actor=actor)
    if signoff.position == 0:
        raise SendBackRefused(NOTHING_TO_SEND_BACK)
    target = signoff.position - 1
    while target > 0 and not is_needed(request, steps[target]):
        target -= 1
    if to_step:
        positions = {candidate.code: index for index, candidate in enumerate(steps)}
        if positions.get(to_step, signoff.position) >= signoff.position:
            raise SendBackRefused(BAD_TARGET)
        target = positions[to_step]
    reason = clean_reason(reason)
    moment = now()
    signature = Signature(
        signoff=signoff,
        position=signoff.position,
        step=step.code,
        action="sent_back",
        role=_role_held(step, actor),
        staff_id=actor.staff_id,
        staff_name=actor.staff.full_name,
        started_at=signoff.step_started_at,
        due_at=signoff.step_due_at,
        at=moment,
        reason=reason,
        back_to=steps[target].code,
    )
    db.session.add(signature)
    signoff.position = target
    signoff.step_started_at = moment
    signoff.step_due_at = _due(steps[target], moment)
    record_step(request, "sent_back", actor=actor, note=f"{steps[target].code}: {reason}")
    audit(
        actor,
        "send_back",
        "signoff",
        object_id=request.number,
        patient_id=request.subject_id,
        detail=f"{step.code}->{steps[target].code}",
    )
    db.session.flush()
    return signature
