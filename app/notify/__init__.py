"""Sending SMS: one contract for every service, the backend chosen by SMS_BACKEND.

    from app.notify import SmsUnavailable, send, send_localized

    message_id = send(phone, text, purpose="certificate_ready")
    message_id = send_localized(phone, patient.language, lambda: _("Your code: %(code)s", code=code),
                                purpose="otp:login", secret=code)

Whatever the backend, every message is kept in the outbox table (app.models.notify.SmsMessage), which admins
read at /admin/outbox:

- SMS_BACKEND=outbox (default, no provider needed): the message is stored and logged, status "stored".
  This is how the demo delivers one-time codes.
- SMS_BACKEND=http: the message is posted to the SMS gateway at SMS_HTTP_URL (app.notify.http) and stored
  as "sent", or as "failed" with the reason when the gateway refuses it or cannot be reached.

`send` raises `SmsUnavailable` (after storing the failed message) when the message could not be handed to
the provider. Callers catch it, tell the person in their language (`SMS_UNAVAILABLE_MESSAGE`) and answer
with a status below 400, so the request's single commit keeps the failed row for staff to see. It is never
allowed to become a 500.

`secret` (a one-time code in the text) is masked in the stored copy when a real provider delivers the
message, so the outbox never holds live codes in production; the embedded backend keeps it, since the
outbox is then the only way the code reaches anyone (the admin page masks a code once it is used or dead,
app.services.sms.outbox_texts).

The embedded backend is for the demo and the tests: it delivers nothing. A production configuration
(PRODUCTION, set in deploy/) refuses to start with it (`check_configuration`, from create_app) unless
SMS_OUTBOX_IN_PRODUCTION says it is meant: a clinic without an SMS provider whose admins read the codes out
to the people, knowing that they can then read every live code.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.core.clock import now
from app.extensions import db
from app.models.notify import SmsMessage
from app.notify.contract import SmsBackend, SmsUnavailable
from app.notify.http import HttpSmsBackend
from app.notify.outbox import OutboxBackend

log = logging.getLogger(__name__)

BACKENDS = ("outbox", "http")
MASK = "••••••"
SMS_UNAVAILABLE_MESSAGE = _l(
    "We could not send the SMS right now. Please try again in a few minutes, or apply at the clinic's "
    "registry desk."
)


class OutboxInProduction(RuntimeError):
    """The app is configured for production with the embedded outbox, which sends no SMS to anyone."""


def check_configuration(config) -> None:
    """Refuse a production configuration whose SMS are never delivered (called when the app is built)."""
    backend = str(config.get("SMS_BACKEND") or "outbox").strip().lower()
    if config.get("PRODUCTION") and backend == "outbox" and not config.get("SMS_OUTBOX_IN_PRODUCTION"):
        raise OutboxInProduction(
            "PRODUCTION is set but SMS_BACKEND is 'outbox', the embedded demo backend: no SMS would reach "
            "anyone, and admins would read every live one-time code. Configure the SMS gateway "
            "(SMS_BACKEND=http, SMS_HTTP_URL, SMS_HTTP_TOKEN), or set SMS_OUTBOX_IN_PRODUCTION=true if "
            "this is really meant."
        )


def delivers_externally() -> bool:
    """Whether messages reach phones (a real provider) or only the outbox table (the demo backend)."""
    return get_backend().delivers_externally


def get_backend() -> SmsBackend:
    config = current_app.config
    name = str(config.get("SMS_BACKEND") or "outbox").strip().lower()
    if name == "outbox":
        return OutboxBackend()
    if name == "http":
        return HttpSmsBackend(
            url=config.get("SMS_HTTP_URL") or "",
            token=config.get("SMS_HTTP_TOKEN") or "",
            sender=config.get("SMS_HTTP_SENDER") or "",
            connect_timeout=float(config.get("SMS_CONNECT_TIMEOUT", 2.0)),
            read_timeout=float(config.get("SMS_READ_TIMEOUT", 5.0)),
        )
    raise ValueError(f"SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")


def send(phone: str, text: str, *, purpose: str, language: str = "kk", secret: str | None = None) -> int:
    """Send one SMS and return its outbox id. Raises SmsUnavailable (the failed message is stored)."""
    if not phone:
        raise ValueError("an SMS needs a phone number")
    backend = get_backend()
    stored_text = text.replace(secret, MASK) if secret and backend.delivers_externally else text
    message = SmsMessage(
        created_at=now(),
        phone=phone,
        purpose=purpose[:80],
        language=language,
        text=stored_text,
        backend=backend.name,
        status="stored",
    )
    if backend.delivers_externally and not _request_has_written():
        return _send_beside_the_request(backend, message, text)
    db.session.add(message)
    db.session.flush()
    try:
        provider_id = backend.deliver(phone, text, reference=str(message.id))
    except SmsUnavailable as error:
        message.status = "failed"
        message.error = error.reason[:300]
        db.session.flush()
        error.message_id = message.id
        log.warning("sms #%s to %s (%s) failed: %s", message.id, mask_phone(phone), purpose, error)
        raise
    if backend.delivers_externally:
        message.status = "sent"
        message.provider_message_id = (provider_id or "")[:100]
        message.sent_at = now()
        db.session.flush()
    return message.id


def _send_beside_the_request(backend: SmsBackend, message: SmsMessage, text: str) -> int:
    """A code someone is waiting for (issue 15, item 2): the outbox row is written and committed in a
    transaction of its own, the gateway is called with no transaction open, and the outcome is committed
    the same way, so the request's own transaction, which has written nothing yet, never holds the database
    (SQLite's write lock) while the gateway answers. Used only then: once the request has written, a second
    connection would wait on its lock."""
    with Session(db.engine, expire_on_commit=False) as own:
        own.add(message)
        own.commit()
        try:
            provider_id = backend.deliver(message.phone, text, reference=str(message.id))
        except SmsUnavailable as error:
            message.status = "failed"
            message.error = error.reason[:300]
            own.commit()
            error.message_id = message.id
            log.warning(
                "sms #%s to %s (%s) failed: %s", message.id, mask_phone(message.phone), message.purpose, error
            )
            raise
        message.status = "sent"
        message.provider_message_id = (provider_id or "")[:100]
        message.sent_at = now()
        own.commit()
        return message.id


def _request_has_written() -> bool:
    """Whether the request's transaction holds SQLite's write lock (a BEGIN is issued before the first
    write only). PostgreSQL locks rows, not the database: a new outbox row never waits on the request."""
    if db.engine.dialect.name != "sqlite":
        return False
    return bool(db.session.connection().connection.dbapi_connection.in_transaction)


def queue(
    phone: str,
    language: str,
    render: Callable[[], str],
    *,
    purpose: str,
    request_id: int | None = None,
    kind: str = "",
    due_until: datetime | None = None,
) -> int:
    """Keep a message for the SMS worker (app.services.sms.deliver_queued), in the caller's transaction:
    nothing waits on the gateway here. Returns the outbox id. Not for one-time codes (their text is masked
    once stored; the person waiting for one is told at once whether it went)."""
    if not phone:
        raise ValueError("an SMS needs a phone number")
    with force_locale(language):
        text = str(render())
    message = SmsMessage(
        created_at=now(),
        phone=phone,
        purpose=purpose[:80],
        language=language,
        text=text,
        backend=get_backend().name,
        status="queued",
        request_id=request_id,
        kind=kind[:40],
        attempts=0,
        next_attempt_at=now(),
        due_until=due_until,
    )
    db.session.add(message)
    db.session.flush()
    return message.id


def deliver(message_id: int, phone: str, text: str) -> str:
    """Hand one queued message to the backend, touching no database: the worker calls it between its
    transactions. Returns the provider's id; raises SmsUnavailable."""
    return get_backend().deliver(phone, text, reference=str(message_id))


def send_localized(
    phone: str, language: str, render: Callable[[], str], *, purpose: str, secret: str | None = None
) -> int:
    """Render the text in the recipient's language (not the current visitor's), then send it."""
    with force_locale(language):
        text = str(render())
    return send(phone, text, purpose=purpose, language=language, secret=secret)


def mask_phone(phone: str) -> str:
    """ "+77011234567" -> "+7 701 *** ** 67": enough for a person to recognise their own number."""
    digits = "".join(char for char in phone or "" if char.isdigit())
    if len(digits) < 6:
        return "***"
    return f"+{digits[0]} {digits[1:4]} *** ** {digits[-2:]}"
