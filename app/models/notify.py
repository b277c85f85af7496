"""The SMS outbox: every message the app sends, whatever the backend, kept for staff to read."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

# stored: kept in the outbox only (the embedded backend, no provider); sent: the gateway accepted it;
# failed: the gateway refused it or could not be reached (the error column says why).
SMS_STATUSES = ("stored", "sent", "failed")


class SmsMessage(Base):
    __tablename__ = "sms_outbox"
    __table_args__ = (Index("ix_sms_outbox_phone_created", "phone", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    phone: Mapped[str] = mapped_column(String(20))
    # What the text is for: "otp:login", "otp:consent:TB-2026-000001", "certificate_ready", ... (filterable).
    purpose: Mapped[str] = mapped_column(String(80), index=True)
    language: Mapped[str] = mapped_column(String(2), default="kk")
    text: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(20))  # "outbox" | "http"
    status: Mapped[str] = mapped_column(String(10))
    provider_message_id: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None]
