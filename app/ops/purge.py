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
from sqlalchemy import delete, select, update

from app.core import batches
from app.core.clock import now
from app.extensions import db
from app.models import OneTimeCode, RateLimitHit, SmsMessage
from app.services import rate_limit

log = logging.getLogger(__name__)

PURGED_TEXT = ""
# Plain deletes and updates by id are cheap: a few hundred rows a transaction still commit in milliseconds.
PURGE_BATCH = 500


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
    """In small transactions committed here (app.core.batches: the desk never waits for the write lock):
    each batch removes or blanks at most JOB_BATCH_SIZE rows, found by their ids."""
    moment = now()
    config = current_app.config
    codes = _in_batches(
        OneTimeCode, OneTimeCode.expires_at < moment - config["RETAIN_ONE_TIME_CODES"], delete_rows=True
    )
    texts = _in_batches(
        SmsMessage,
        SmsMessage.created_at < moment - config["RETAIN_SMS_TEXTS"],
        SmsMessage.status != "queued",
        SmsMessage.text != PURGED_TEXT,
        values={"text": PURGED_TEXT},
    )
    hits = _in_batches(RateLimitHit, RateLimitHit.at < moment - rate_limit.LONGEST_WINDOW, delete_rows=True)
    purged = Purged(codes=codes, sms_texts=texts, rate_limit_hits=hits)
    log.info("%s", purged)
    return purged


def _in_batches(model, *conditions, delete_rows: bool = False, values: dict | None = None) -> int:
    keys = list(db.session.scalars(select(model.id).where(*conditions).order_by(model.id)))

    def work(chunk) -> int:
        # The conditions again: a row may have changed since it was found (a queued SMS is never touched).
        if delete_rows:
            statement = delete(model).where(model.id.in_(chunk), *conditions)
        else:
            statement = update(model).where(model.id.in_(chunk), *conditions).values(**values)
        return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount

    return batches.run_in_batches(keys, work, label=f"purge of {model.__tablename__}", size=PURGE_BATCH).done
