"""The SMS outbox: every message the app sends, whatever the backend, kept for staff to read."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

# stored: kept in the outbox only (the embedded backend, no provider); sent: the gateway accepted it;
# failed: the gateway refused it or could not be reached (the error column says why), for good;
# queued: written with the request's transaction, waiting for the SMS worker (`flask send-sms`), which tries
# again with a growing pause until the gateway takes it or the message is due no more.
SMS_STATUSES = ("queued", "stored", "sent", "failed")


class SmsMessage(Base):
    __tablename__ = "sms_outbox"
    __table_args__ = (
        Index("ix_sms_outbox_phone_created", "phone", "created_at"),
        Index("ix_sms_outbox_status_next_attempt", "status", "next_attempt_at"),
    )

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

    # The worker's part (app/services/sms.py, `deliver_queued`): the request the message is about and the
    # history step it becomes (sms_<kind>), how many times the gateway was tried, when to try next, and
    # after when the message is no use any more (a reminder after the visit): then it fails for good.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    due_until: Mapped[datetime | None]
