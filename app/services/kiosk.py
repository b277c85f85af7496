"""Kiosk devices: registration by an admin, recognition of a registered device, revocation."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from app.core.clock import now
from app.extensions import db
from app.models.kiosk import KioskDevice

# Writing last_seen on every request would turn each page view into a write; once a minute is enough.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


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
