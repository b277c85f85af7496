"""Registry pending: requests that wait for a national registry to answer, and retrying them.

When a service cannot get an answer from the registry (RegistryUnavailable) it keeps the request, with
everything the person entered, in status `awaiting_registry`:

    from app.services import registry_pending

    try:
        attachment = get_registry().attachment_of(iin)
    except RegistryUnavailable:
        registry_pending.wait_for_registry(request, actor=actor)
        return ...  # show registry_pending.WAITING_MESSAGE

and registers, once, at import time, how to carry on from there:

    registry_pending.register_retry_handler("attachment", resume_attachment)

A handler is `handler(request, actor)`: it asks the registry again and moves the request on (transition,
refuse, ...). It raises RegistryUnavailable when the registry is still down; it may leave the request
waiting. Staff retry from the "registry pending" queue (app/blueprints/registry_queue), one or all.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.extensions import db
from app.models import ServiceRequest
from app.registries import RegistryError, RegistryUnavailable
from app.services.audit import audit
from app.services.requests import record_step, transition

log = logging.getLogger(__name__)

AWAITING_REGISTRY = "awaiting_registry"

# What the person sees when their request waits for the registry (the number is theirs to keep).
WAITING_MESSAGE = _l(
    "The national registry is not answering right now. Your request %(number)s is saved with everything you "
    "entered and will be completed as soon as the registry answers; you do not need to apply again."
)

# The one answer to "a registry cannot answer right now" when nothing was saved (a sign-in, a lookup): the
# page shows it beside what the person entered, or app/errors.py shows it alone for an outage no view
# expected. A request that was saved and waits for the registry says WAITING_MESSAGE instead.
UNAVAILABLE_MESSAGE = _l("The state database is not answering right now. Please try again in a few minutes.")

# Why the registry could not answer (RegistryUnavailable.reason), for staff and admins.
UNAVAILABLE_REASONS = {
    "timeout": _l("The registry gateway did not answer in time."),
    "connection_error": _l("The registry gateway cannot be reached (no connection)."),
    "server_error": _l("The registry gateway reported an error on its side."),
    "malformed_response": _l("The registry gateway's answer could not be understood."),
    "unauthorized": _l("The registry gateway refused Emhana's token: check the REGISTRY_TOKEN setting."),
    "circuit_open": _l(
        "Requests to the registry are paused for a short while after repeated failures; "
        "checking the connection tries again now."
    ),
    "not_configured": _l("The registry gateway address is not set (the REGISTRY_URL setting)."),
    "database_error": _l("The local registry's tables cannot be read: has the database been upgraded?"),
    "unexpected_status": _l(
        "The registry gateway gave an unexpected answer: check the REGISTRY_URL setting."
    ),
    "unexpected_error": _l("An unexpected error occurred while contacting the registry."),
    "config": _l("The registry settings are not valid (REGISTRY_BACKEND must be local or http)."),
    "error": _l("An unexpected error occurred while contacting the registry."),
}

RetryHandler = Callable[[ServiceRequest, Actor], None]
_handlers: dict[str, RetryHandler] = {}


@dataclass(frozen=True)
class RetryOutcome:
    """What a retry did. resolved: the request moved on; still_waiting: the registry answered but the
    handler kept it waiting; unavailable: still no answer; no_handler: its service cannot be retried yet;
    not_pending: nothing to do."""

    number: str
    result: str

    @property
    def message(self):
        return RESULT_MESSAGES[self.result]


RESULT_MESSAGES = {
    "resolved": _l("The registry answered; the request has moved on."),
    "still_waiting": _l("The registry answered, but the request is still waiting."),
    "unavailable": _l("The registry is still not answering. The request keeps waiting; try again later."),
    "no_handler": _l("This service cannot be retried from here yet."),
    "not_pending": _l("The request is no longer waiting for the registry."),
}


def register_retry_handler(service_slug: str, handler: RetryHandler) -> None:
    """Called once per service at import time; registering again replaces the handler (tests, reloads)."""
    _handlers[service_slug] = handler


def unregister_retry_handler(service_slug: str) -> None:
    _handlers.pop(service_slug, None)


def has_retry_handler(service_slug: str) -> bool:
    return service_slug in _handlers


def wait_for_registry(request: ServiceRequest, *, actor: Actor, channel: str | None = None, note: str = ""):
    """Put the request in `awaiting_registry` (one event), unless it is already waiting."""
    if request.status == AWAITING_REGISTRY:
        return record_step(request, "registry_unavailable", actor=actor, channel=channel, note=note)
    log.warning("request %s waits for the registry", request.number)
    return transition(
        request, AWAITING_REGISTRY, actor=actor, step="registry_unavailable", channel=channel, note=note
    )


def pending_requests(limit: int = 500) -> list[ServiceRequest]:
    """Oldest first: the person who has waited longest is retried first."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.status == AWAITING_REGISTRY)
            .options(selectinload(ServiceRequest.subject))  # the queue names each person: with the rows
            .order_by(ServiceRequest.created_at, ServiceRequest.id)
            .limit(limit)
        )
    )


def count_pending() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(ServiceRequest).where(ServiceRequest.status == AWAITING_REGISTRY)
        )
        or 0
    )


def retry(request: ServiceRequest, actor: Actor, *, channel: str | None = None) -> RetryOutcome:
    """Run the service's handler for a waiting request and record what happened, as events."""
    if request.status != AWAITING_REGISTRY:
        return RetryOutcome(request.number, "not_pending")
    handler = _handlers.get(request.service)
    if handler is None:
        log.warning("request %s: no registry retry handler for %s", request.number, request.service)
        return RetryOutcome(request.number, "no_handler")

    record_step(request, "registry_retry", actor=actor, channel=channel)
    try:
        # A savepoint: whatever a handler half-did before the registry failed it again is undone.
        with db.session.begin_nested():
            handler(request, actor)
    except RegistryUnavailable as error:
        log.warning("request %s: registry still unavailable on retry (%s)", request.number, error.reason)
        record_step(request, "registry_still_unavailable", actor=actor, channel=channel, note=error.reason)
        return RetryOutcome(request.number, "unavailable")
    except RegistryError as error:
        # NotFound escaping a handler: the handler should have turned it into a refusal. Keep waiting.
        log.error("request %s: retry handler let %s escape", request.number, type(error).__name__)
        record_step(
            request, "registry_still_unavailable", actor=actor, channel=channel, note=type(error).__name__
        )
        return RetryOutcome(request.number, "unavailable")
    if request.status == AWAITING_REGISTRY:
        return RetryOutcome(request.number, "still_waiting")
    log.info("request %s resumed after the registry answered", request.number)
    return RetryOutcome(request.number, "resolved")


def list_for_staff(actor: Actor) -> list[ServiceRequest]:
    """The queue of waiting requests as staff see it; the look at who is waiting is audited."""
    waiting = pending_requests()
    audit(actor, "view", "registry_pending", detail=f"{len(waiting)} requests listed")
    return waiting


def retry_from_queue(request: ServiceRequest, actor: Actor) -> RetryOutcome:
    """A staff member retries one waiting request from the queue: the retry and its audit entry."""
    outcome = retry(request, actor)
    audit(
        actor,
        "update",
        "service_request",
        object_id=request.number,
        patient_id=request.subject_id,
        detail=f"registry retry: {outcome.result}",
    )
    return outcome


def retry_all(actor: Actor, *, channel: str | None = None) -> list[RetryOutcome]:
    """Retry every waiting request that can be retried; stop asking once the registry proves still down.
    A staff member's run is audited as one entry."""
    outcomes = []
    for request in pending_requests():
        if not has_retry_handler(request.service):
            outcomes.append(RetryOutcome(request.number, "no_handler"))
            continue
        outcome = retry(request, actor, channel=channel)
        outcomes.append(outcome)
        if outcome.result == "unavailable":
            break  # the registry is down: asking again for each request would only make people wait
    if actor.staff is not None:
        resolved = sum(1 for outcome in outcomes if outcome.result == "resolved")
        audit(
            actor,
            "update",
            "registry_pending",
            detail=f"retry all: {len(outcomes)} tried, {resolved} resolved",
        )
    return outcomes
