"""Public pages: home, the service catalogue, language switch, health check."""

import logging

from flask import abort, current_app, jsonify, redirect, render_template, request

from app.auth import roles_required
from app.blueprints.public import bp
from app.core.urls import safe_next_path
from app.ops import health
from app.services import catalogue, hiv_testing, modules, sick_leave

log = logging.getLogger(__name__)
ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def show_home():
    return render_template("public/home.html", services=catalogue.all_services())


@bp.get("/services")
def list_services():
    return render_template("public/services.html", services=catalogue.all_services())


@bp.get("/services/<slug>")
def show_service(slug: str):
    try:
        service = catalogue.get(slug)
    except KeyError:
        abort(404)
    # A service given only in person says where and on what terms the clinic gives it (HIV testing, 7).
    extra = {}
    if service.slug == hiv_testing.SERVICE:
        extra = {
            "in_person_template": "hiv_testing/_passport.html",
            "hiv_settings": hiv_testing.get_settings(),
        }
    if service.slug in sick_leave.SERVICES:
        extra = {
            "in_person_template": "sick_leave/_passport.html",
            "sick_leave_settings": sick_leave.get_settings(),
        }
    return render_template(
        "public/service.html", service=service, offered_here=modules.offered_here(slug), **extra
    )


@bp.get("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next_path(request.args.get("next")))
    response.set_cookie(current_app.config["LANGUAGE_COOKIE"], code, max_age=ONE_YEAR, samesite="Lax")
    return response


@bp.get("/healthz")
def show_health():
    """Cheap and local, for monitoring probes: the database answers and its schema is current
    (app.ops.health). It never calls the registry or the SMS gateway."""
    report, healthy = health.quick()
    return jsonify(report), 200 if healthy else 503


@bp.get("/healthz/deep")
@roles_required("admin")
def show_deep_health():
    """For admins: also the registry, the SMS gateway and its queue, and the free disk space."""
    report, healthy = health.deep()
    return jsonify(report), 200 if healthy else 503
