"""One-time codes sent by SMS, and the counters behind rate limits."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class OneTimeCode(Base):
    """One code sent to one phone for one purpose. Only its HMAC is stored; it is used at most once."""

    __tablename__ = "one_time_code"
    __table_args__ = (Index("ix_one_time_code_purpose_iin", "purpose", "iin", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(80))  # "login", "consent:TB-2026-000001", ...
    iin: Mapped[str] = mapped_column(String(12))  # whose phone the code went to
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)  # wrong codes entered so far
    used_at: Mapped[datetime | None]
    sms_message_id: Mapped[int | None] = mapped_column(ForeignKey("sms_outbox.id"))


class RateLimitHit(Base):
    """One counted action (a code sent, a request made) under a scope and a key, for sliding windows.

    The key is stored as an HMAC, so the table holds no IINs, phones or addresses in the clear.
    """

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_scope_key_at", "scope", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))  # "otp_send:iin", "otp_send:ip", ...
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
