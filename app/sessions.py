"""Sessions kept on the server, so that signing out really ends them (issue 13, item 4).

Flask's own sessions live in the cookie: signed, not encrypted, so a patient's IIN could be read from it, and
a copied cookie kept working after sign-out, since the server had nothing to forget. Here the cookie carries
only a random token; the session's values live in the `web_session` table (app.models.WebSession) under the
token's SHA-256:

- signing out deletes the row: a copy of the cookie opens nothing any more (`renew()` gives the browser a
  new token, so a sign-in or sign-out also ends any copy of the cookie taken before it);
- "sign out everywhere" deletes every row of a staff member (app.services.staff_accounts.end_sessions);
- every session ends SESSION_LIFETIME after it began, however active (12 hours: a staff session begins at
  the sign-in), besides the idle timeouts of staff (app.auth) and patients (app.patient_auth);
- nothing personal is in the cookie: no IIN, no request number, nothing to decode.

The row is read when the request starts and written after the request's own commit (app/__init__.py), in a
commit of its own; a row that a sign-out elsewhere deleted meanwhile is never written back. Each worker
process reads and writes the same table, so any number of workers share the sessions, on SQLite and
PostgreSQL alike. The values are Flask's tagged JSON, as in its cookie sessions.

Why not Flask-Session: its SQLAlchemy backend creates its table itself when the app is built (outside the
Alembic migrations, and before `flask db upgrade` could create it), commits the app's database session in
the middle of a request, runs on the wall clock rather than app.core.clock, cannot find a person's sessions
for "sign out everywhere", and its last release is from March 2024. This file is the part of it we need.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import Flask, Request, Response, current_app
from flask.sessions import SessionInterface, SessionMixin, session_json_serializer
from flask_babel import ngettext
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import CallbackDict

from app.core.clock import now
from app.extensions import db
from app.models import WebSession

log = logging.getLogger(__name__)

PRUNE_INTERVAL = timedelta(minutes=10)
# How often a signed-in person's "seen at" (the idle timeouts' mark: app.auth, app.patient_auth) is written.
# Writing it on every request cost each page an UPDATE and a commit of the session row (issue 22, item 6);
# written at most once a minute, an idle timeout counts from the last minute mark, so a session ends at the
# latest its idle time after the last request (never later), and at the earliest a minute before.
SEEN_RESOLUTION_SECONDS = 60
_last_pruned = None


class ServerSession(CallbackDict, SessionMixin):
    """The session's values, with what the server knows about the row behind them."""

    def __init__(self, initial=None, *, row_id: int | None = None, stored: bool = True):
        def on_update(self) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.modified = False
        self.row_id = row_id
        self.stored = stored  # False: a static file's request, or the database could not be read
        self.renewed = False

    def renew(self) -> None:
        """A new token for the same values, the old row deleted: call it at every sign-in and sign-out."""
        self.renewed = True
        self.modified = True


def renew(session: SessionMixin) -> None:
    if isinstance(session, ServerSession):
        session.renew()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(app: Flask) -> timedelta:
    value = app.config["SESSION_LIFETIME"]
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if request.path.startswith(f"{app.static_url_path}/"):
            return ServerSession(stored=False)
        token = request.cookies.get(self.get_cookie_name(app))
        if not token:
            return ServerSession()
        try:
            row = db.session.execute(
                select(WebSession.id, WebSession.data, WebSession.staff_id, WebSession.created_at).where(
                    WebSession.token_hash == token_hash(token)
                )
            ).first()
        except SQLAlchemyError:
            log.exception("sessions cannot be read")
            db.session.rollback()
            return ServerSession(stored=False)
        if row is None:
            return ServerSession()
        if now() - row.created_at >= lifetime(app):
            db.session.execute(delete(WebSession).where(WebSession.id == row.id))
            ended = ServerSession()
            if row.staff_id is not None:
                hours = round(lifetime(app).total_seconds() / 3600)
                message = ngettext(
                    "Your session ended: it lasts at most %(num)s hour. Please sign in again.",
                    "Your session ended: it lasts at most %(num)s hours. Please sign in again.",
                    hours,
                )
                ended["_flashes"] = [("info", message)]
            return ended
        return ServerSession(session_json_serializer.loads(row.data), row_id=row.id)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        if not session.stored:
            return
        response.vary.add("Cookie")
        moment = now()
        cookie = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }
        name = self.get_cookie_name(app)
        if session.row_id is not None and (session.renewed or not session):
            db.session.execute(delete(WebSession).where(WebSession.id == session.row_id))
            session.row_id = None
        if not session:
            if session.modified:
                response.delete_cookie(name, **cookie)
            _commit(moment)
            return
        values = {"data": session_json_serializer.dumps(dict(session)), "staff_id": _staff_id(session)}
        if session.row_id is None:
            token = secrets.token_urlsafe(32)
            db.session.execute(
                insert(WebSession).values(
                    token_hash=token_hash(token), created_at=moment, seen_at=moment, **values
                )
            )
            response.set_cookie(name, token, **cookie)
        elif session.modified:
            written = db.session.execute(
                update(WebSession).where(WebSession.id == session.row_id).values(seen_at=moment, **values)
            )
            if written.rowcount != 1:
                # Signed out elsewhere while this request ran: the session stays ended.
                response.delete_cookie(name, **cookie)
        _commit(moment)


def mark_seen(session: SessionMixin, key: str, moment: float, idle_seconds: float) -> None:
    """Record activity at `moment` (a timestamp) under `key`, unless it was recorded less than
    SEEN_RESOLUTION_SECONDS before (a mark in the future, after the clock went back, is replaced). With a
    short idle timeout (`idle_seconds`: a kiosk-like setting) the mark is kept within a tenth of it, so a
    person who keeps using the pages is never taken for idle."""
    resolution = min(SEEN_RESOLUTION_SECONDS, idle_seconds / 10)
    seen = session.get(key)
    try:
        fresh = seen is not None and 0 <= moment - float(seen) < resolution
    except (TypeError, ValueError):
        fresh = False
    if not fresh:
        session[key] = moment


def _staff_id(session: ServerSession) -> int | None:
    user_id = session.get("_user_id")
    try:
        return int(user_id) if user_id is not None else None
    except (TypeError, ValueError):
        return None


def _commit(moment) -> None:
    """The session's own commit, after the request's (app/__init__.py); old rows go now and then."""
    global _last_pruned
    if _last_pruned is None or abs(moment - _last_pruned) >= PRUNE_INTERVAL:
        _last_pruned = moment
        oldest = moment - lifetime(current_app)
        db.session.execute(delete(WebSession).where(WebSession.created_at < oldest))
    db.session.commit()


def init_app(app: Flask) -> None:
    app.session_interface = ServerSessionInterface()
