"""Creating service requests, numbering them and moving them through their statuses, one event per step."""

import logging

from sqlalchemy import and_, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import Patient, RequestCounter, RequestEvent, ServiceRequest
from app.models.requests import CHANNELS, FINAL_STATUSES, STATUSES
from app.services import catalogue
from app.services.calendar import get_calendar

log = logging.getLogger(__name__)


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
