"""One-time codes: 6 digits sent by SMS to the phone on file, for one purpose, used at most once.

    sent = otp.issue(purpose="login", iin=iin, phone=phone, language="kk", ip=ip)
    ...
    otp.verify(purpose="login", iin=iin, code=typed)   # raises an OtpError with a translated .message

Rules (docs: ../shared/DESIGN.md "One-time codes and consent"):
- stored only as an HMAC (SECRET_KEY) of purpose, IIN and code; the code itself lives in the SMS only;
- valid OTP_LIFETIME (5 minutes), at most OTP_MAX_ATTEMPTS (5) wrong entries, then it is dead;
- single use, enforced by a conditional UPDATE, so two simultaneous submissions cannot both succeed;
- bound to a purpose ("login", "consent:TB-2026-000001"): a code sent for one never opens another;
- only the latest code of a purpose and IIN counts: asking for a new code retires the older ones;
- sending is rate-limited (app.services.rate_limit), and only codes really handed to the SMS gateway count,
  so an SMS outage never spends anyone's allowance (issue 13). The limits protect the person the code goes
  to without letting a stranger who knows their IIN lock them out:
    * a short cool-down per IIN (OTP_IIN_COOLDOWN): one code at a time, whoever asks; waiting it out costs
      the owner a minute at most;
    * a daily cap per IIN *and origin* (OTP_SENDS_PER_IIN a day from one address or kiosk): a stranger
      spends only their own address's share, never the owner's;
    * a daily ceiling per phone (OTP_SENDS_PER_PHONE), the brake on a flood of one phone from many
      addresses;
    * the per-origin limit (OTP_SENDS_PER_IP within OTP_SEND_WINDOW), against one address asking for many
      people.
  The refusal names no person and no phone: it reads the same whoever the IIN belongs to.

`issue` raises TooManyRequests before anything is sent, and lets app.notify.SmsUnavailable through: then no
code is stored (the previous one, if any, still works) and nothing is counted; the caller tells the person to
try again later.
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from app import notify
from app.core.clock import now
from app.extensions import db
from app.models.otp import OneTimeCode
from app.services import rate_limit

log = logging.getLogger(__name__)

CODE_DIGITS = 6


class OtpError(Exception):
    """Base of the errors `verify` and `issue` raise; `.message` is in the visitor's language."""

    code = "otp_error"

    @property
    def message(self) -> str:
        raise NotImplementedError


class InvalidCodeFormat(OtpError):
    code = "invalid_format"

    @property
    def message(self) -> str:
        return _("Enter the 6-digit code from the SMS.")


class WrongCode(OtpError):
    code = "wrong_code"

    def __init__(self, attempts_left: int):
        super().__init__(f"wrong code, {attempts_left} attempts left")
        self.attempts_left = attempts_left

    @property
    def message(self) -> str:
        return ngettext(
            "Wrong code. You have %(num)d attempt left.",
            "Wrong code. You have %(num)d attempts left.",
            self.attempts_left,
        )


class CodeExpired(OtpError):
    code = "expired"

    def __init__(self, lifetime_minutes: int):
        super().__init__("code expired")
        self.lifetime_minutes = lifetime_minutes

    @property
    def message(self) -> str:
        return ngettext(
            "The code has expired: a code is valid for %(num)d minute. Request a new code.",
            "The code has expired: a code is valid for %(num)d minutes. Request a new code.",
            self.lifetime_minutes,
        )


class TooManyAttempts(OtpError):
    code = "too_many_attempts"

    @property
    def message(self) -> str:
        return _("Too many wrong codes were entered, so this code no longer works. Request a new code.")


class NoActiveCode(OtpError):
    code = "no_code"

    @property
    def message(self) -> str:
        return _("There is no code to check: it was already used or never sent. Request a new code.")


class TooManyRequests(OtpError):
    code = "too_many_requests"

    def __init__(self, retry_after_minutes: int):
        super().__init__(f"too many codes requested, retry in {retry_after_minutes} min")
        self.retry_after_minutes = retry_after_minutes

    @property
    def message(self) -> str:
        return ngettext(
            "Too many codes were requested. Please try again in %(num)d minute.",
            "Too many codes were requested. Please try again in %(num)d minutes.",
            self.retry_after_minutes,
        )


def lifetime() -> timedelta:
    return _as_timedelta(current_app.config["OTP_LIFETIME"])


def lifetime_minutes() -> int:
    return max(1, round(lifetime().total_seconds() / 60))


def code_sent_notice() -> str:
    """The code step's words, the same whether a code went out or the IIN has no phone on file (or does not
    exist): so the page tells nobody which, and still tells the person without a phone what to do."""
    return _(
        "If a mobile phone number is on file for this IIN, we have sent a 6-digit code to it; it is valid "
        "for %(minutes)s minutes. No SMS within a few minutes? Check the IIN and start again, or apply at "
        "the clinic's registry desk with an identity document.",
        minutes=lifetime_minutes(),
    )


def default_text(code: str) -> str:
    """The SMS of a sign-in code, rendered in the recipient's language by notify.send_localized."""
    return _(
        "Your code: %(code)s. It is valid for %(minutes)s minutes. Do not tell it to anyone.",
        code=code,
        minutes=lifetime_minutes(),
    )


def issue(
    *,
    purpose: str,
    iin: str,
    phone: str,
    language: str,
    ip: str = "",
    text: Callable[[str], str] = default_text,
) -> OneTimeCode:
    """Create a code, send it by SMS in `language`, and return the stored record (never the code)."""
    limits = send_limits(iin=iin, phone=phone, origin=ip)
    try:
        rate_limit.check(*limits)
    except rate_limit.RateLimited as limited:
        log.warning("one-time code for %s refused: %s limit reached", purpose, limited.scope)
        raise TooManyRequests(limited.retry_after_minutes) from None

    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # Sent first: when the gateway refuses it (SmsUnavailable) nothing is stored, so the person's previous
    # code, if still alive, is not retired by one that never arrived, and no allowance is spent.
    message_id = notify.send_localized(
        phone, language, lambda: text(code), purpose=f"otp:{purpose}", secret=code
    )
    created_at = now()
    record = OneTimeCode(
        purpose=purpose,
        iin=iin,
        phone=phone,
        code_hash=_code_hash(purpose, iin, code),
        created_at=created_at,
        expires_at=created_at + lifetime(),
        attempts=0,
        sms_message_id=message_id,
    )
    db.session.add(record)
    db.session.flush()
    rate_limit.count(*limits)
    log.info("one-time code #%s for %s sent to %s", record.id, purpose, notify.mask_phone(phone))
    return record


def spend_without_sending(*, iin: str, origin: str) -> None:
    """Spend what a code for `iin` asked from `origin` would spend, sending nothing: the IIN has no phone to
    send to (unknown to the registry, or no number on file). The person is answered exactly as when a code
    went out, limits included, so that nobody can learn from the answer whether an IIN exists (issue 13)."""
    limits = tuple(limit for limit in send_limits(iin=iin, phone="", origin=origin) if limit.key)
    try:
        rate_limit.check(*limits)
    except rate_limit.RateLimited as limited:
        log.warning("one-time code asked for an IIN without a phone refused: %s limit reached", limited.scope)
        raise TooManyRequests(limited.retry_after_minutes) from None
    rate_limit.count(*limits)
    log.info("one-time code asked for an IIN without a phone to send to: nothing sent")


def send_limits(*, iin: str, phone: str, origin: str) -> tuple[rate_limit.Limit, ...]:
    """The limits a code to `phone` for `iin`, asked from `origin` (app.channels.client_key), must pass."""
    config = current_app.config
    day = timedelta(days=1)
    return (
        rate_limit.Limit("otp_send:iin_cooldown", iin, 1, _as_timedelta(config["OTP_IIN_COOLDOWN"])),
        # Keyed by the IIN and the origin together: what a stranger's address spends is its own share.
        rate_limit.Limit("otp_send:iin_origin", f"{iin}\x00{origin}", int(config["OTP_SENDS_PER_IIN"]), day),
        rate_limit.Limit("otp_send:phone", phone, int(config["OTP_SENDS_PER_PHONE"]), day),
        rate_limit.origin_limit(
            "otp_send:ip", origin, int(config["OTP_SENDS_PER_IP"]), _as_timedelta(config["OTP_SEND_WINDOW"])
        ),
    )


def is_live(record: OneTimeCode) -> bool:
    """The code could still be accepted: unused, not expired, tries left, and the latest of its kind."""
    if record.used_at is not None or now() >= record.expires_at:
        return False
    if record.attempts >= int(current_app.config["OTP_MAX_ATTEMPTS"]):
        return False
    newest = latest(record.purpose, record.iin)
    return newest is not None and newest.id == record.id


def matches(record: OneTimeCode, candidate: str) -> bool:
    """`candidate` is the code this record was made for (the outbox masks a dead code in a message text)."""
    return hmac.compare_digest(record.code_hash, _code_hash(record.purpose, record.iin, candidate))


def _as_timedelta(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def verify(*, purpose: str, iin: str, code: str) -> OneTimeCode:
    """Accept the code once, or raise an OtpError saying exactly why not (and count a wrong try)."""
    typed = "".join(char for char in code or "" if not char.isspace())
    if len(typed) != CODE_DIGITS or not typed.isdigit() or not typed.isascii():
        raise InvalidCodeFormat("malformed code")
    record = latest(purpose, iin)
    if record is None or record.used_at is not None:
        raise NoActiveCode("no active code")
    max_attempts = int(current_app.config["OTP_MAX_ATTEMPTS"])
    if record.attempts >= max_attempts:
        raise TooManyAttempts("too many attempts")
    if now() >= record.expires_at:
        raise CodeExpired(lifetime_minutes())
    if not hmac.compare_digest(record.code_hash, _code_hash(purpose, iin, typed)):
        # Counted in the database, not in Python, so parallel guesses are all counted.
        db.session.execute(
            update(OneTimeCode).where(OneTimeCode.id == record.id).values(attempts=OneTimeCode.attempts + 1)
        )
        db.session.refresh(record, ["attempts"])
        left = max_attempts - record.attempts
        log.info("one-time code #%s: wrong code, %s attempts left", record.id, left)
        if left <= 0:
            raise TooManyAttempts("too many attempts")
        raise WrongCode(left)
    used_at = now()
    marked = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == record.id, OneTimeCode.used_at.is_(None))
        .values(used_at=used_at)
    )
    if marked.rowcount != 1:
        raise NoActiveCode("already used")
    db.session.refresh(record, ["used_at"])
    return record


def latest(purpose: str, iin: str) -> OneTimeCode | None:
    return db.session.scalars(
        select(OneTimeCode)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.iin == iin)
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    ).first()


def _code_hash(purpose: str, iin: str, code: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"otp\x00{purpose}\x00{iin}\x00{code}".encode(), hashlib.sha256).hexdigest()
