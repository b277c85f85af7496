"""Kiosk devices: registration by an admin, recognition of a registered device, revocation.

A device is activated with a short one-time code (8 digits, valid ACTIVATION_CODE_LIFETIME, one use) that the
admin is shown on the kiosks page and types on the kiosk's keypad: the kiosk then gets a new random token in a
cookie (and an older token of that device stops working). The long token still activates, for scripts.
Wrong codes are limited per client address.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from app.core.clock import now
from app.extensions import db
from app.models.kiosk import KioskDevice
from app.services import rate_limit

# Writing last_seen on every request would turn each page view into a write; once a minute is enough.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
ACTIVATION_CODE_LIFETIME = timedelta(minutes=15)
CODE_DIGITS = 8
# Wrong codes one address may try per window: 10^8 codes, 15 minutes each, leave nothing to guess.
CODE_ATTEMPTS, CODE_ATTEMPT_WINDOW = 10, timedelta(minutes=15)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_device(name: str) -> tuple[KioskDevice, str]:
    """Create a device and return it with its token, which is not stored and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    device = KioskDevice(name=name.strip(), token_hash=_hash(token), created_at=now())
    db.session.add(device)
    db.session.flush()
    return device, token


def device_for_token(token: str | None) -> KioskDevice | None:
    if not token:
        return None
    device = db.session.scalars(select(KioskDevice).where(KioskDevice.token_hash == _hash(token))).first()
    if device is None or not device.is_active:
        return None
    moment = now()
    if device.last_seen_at is None or moment - device.last_seen_at > LAST_SEEN_RESOLUTION:
        device.last_seen_at = moment
    return device


def list_devices() -> list[KioskDevice]:
    return list(db.session.scalars(select(KioskDevice).order_by(KioskDevice.created_at.desc())))


def set_active(device: KioskDevice, active: bool) -> None:
    device.is_active = active


# ---- short one-time activation codes -------------------------------------------------------------------
def issue_activation_code(device: KioskDevice) -> str:
    """A new code for the device, replacing any earlier one; shown once, kept only as its hash."""
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    device.activation_code_hash = _hash(f"code:{code}")
    device.activation_code_expires_at = now() + ACTIVATION_CODE_LIFETIME
    db.session.flush()
    return code


def shown_code(code: str) -> str:
    """The code as the admin reads it: two groups of four digits."""
    return f"{code[:4]} {code[4:]}"


def looks_like_code(text: str) -> bool:
    digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    return len(digits) == CODE_DIGITS and digits.isdigit()


def activate_with_code(text: str, origin: str) -> tuple[KioskDevice, str] | None:
    """The device whose live code this is, with its new token; None for a wrong, used or expired code.

    Raises rate_limit.RateLimited once the origin has tried too many wrong codes."""
    limit = rate_limit.Limit("kiosk_code", origin, CODE_ATTEMPTS, CODE_ATTEMPT_WINDOW)
    rate_limit.check(limit)
    digits = "".join(ch for ch in text if ch.isdigit())
    device = db.session.scalars(
        select(KioskDevice).where(KioskDevice.activation_code_hash == _hash(f"code:{digits}"))
    ).first()
    if device is None or not device.is_active or device.activation_code_expires_at <= now():
        rate_limit.count(limit)
        return None
    token = secrets.token_urlsafe(32)
    device.token_hash = _hash(token)
    device.activation_code_hash = None
    device.activation_code_expires_at = None
    device.last_seen_at = now()
    db.session.flush()
    return device, token
