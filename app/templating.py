"""Template globals and filters shared by every page and printed document."""

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, format_decimal, format_time
from flask_wtf.csrf import generate_csrf

from app.core.i18n import current_language, localized
from app.services.clinic import get_clinic
from app.services.otp import code_sent_notice
from app.services.requests import actor_label, channel_label, status_label, step_label


def init_app(app: Flask) -> None:
    app.context_processor(_globals)
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="long": format_date(value, fmt) if value else ""
    app.jinja_env.filters["time"] = lambda value, fmt="HH:mm": format_time(value, fmt) if value else ""
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["code_sent_notice"] = code_sent_notice
    # A request's status, its history's steps and actors, its channel: one set of words for every service
    # (app.services.requests; each service registers its own words there).
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["step_label"] = step_label
    app.jinja_env.globals["actor_label"] = actor_label
    app.jinja_env.globals["channel_label"] = channel_label


def current_clinic():
    """The clinic profile, loaded at most once per request."""
    if "clinic" not in g:
        g.clinic = get_clinic()
    return g.clinic


def _globals() -> dict:
    return {
        "lang": current_language(),
        "languages": current_app.config["LANGUAGES"],
        "clinic": current_clinic(),
        "csrf_token_value": generate_csrf,
        "current_path": request.full_path.rstrip("?") if request else "/",
    }
