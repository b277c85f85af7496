"""Lobby kiosks registered by an admin. Only a registered device gets the kiosk channel and its layout."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class KioskDevice(Base):
    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # "Lobby, ground floor"
    # SHA-256 of the device token; the token itself is shown once, when the admin registers the device.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    # A short one-time activation code the admin reads out or types on the kiosk (issue 14): its SHA-256 and
    # until when it works; used once, it gives the device a new token in a cookie.
    activation_code_hash: Mapped[str | None] = mapped_column(String(64))
    activation_code_expires_at: Mapped[datetime | None]
