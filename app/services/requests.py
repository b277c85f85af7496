"""Creating service requests, numbering them and moving them through their statuses, one event per step;
and the words every page uses for a request's status, channel, steps and actors.

Labels: the shared ones are here; a service adds its own words for its steps (and, where the person reads
something else than the regulation's status, for its statuses and actors) once, from its package's face:

    requests.register_labels(SERVICE, steps=texts.STEP_LABELS, statuses=texts.STATUS_LABELS)

`status_label(status, service)`, `step_label(step, service)` and `actor_label(label, service)` then give the
service's word first, the shared one next, and the code itself when nobody named it.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import Patient, RequestCounter, RequestEvent, ServiceRequest
from app.models.requests import CHANNELS, FINAL_STATUSES, OPEN_STATUSES, STATUSES
from app.services import catalogue
from app.services.calendar import get_calendar

log = logging.getLogger(__name__)

# ---- labels -------------------------------------------------------------------------------------------

STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "awaiting_consent": _l("Waiting for consent"),
    "awaiting_registry": _l("Waiting for the national registry"),
    "in_review": _l("Being reviewed"),
    "completed": _l("Completed"),
    "refused": _l("Refused"),
    "cancelled": _l("Cancelled"),
}
CHANNEL_LABELS = {
    "web": _l("Website"),
    "kiosk": _l("Kiosk"),
    "desk": _l("Registry desk"),
    "phone": _l("Phone"),
}
# Steps the services record that are not statuses; a step no one names is shown by its code.
STEP_LABELS = {
    "registry_checked": _l("Registry checked"),
    "registry_unavailable": _l("Registry unavailable"),
    "registry_retry": _l("Registry asked again"),
    "identity_checked": _l("Identity checked"),
    "identity_document_checked": _l("Identity document checked"),
    "consent_requested": _l("Consent requested"),
    "consent_given": _l("Consent given"),
    "booked": _l("Booked"),
    "booking_cancelled": _l("Booking cancelled"),
    "call_cancelled": _l("Call cancelled"),
    "assigned": _l("Doctor assigned"),
    "approved": _l("Approved"),
    "talon_issued": _l("Talon issued"),
    "form_issued": _l("Form issued"),
    "sms_sent": _l("SMS sent"),
    "document_revoked": _l("Document revoked"),
}
SMS_NOT_SENT = _l("SMS could not be sent")
SMS_NO_PHONE = _l("No phone number to send an SMS to")
# Who did a step when it was not a staff member (a staff member's step carries their name).
ACTOR_LABELS = {"patient": _l("The patient"), "applicant": _l("Applicant"), "system": _l("System")}

_service_labels: dict[str, dict[str, Mapping[str, object]]] = {}


def register_labels(
    service_slug: str,
    *,
    steps: Mapping[str, object] | None = None,
    statuses: Mapping[str, object] | None = None,
    actors: Mapping[str, object] | None = None,
) -> None:
    """A service's own words for its steps, statuses and actors, called once from the service's face."""
    _service_labels[service_slug] = {
        "steps": dict(steps or {}),
        "statuses": dict(statuses or {}),
        "actors": dict(actors or {}),
    }


def _own(service_slug: str | None, kind: str, code: str):
    return _service_labels.get(service_slug or "", {}).get(kind, {}).get(code)


def _text(label, code: str) -> str:
    return str(label) if label is not None else code


def status_label(status: str, service: str | None = None) -> str:
    """The status in the reader's language: the service's own word for it (a complaint is "Received", not
    "Submitted"), else the shared one, else the code."""
    return _text(_own(service, "statuses", status) or STATUS_LABELS.get(status), status)


def channel_label(channel: str) -> str:
    return _text(CHANNEL_LABELS.get(channel), channel)


def step_label(step: str, service: str | None = None) -> str:
    """A step of the event log: the service's label, a shared step's, a status's (a transition's step is
    the status it moved to), what app.services.sms recorded, or the code."""
    label = (
        _own(service, "steps", step)
        or STEP_LABELS.get(step)
        or _own(service, "statuses", step)
        or STATUS_LABELS.get(step)
        or _sms_step_label(step)
    )
    return _text(label, step)


def _sms_step_label(step: str):
    """app.services.sms records `sms_<kind>`, `sms_<kind>_failed` and `sms_<kind>_no_phone`."""
    if not step.startswith("sms_"):
        return None
    if step.endswith("_failed"):
        return SMS_NOT_SENT
    if step.endswith("_no_phone"):
        return SMS_NO_PHONE
    return STEP_LABELS["sms_sent"]


def actor_label(label: str, service: str | None = None) -> str:
    """Who did a step: "patient", "applicant", "system" in words; a staff member's name as stored."""
    return _text(_own(service, "actors", label) or ACTOR_LABELS.get(label), label)


# ---- requests -----------------------------------------------------------------------------------------


class InvalidTransition(RuntimeError):
    pass


def next_number(prefix: str, year: int) -> str:
    """`AP-2026-000123`: the counter row is updated in place, so two requests never share a number."""
    # On the session's connection, not through the ORM: no autoflush of unrelated pending changes first.
    value = (
        db.session.connection()
        .execute(
            update(RequestCounter)
            .where(RequestCounter.prefix == prefix, RequestCounter.year == year)
            .values(last_value=RequestCounter.last_value + 1)
            .returning(RequestCounter.last_value)
        )
        .scalar()
    )
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(RequestCounter).values(prefix=prefix, year=year, last_value=1))
            value = 1
        except IntegrityError:  # another request created the counter first: take the next value
            return next_number(prefix, year)
    return f"{prefix}-{year}-{value:06d}"


def create_request(
    service_slug: str,
    *,
    channel: str,
    actor: Actor,
    subject: Patient | None = None,
    applicant: Patient | None = None,
    applicant_name: str = "",
    language: str = "kk",
    status: str = "submitted",
    note: str = "",
    flush: bool = True,
) -> ServiceRequest:
    """A new request, numbered, with its "submitted" event. `flush=False` leaves the INSERT to the caller's
    next flush, for a caller that adds rows of its own right after and flushes them anyway (one flush
    instead of two, issue 7); the request then has no id until that flush."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    service = catalogue.get(service_slug)
    created_at = now()
    request = ServiceRequest(
        number=next_number(service.prefix, created_at.year),
        service=service.slug,
        channel=channel,
        status=status,
        subject=subject,
        applicant=applicant or subject,
        applicant_name=applicant_name,
        created_by=actor.staff,
        language=language,
        created_at=created_at,
        deadline_at=_deadline(service, channel, created_at),
    )
    db.session.add(request)
    if flush:
        db.session.flush()
    _add_event(request, "submitted", None, status, channel=channel, actor=actor, note=note)
    log.info("request %s created via %s", request.number, channel)
    return request


def _deadline(service, channel: str, received_at):
    """The request's deadline. A deadline in plain minutes (the automatic services, answered 24/7) needs no
    working calendar, so the clinic profile and its calendar exceptions are not read for it (issue 7)."""
    rule = service.deadline_rule(channel)
    if rule is None:
        return None
    return rule.apply(received_at, get_calendar() if rule.needs_calendar else None)


def record_step(
    request: ServiceRequest, step: str, *, actor: Actor, channel: str | None = None, note: str = ""
):
    """A step that does not change the status (registry checked, SMS sent, talon printed, ...)."""
    return _add_event(request, step, None, None, channel=channel or request.channel, actor=actor, note=note)


def transition(
    request: ServiceRequest,
    to_status: str,
    *,
    actor: Actor,
    step: str | None = None,
    channel: str | None = None,
    note: str = "",
) -> RequestEvent:
    if to_status not in STATUSES:
        raise ValueError(f"unknown status {to_status!r}")
    if request.status in FINAL_STATUSES:
        raise InvalidTransition(f"{request.number} is already {request.status}")
    from_status = request.status
    request.status = to_status
    if to_status in FINAL_STATUSES:
        request.completed_at = now()
    return _add_event(
        request,
        step or to_status,
        from_status,
        to_status,
        channel=channel or request.channel,
        actor=actor,
        note=note,
    )


def refuse(request: ServiceRequest, ground: str, *, actor: Actor, channel: str | None = None, note: str = ""):
    """Refuse on one of the service's regulation grounds; free text only adds to the ground."""
    service = catalogue.get(request.service)
    if ground not in service.refusal_grounds:
        raise ValueError(f"{ground!r} is not a refusal ground of {service.slug}")
    request.refusal_ground = ground
    request.refusal_note = note
    return transition(request, "refused", actor=actor, channel=channel, note=note)


def cancel(
    request: ServiceRequest,
    *,
    actor: Actor,
    step: str = "cancelled",
    channel: str | None = None,
    note: str = "",
) -> RequestEvent:
    """The person, or the desk on their behalf, calls the request off: it ends "cancelled", one event.

    An open request is cancelled like any other transition. A request already answered ("completed": the
    booking was made, the doctor and the visit window were given) may be cancelled too, because what it
    gave can be given up; it keeps `completed_at`, the moment it was answered, since the service was
    delivered then: monitoring still counts it answered, in time or late (see `was_completed`).
    A refused or cancelled request cannot be cancelled.
    """
    if request.status != "completed":
        return transition(request, "cancelled", actor=actor, step=step, channel=channel, note=note)
    request.status = "cancelled"
    return _add_event(
        request, step, "completed", "cancelled", channel=channel or request.channel, actor=actor, note=note
    )


def was_completed(request: ServiceRequest) -> bool:
    """Completed, or completed and cancelled later: the regulation's answer was given either way."""
    if request.status == "completed":
        return True
    return request.status == "cancelled" and any(event.to_status == "completed" for event in request.events)


def was_completed_clause():
    """`was_completed` as an SQL condition on ServiceRequest, for counting in the database."""
    return (ServiceRequest.status == "completed") | and_(
        ServiceRequest.status == "cancelled",
        exists().where(RequestEvent.request_id == ServiceRequest.id, RequestEvent.to_status == "completed"),
    )


@dataclass(frozen=True)
class RequestCounts:
    """One service's requests received in a period, and its open and overdue ones right now."""

    received: int  # within the period
    answered: int  # of those, answered (completed, maybe cancelled since, or refused) so far
    answered_in_time: int  # of those, answered by the deadline
    open_now: int  # open at this moment, whenever received
    overdue_now: int  # open and past the deadline at this moment


def counts(service_slug: str, start_at: datetime, end_at: datetime) -> RequestCounts:
    """The service's requests received in [start_at, end_at), and its open and overdue ones right now."""
    of_service = ServiceRequest.service == service_slug
    in_period = (of_service, ServiceRequest.created_at >= start_at, ServiceRequest.created_at < end_at)
    answered = (*in_period, was_completed_clause() | (ServiceRequest.status == "refused"))
    is_open = (of_service, ServiceRequest.status.in_(OPEN_STATUSES))

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count(ServiceRequest.id)).where(*conditions)) or 0

    return RequestCounts(
        received=count(*in_period),
        answered=count(*answered),
        answered_in_time=count(*answered, ServiceRequest.completed_at <= ServiceRequest.deadline_at),
        open_now=count(*is_open),
        overdue_now=count(*is_open, ServiceRequest.deadline_at < now()),
    )


def find_by_number(number: str) -> ServiceRequest | None:
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.number == number.strip().upper())
    ).first()


def _add_event(request, step, from_status, to_status, *, channel, actor: Actor, note) -> RequestEvent:
    event = RequestEvent(
        request=request,
        at=now(),
        step=step,
        from_status=from_status,
        to_status=to_status,
        channel=channel,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        note=note,
    )
    db.session.add(event)
    return event
