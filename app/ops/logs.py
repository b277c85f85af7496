"""One logging configuration for the web app, the workers and the timers (issue 15, item 3).

- Everything goes to stderr: under systemd that is the journal (`journalctl -u emhana`), which keeps the
  time, so lines there start with the journal's level prefix (<3> error, <4> warning, <6> info) and no time
  of their own; anywhere else each line starts with the UTC time.
- LOG_FORMAT=json writes one JSON object a line instead (for a collector); LOG_LEVEL sets the level (INFO).
- Each line of a web request carries the request's id (nginx's X-Request-ID when it sends one, or a new one,
  returned in the response's X-Request-ID header) and the signed-in staff member's account id. Never an IIN
  or a name: patients are not named in logs at all.
- The audit log (who saw or changed what, app.services.audit) is not a log file: it stays in its table,
  kept and read apart from these lines.
"""

import json
import logging
import os
import re
import secrets
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_HANDLER_NAME = "emhana"
_JOURNAL_PREFIX = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}


class RequestContext(logging.Filter):
    """Adds `request_id` and `user_id` (staff account id, or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = "-"
        record.user_id = "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            # Flask-Login's user once loaded for this request: reading it never queries the database.
            user = g.get("_login_user")
            staff_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
            if staff_id is not None:
                record.user_id = str(staff_id)
        return True


class TextFormatter(logging.Formatter):
    def __init__(self, *, journal: bool):
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{record.levelname} {record.name} [req={getattr(record, 'request_id', '-')} "
            f"user={getattr(record, 'user_id', '-')}] {record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if self.journal:
            prefix = f"<{_JOURNAL_PREFIX.get(record.levelno, 6)}>"
            return "\n".join(prefix + part for part in line.splitlines())
        return f"{datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds')} {line}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def handler_for(config, stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    if str(config.get("LOG_FORMAT") or "text").lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter(journal=bool(os.environ.get("JOURNAL_STREAM"))))
    handler.addFilter(RequestContext())
    return handler


def init_app(app: Flask) -> None:
    """Request ids for every request; the handler on the root logger once per process (not under the test
    suite, whose own capture must see the records: LOG_CONFIGURE=True forces it)."""
    app.before_request(_take_request_id)
    app.after_request(_give_request_id)
    if app.testing and not app.config.get("LOG_CONFIGURE"):
        return
    configure_root(app.config)


CHATTY_LIBRARIES = ("weasyprint", "fontTools")


def configure_root(config) -> None:
    """Our handler on the root logger, alone: Alembic's env.py replaces the root's handlers with its own
    (migrations/alembic.ini) whenever migrations run, so commands that migrate call this again after."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == _HANDLER_NAME or not _is_pytest_capture(old):
            root.removeHandler(old)
    root.addHandler(handler_for(config))
    root.setLevel(str(config.get("LOG_LEVEL") or "INFO").upper())
    # WeasyPrint and fontTools tell every step of every PDF at INFO: eight lines a document would bury ours.
    for chatty in CHATTY_LIBRARIES:
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _is_pytest_capture(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")


def _take_request_id() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_REQUEST_ID.match(offered) else secrets.token_hex(8)


def _give_request_id(response):
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response
