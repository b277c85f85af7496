"""The reference registry gateway: the local registry served through the documented gateway API.

The API is docs/registry-gateway.openapi.yaml.

It lets the HTTP adapter be tested over a real socket, lets one Emhana installation serve its registry to
another, and shows a clinic's IT exactly what a bridge to the real e-government gateway has to answer.

    flask --app wsgi registry-gateway --port 8081      # token from REGISTRY_GATEWAY_TOKEN

It is a separate, minimal Flask app (no pages, no sessions, no CSRF) over the same database, served by
gunicorn: the command above runs it in-process, deploy/emhana-registry-gateway.service through
registry_gateway_wsgi.py.
"""

import hmac
import logging
from collections.abc import Mapping
from datetime import date

import click
from flask import Blueprint, Flask, current_app, jsonify, request
from flask.cli import with_appcontext
from gunicorn.app.base import BaseApplication
from werkzeug.exceptions import HTTPException

from app.core.iin import CENTURY_BY_DIGIT, check_digit
from app.core.inputs import has_control_characters, to_day, to_int, without_bidi_controls
from app.extensions import db
from app.registries.contract import (
    REGISTERS,
    Attachment,
    NotFound,
    Person,
    RegisterStatus,
    RegistryUnavailable,
)
from app.registries.local import DEFAULT_SOURCE, LocalRegistry

# The clinic code column (registry_attachment.clinic_code).
CLINIC_CODE_LENGTH = 20

log = logging.getLogger(__name__)

API_PREFIX = "/api/registry/v1"
bp = Blueprint("registry_gateway", __name__, url_prefix=API_PREFIX)


class BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def create_gateway_app(settings: Mapping) -> Flask:
    """A gateway app over the database in `settings["SQLALCHEMY_DATABASE_URI"]`, guarded by a bearer token."""
    token = settings.get("REGISTRY_GATEWAY_TOKEN") or ""
    if not token:
        raise ValueError("the registry gateway needs REGISTRY_GATEWAY_TOKEN: it serves personal data")
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS=dict(settings.get("SQLALCHEMY_ENGINE_OPTIONS") or {"pool_pre_ping": True}),
        REGISTRY_GATEWAY_TOKEN=token,
        REGISTRY_SOURCE_NAME=settings.get("REGISTRY_SOURCE_NAME") or DEFAULT_SOURCE,
    )
    app.json.sort_keys = False
    # No Babel here: Flask-Babel caches catalogs per locale across apps, and an app without the catalogs
    # would leave English in that cache for the main app (IINs are checked without translated messages).
    db.init_app(app)
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.after_request(_commit_or_roll_back)
    return app


def _registry() -> LocalRegistry:
    return LocalRegistry(source=current_app.config["REGISTRY_SOURCE_NAME"])


# -- authentication and errors -----------------------------------------------------------------------------
@bp.before_request
def _require_token():
    expected = current_app.config["REGISTRY_GATEWAY_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        log.warning("registry gateway: refused a request without a valid token from %s", request.remote_addr)
        return _error(401, "unauthorized", "a valid bearer token is required")
    return None


def _error(status: int, code: str, message: str):
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="registry"'
    return response


@bp.errorhandler(NotFound)
def _person_not_found(error):
    return _error(404, "not_found", "no person with this IIN")


@bp.errorhandler(RegistryUnavailable)
def _registry_unavailable(error: RegistryUnavailable):
    log.warning("registry gateway: the local registry cannot answer: %s", error.reason)
    return _error(503, "unavailable", "the registry cannot answer now")


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    return _error(400, "bad_request", error.message)


def _http_error(error: HTTPException):
    # "not_found" is reserved for "no such person": a wrong path must not read as an answer about someone.
    code = "no_such_endpoint" if error.code == 404 else (error.name or "error").lower().replace(" ", "_")
    return _error(error.code or 500, code, error.description or "")


def _unexpected_error(error: Exception):
    log.exception("registry gateway: unexpected error on %s %s", request.method, request.path)
    db.session.rollback()
    return _error(503, "unavailable", "the registry cannot answer now")


def _commit_or_roll_back(response):
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


# -- the API ---------------------------------------------------------------------------------------------
@bp.get("/health")
def show_health():
    _registry().check_connection()
    return jsonify({"status": "ok", "source": current_app.config["REGISTRY_SOURCE_NAME"]})


@bp.get("/persons/<iin>")
def show_person(iin: str):
    return jsonify(person_json(_registry().find_person(_checked_iin(iin))))


@bp.get("/persons/<iin>/attachment")
def show_attachment(iin: str):
    return jsonify(attachment_json(_registry().attachment_of(_checked_iin(iin))))


@bp.put("/persons/<iin>/attachment")
def update_attachment(iin: str):
    iin = _checked_iin(iin)
    body = _json_object()
    clinic_code = _required_text(body, "clinic_code")
    district_number = body.get("district_number")
    if to_int(district_number, minimum=1) is None or isinstance(district_number, str):
        raise BadRequest("district_number must be a positive integer")
    free_choice = body.get("free_choice", False)
    if not isinstance(free_choice, bool):
        raise BadRequest("free_choice must be true or false")
    attachment = _registry().attach(
        iin, clinic_code, district_number, _required_date(body, "on_date"), free_choice=free_choice
    )
    return jsonify(attachment_json(attachment))


@bp.post("/persons/<iin>/attachment/detach")
def detach_person(iin: str):
    iin = _checked_iin(iin)
    body = _json_object()
    attachment = _registry().detach(iin, _required_text(body, "clinic_code"), _required_date(body, "on_date"))
    return jsonify(attachment_json(attachment))


@bp.get("/persons/<iin>/registers/<register>")
def show_register_status(iin: str, register: str):
    iin = _checked_iin(iin)
    if register not in REGISTERS:
        raise BadRequest(f"register must be one of {', '.join(REGISTERS)}")
    return jsonify(register_status_json(_registry().register_status(iin, register)))


# -- JSON shapes (kept in step with the schemas in the OpenAPI document) ------------------------------------
def person_json(person: Person) -> dict:
    return {
        "iin": person.iin,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "address": person.address,
        "phone": person.phone,
        "source": person.source,
    }


def attachment_json(attachment: Attachment) -> dict:
    return {
        "iin": attachment.iin,
        "attached": attachment.is_attached,
        "clinic_code": attachment.clinic_code,
        "clinic_name": attachment.clinic_name,
        "district_number": attachment.district_number,
        "since": _iso(attachment.since),
        "last_free_choice_on": _iso(attachment.last_free_choice_on),
        "source": attachment.source,
    }


def register_status_json(status: RegisterStatus) -> dict:
    return {
        "iin": status.iin,
        "register": status.register,
        "registered": status.is_registered,
        "since": _iso(status.since),
        "source": status.source,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _checked_iin(raw: str) -> str:
    """The same rules as app.core.iin.parse_iin, without its translated messages."""
    if len(raw) == 12 and raw.isascii() and raw.isdigit() and int(raw[6]) in CENTURY_BY_DIGIT:
        try:
            date(CENTURY_BY_DIGIT[int(raw[6])] + int(raw[0:2]), int(raw[2:4]), int(raw[4:6]))
        except ValueError:
            pass
        else:
            if check_digit(raw[:11]) == int(raw[11]):
                return raw
    raise BadRequest("not a valid IIN")


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _required_text(body: dict, key: str, *, max_length: int = CLINIC_CODE_LENGTH) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{key} is required")
    if len(value.strip()) > max_length or has_control_characters(value):
        raise BadRequest(f"{key} must be at most {max_length} printable characters")
    return without_bidi_controls(value.strip())


def _required_date(body: dict, key: str) -> date:
    day = to_day(body.get(key))
    if day is None:
        raise BadRequest(f"{key} must be a date (YYYY-MM-DD)")
    return day


# -- `flask registry-gateway` ----------------------------------------------------------------------------
class GunicornServer(BaseApplication):
    """gunicorn inside this process, serving one WSGI app object (what `gunicorn module:app` does)."""

    def __init__(self, application, options: Mapping):
        self.application = application
        self.options = dict(options)
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def gunicorn_options(host: str, port: int) -> dict:
    """One worker of 4 threads (small JSON look-ups), logging to stderr like the app's server."""
    return {
        "bind": f"{host}:{port}",
        "workers": 1,
        "threads": 4,
        "worker_class": "gthread",
        "timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "control_socket_disable": True,  # as deploy/gunicorn.conf.py: systemd, not gunicornc, manages it
    }


@click.command("registry-gateway")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8081, show_default=True, type=int)
@click.option(
    "--token",
    envvar="REGISTRY_GATEWAY_TOKEN",
    default=None,
    help="Bearer token clients must send (default: the REGISTRY_GATEWAY_TOKEN setting).",
)
@with_appcontext
def serve_gateway_command(host: str, port: int, token: str | None):
    """Serve the local registry through the registry gateway API (docs/registry-gateway.openapi.yaml), under
    gunicorn (as deploy/emhana-registry-gateway.service does with registry_gateway_wsgi:app)."""
    settings = dict(current_app.config)
    if token:
        settings["REGISTRY_GATEWAY_TOKEN"] = token
    try:
        gateway = create_gateway_app(settings)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"registry gateway: http://{host}:{port}{API_PREFIX}")
    GunicornServer(gateway, gunicorn_options(host, port)).run()
