"""After a lost database connection (the primary died and the standby was promoted, docs/scaling.md).

- The pool checks each connection before lending it (pool_pre_ping, app/config.py): after a failover the old
  connections are found dead and replaced, so the first request after the switch does not fail on one.
- A connection lost in the middle of a request: a read-only request (GET, HEAD) is run again, whole, on a
  fresh connection, DATABASE_READ_RETRIES times; it changed nothing, so running it again is safe.
- A write (POST ...) that was in flight is never run again here: it may or may not have been committed
  before the connection went. The user gets a 503 in their language saying so: check, then send it again.
  Every service's writes are made safe to send twice (a second booking of the same slot is refused, a
  request number is looked up before a new one is made), so "send it again" is an honest instruction.
"""

import contextlib
import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.extensions import db

log = logging.getLogger(__name__)

LOST = "emhana.database_connection_lost"
READS = frozenset({"GET", "HEAD"})


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, _connection_lost)
    app.wsgi_app = RetryReads(app.wsgi_app, retries=int(app.config.get("DATABASE_READ_RETRIES", 1)))


def is_connection_lost(error: DBAPIError) -> bool:
    """A connection that broke (server gone, restarted, failed over), not a bad statement or a conflict."""
    return bool(error.connection_invalidated) or type(error.orig).__name__ in (
        "OperationalError",
        "InterfaceError",
    )


def _connection_lost(error: DBAPIError):
    if not is_connection_lost(error):
        raise error
    log.warning(
        "database connection lost during %s %s: %s", request.method, request.path, type(error.orig).__name__
    )
    request.environ[LOST] = True
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    db.session.remove()
    if request.method in READS:
        message = _("The connection to the database was interrupted. Please reload the page in a moment.")
    else:
        message = _(
            "The connection to the database was interrupted while your request was being saved, so it may "
            "not have been saved. Please check, and if it is not there, send it again in a moment."
        )
    if request.accept_mimetypes.best == "application/json":
        return {"error": "database_unavailable", "message": message, "status": 503}, 503
    try:
        return render_template("errors/error.html", code=503, message=message), 503, {"Retry-After": "5"}
    except SQLAlchemyError:  # the page itself needs the database (the signed-in user): say it plainly
        db.session.remove()
        return message, 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "5"}


class RetryReads:
    """WSGI middleware: a GET or HEAD whose database connection was lost is run again, at most `retries`
    times; its first answer is thrown away unsent. Writes pass through once, whatever happens."""

    def __init__(self, wsgi_app, *, retries: int):
        self.wsgi_app = wsgi_app
        self.retries = max(0, retries)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in READS or self.retries == 0:
            return self.wsgi_app(environ, start_response)
        for attempt in range(self.retries + 1):
            environ.pop(LOST, None)
            started = []

            def hold(status, headers, exc_info=None, started=started):
                started[:] = [status, headers, exc_info]
                return lambda data: None  # the write() callable: Flask never uses it

            body = self.wsgi_app(environ, hold)
            if environ.get(LOST) and attempt < self.retries:
                if hasattr(body, "close"):
                    body.close()
                log.info(
                    "running %s %s again on a fresh connection",
                    environ["REQUEST_METHOD"],
                    environ["PATH_INFO"],
                )
                continue
            start_response(*started)
            return body
        return body  # not reached
