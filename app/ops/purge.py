"""What the clinic no longer needs, removed by `flask purge` (deploy/emhana-purge.timer, nightly).

- one-time codes that expired more than RETAIN_ONE_TIME_CODES ago (only their hashes were kept; the rows
  say who asked for a code when, which is all an inquiry into abuse needs, for that long);
- the texts of SMS sent, or failed for good, more than RETAIN_SMS_TEXTS ago: the row stays (when, to which
  phone, why, whether it went), the words go, since they can name a patient's appointment or request;
- rate-limit hits older than the longest window any limit counts over (app.services.rate_limit).

Queued messages are never touched. Each run says what it removed; it changes nothing else.
"""

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, update

from app.core.clock import now
from app.extensions import db
from app.models import OneTimeCode, RateLimitHit, SmsMessage
from app.services import rate_limit

log = logging.getLogger(__name__)

PURGED_TEXT = ""


@dataclass(frozen=True)
class Purged:
    codes: int
    sms_texts: int
    rate_limit_hits: int

    def __str__(self) -> str:
        return (
            f"purged {self.codes} one-time codes, {self.sms_texts} SMS texts, "
            f"{self.rate_limit_hits} rate-limit hits"
        )


def purge() -> Purged:
    moment = now()
    config = current_app.config
    codes = db.session.execute(
        delete(OneTimeCode).where(OneTimeCode.expires_at < moment - config["RETAIN_ONE_TIME_CODES"])
    ).rowcount
    texts = db.session.execute(
        update(SmsMessage)
        .where(
            SmsMessage.created_at < moment - config["RETAIN_SMS_TEXTS"],
            SmsMessage.status != "queued",
            SmsMessage.text != PURGED_TEXT,
        )
        .values(text=PURGED_TEXT)
    ).rowcount
    hits = db.session.execute(
        delete(RateLimitHit).where(RateLimitHit.at < moment - rate_limit.LONGEST_WINDOW)
    ).rowcount
    purged = Purged(codes=codes, sms_texts=texts, rate_limit_hits=hits)
    log.info("%s", purged)
    return purged
