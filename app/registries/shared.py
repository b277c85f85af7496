"""State the adapters share between app processes and hosts, through the database (docs/scaling.md).

In one process a circuit breaker and a cache of answers live in memory; with several processes (gunicorn's
workers, or several hosts) each had its own: after an attachment, another worker could show the old
attachment from its cache for up to a minute, and each worker had to see the gateway fail five times before
it stopped calling. Here:

- the circuit (failures in a row, when it opened) is one `shared_state` row per adapter: a failure seen by
  one process counts for all, and an open circuit stops every process's calls;
- the cache's version is one row per adapter, bumped by every write: each cached read first looks at it
  (one primary-key read) and drops its whole cache when another process wrote.

Each read and write goes through a connection of its own and is committed at once, outside the request's
transaction (whose rollback must not undo "the gateway is down"). When the database itself cannot be
reached the adapter keeps working on its in-process state: shared state is a help, never a new failure.
"""

import json
import logging
import time
from collections.abc import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.core.clock import now
from app.models import SharedState

log = logging.getLogger(__name__)


class DatabaseState:
    """Named JSON values with a version, in the shared_state table."""

    def __init__(self, engine: Callable[[], Engine]):
        self._engine = engine

    def read(self, key: str) -> tuple[int, dict] | None:
        """(version, value) of `key` ((0, {}) when never written), or None when the database cannot say."""
        try:
            with self._engine().connect() as connection:
                row = connection.execute(
                    select(SharedState.version, SharedState.value).where(SharedState.key == key)
                ).first()
        except SQLAlchemyError as error:
            log.warning("shared state %s cannot be read: %s", key, type(error).__name__)
            return None
        if row is None:
            return 0, {}
        try:
            return row.version, json.loads(row.value)
        except ValueError:
            return row.version, {}

    def write(self, key: str, value: dict) -> int | None:
        """Store `value` under `key` and bump its version; the new version, or None on a database error."""
        text = json.dumps(value, sort_keys=True)
        moment = now()
        for _ in range(2):
            try:
                with self._engine().begin() as connection:
                    changed = connection.execute(
                        update(SharedState)
                        .where(SharedState.key == key)
                        .values(value=text, version=SharedState.version + 1, updated_at=moment)
                        .returning(SharedState.version)
                    ).first()
                    if changed is not None:
                        return changed.version
                    connection.execute(
                        insert(SharedState).values(key=key, value=text, version=1, updated_at=moment)
                    )
                    return 1
            except IntegrityError:
                continue  # another process inserted the row meanwhile: update it now
            except SQLAlchemyError as error:
                log.warning("shared state %s cannot be written: %s", key, type(error).__name__)
                return None
        return None


class SharedCircuit:
    """A circuit breaker's failures and opening time, shared. Times are wall-clock seconds: processes on
    different hosts share no monotonic clock."""

    clock = staticmethod(time.time)

    def __init__(self, state: DatabaseState, name: str):
        self._state = state
        self.key = f"circuit:{name}"

    def load(self) -> tuple[int, float | None] | None:
        found = self._state.read(self.key)
        if found is None:
            return None
        value = found[1]
        return int(value.get("failures", 0)), value.get("opened_at")

    def save(self, failures: int, opened_at: float | None) -> None:
        self._state.write(self.key, {"failures": failures, "opened_at": opened_at})


class SharedCacheVersion:
    """The version every process's cache of one adapter checks; a write anywhere bumps it."""

    def __init__(self, state: DatabaseState, name: str):
        self._state = state
        self.key = f"cache:{name}"

    def current(self) -> int | None:
        found = self._state.read(self.key)
        return None if found is None else found[0]

    def bump(self) -> None:
        self._state.write(self.key, {})
