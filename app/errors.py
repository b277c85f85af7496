"""Error pages in the visitor's language, and JSON errors for JSON clients."""

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.registries import RegistryUnavailable
from app.services.registry_pending import UNAVAILABLE_MESSAGE

log = logging.getLogger(__name__)
PAGES = (400, 403, 404, 405, 413, 429, 500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _render_http_error)
    # Unhandled exceptions reach this as a 500 (in tests they propagate instead, so failures show).
    app.register_error_handler(InternalServerError, _render_unexpected_error)
    app.register_error_handler(RegistryUnavailable, _render_registry_unavailable)


def _render_http_error(error: HTTPException):
    code = error.code
    if code not in PAGES:
        return error
    if request.accept_mimetypes.best == "application/json":
        return {"error": error.name, "status": code}, code
    return (
        render_template(
            "errors/error.html",
            code=code,
            message=getattr(error, "message", None),
            csrf_expired=isinstance(error, CSRFError),
        ),
        code,
    )


def _render_unexpected_error(error: InternalServerError):
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=error.original_exception)
    db.session.rollback()
    return _render_http_error(error)


def _render_registry_unavailable(error: RegistryUnavailable):
    """A registry outage no view turned into its own answer: 503 with the one message, nothing saved."""
    log.warning("registry unavailable on %s %s (%s)", request.method, request.path, error.reason)
    db.session.rollback()
    if request.accept_mimetypes.best == "application/json":
        return {"error": "registry_unavailable", "status": 503}, 503
    return render_template("errors/error.html", code=503, message=UNAVAILABLE_MESSAGE), 503
