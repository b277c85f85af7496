"""Public pages: home, the service catalogue, language switch, health check."""

import logging

from flask import abort, current_app, jsonify, redirect, render_template, request
from sqlalchemy import text

from app.blueprints.public import bp
from app.core.urls import safe_next_path
from app.extensions import db
from app.registries import registry_health
from app.services import catalogue, hiv_testing

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
    return render_template("public/service.html", service=service, **extra)


@bp.get("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next_path(request.args.get("next")))
    response.set_cookie(current_app.config["LANGUAGE_COOKIE"], code, max_age=ONE_YEAR, samesite="Lax")
    return response


@bp.get("/healthz")
def show_health():
    database = "ok"
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001  (any failure means "not ok"; the log has the detail)
        log.exception("health check: database unreachable")
        database = "error"
    registry = registry_health()
    healthy = database == "ok" and registry["status"] == "ok"
    body = {"status": "ok" if healthy else "degraded", "database": database, "registry": registry}
    return jsonify(body), 200 if database == "ok" else 503
