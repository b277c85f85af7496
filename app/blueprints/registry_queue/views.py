"""Requests waiting for a national registry: the list, and retrying one or all of them."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth import current_actor, roles_required
from app.blueprints.registry_queue import bp
from app.htmx import is_htmx_request, render_page
from app.registries import registry_health
from app.services import catalogue, registry_pending
from app.services.requests import find_by_number

STAFF_ROLES = ("registrar", "head", "admin")


@bp.get("/")
@roles_required(*STAFF_ROLES)
def list_pending():
    waiting = registry_pending.list_for_staff(current_actor())
    return render_page(
        "registry_queue/index.html",
        "registry_queue/_list.html",
        waiting=[_row(item) for item in waiting],
        health=registry_health(),
        reasons=registry_pending.UNAVAILABLE_REASONS,
    )


@bp.post("/<number>/retry")
@roles_required(*STAFF_ROLES)
def retry_request(number: str):
    service_request = find_by_number(number)
    if service_request is None:
        abort(404)
    outcome = registry_pending.retry_from_queue(service_request, current_actor())
    if is_htmx_request():
        return render_page(
            "registry_queue/_row.html",
            "registry_queue/_row.html",
            item=_row(service_request),
            outcome=outcome,
        )
    flash(
        f"{service_request.number}: {outcome.message}",
        "success" if outcome.result == "resolved" else "warning",
    )
    return redirect(url_for("registry_queue.list_pending"), 303)


@bp.post("/retry-all")
@roles_required(*STAFF_ROLES)
def retry_all():
    outcomes = registry_pending.retry_all(current_actor())
    resolved = sum(1 for outcome in outcomes if outcome.result == "resolved")
    if not outcomes:
        flash(_("No request is waiting for the registry."), "info")
    else:
        flash(
            ngettext(
                "%(num)s request moved on after the registry answered.",
                "%(num)s requests moved on after the registry answered.",
                resolved,
            ),
            "success" if resolved else "info",
        )
        if any(outcome.result == "unavailable" for outcome in outcomes):
            flash(str(registry_pending.RESULT_MESSAGES["unavailable"]), "warning")
    return redirect(url_for("registry_queue.list_pending"), 303)


def _row(service_request) -> dict:
    """What the queue shows of one request: its service, subject, how long and how often it was retried."""
    try:
        service_name = catalogue.get(service_request.service).name
    except KeyError:
        service_name = service_request.service
    waiting_since = next(
        (
            event.at
            for event in reversed(service_request.events)
            if event.to_status == registry_pending.AWAITING_REGISTRY
        ),
        service_request.created_at,
    )
    retries = [event for event in service_request.events if event.step == "registry_retry"]
    return {
        "request": service_request,
        "service_name": service_name,
        "waiting_since": waiting_since,
        "retry_count": len(retries),
        "last_retry_at": retries[-1].at if retries else None,
        "can_retry": service_request.status == registry_pending.AWAITING_REGISTRY
        and registry_pending.has_retry_handler(service_request.service),
        "handler_missing": not registry_pending.has_retry_handler(service_request.service),
    }
