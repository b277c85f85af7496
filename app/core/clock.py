"""The one clock of the app. Tests freeze it with `frozen_clock`; code calls `now()`."""

from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")

_frozen: datetime | None = None


def now() -> datetime:
    """Current time, aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def local_now() -> datetime:
    return now().astimezone(ALMATY)


@contextmanager
def frozen_clock(at: datetime):
    global _frozen
    if at.tzinfo is None:
        raise ValueError("frozen_clock needs an aware datetime")
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
