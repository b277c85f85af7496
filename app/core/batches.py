"""Background jobs in small transactions (issue 22, item 4).

A job that changes many rows (reminders, consent expiry, the purge) must never hold the database's write
lock for long: on SQLite one writer at a time is allowed, and a patient booking while a job holds the lock
waits (busy_timeout, app/__init__.py) and then fails with "database is locked". So a job first reads the
keys of the rows it will change (a read takes no write lock), then works through them in small batches,
each its own transaction, committed at once, with a short pause after each commit: SQLite's busy handler
polls (at most every 100 ms), and a writer waiting for the lock needs a gap to take it between two batches.

A batch that fails is rolled back and logged, the job goes on with the next one: the rows it held are left
as they were, so the job's next run (or the next pass of a retrying worker) takes them again.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app

from app.extensions import db

log = logging.getLogger(__name__)

Key = TypeVar("Key")

DEFAULT_BATCH_SIZE = 10
DEFAULT_PAUSE_SECONDS = 0.02


@dataclass(frozen=True)
class BatchRun:
    done: int  # what `work` reported for the committed batches
    failed_batches: int
    longest_ms: float  # the longest a batch held its transaction open


def batch_size() -> int:
    return int(current_app.config.get("JOB_BATCH_SIZE", DEFAULT_BATCH_SIZE))


def run_in_batches(
    keys: Sequence[Key], work: Callable[[Sequence[Key]], int], *, label: str, size: int | None = None
) -> BatchRun:
    """Call `work(chunk)` for each chunk of `keys`, committing after each one; returns what was done.

    `work` loads its rows by key, checks again that each still needs the job (another process may have done
    it meanwhile), changes them (flush only) and returns how many it changed."""
    size = size or batch_size()
    pause = float(current_app.config.get("JOB_BATCH_PAUSE", DEFAULT_PAUSE_SECONDS))
    done = failed = 0
    longest = 0.0
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        began = time.perf_counter()
        try:
            changed = work(chunk)
            db.session.commit()
        except Exception:
            db.session.rollback()
            failed += 1
            log.exception(
                "%s: a batch of %s failed and was rolled back; the next run takes it again", label, len(chunk)
            )
        else:
            done += changed
        longest = max(longest, (time.perf_counter() - began) * 1000)
        if pause and start + size < len(keys):
            time.sleep(pause)
    if keys:
        log.info(
            "%s: %s done in batches of %s (%s failed), longest transaction %.1f ms",
            label,
            done,
            size,
            failed,
            longest,
        )
    return BatchRun(done=done, failed_batches=failed, longest_ms=longest)
