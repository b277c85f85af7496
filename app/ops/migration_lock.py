"""One migration at a time, whatever the number of hosts (docs/scaling.md).

With several app hosts, `flask --app wsgi upgrade` is a deploy step run once, before the new version's
processes start; but two hosts restarted together would both run it (deploy/emhana.service runs it before
every start). The database itself serialises them: PostgreSQL's session-level advisory lock, held on a
connection of its own for the whole upgrade; a SQLite database (one machine only) takes an exclusive file
lock beside the database file. The second host waits, then finds the schema current and migrates nothing.
"""

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# pg_advisory_lock takes a signed 64-bit key: ours is b"emhana-m" read as a number, unlike any other tool's.
ADVISORY_KEY = int.from_bytes(b"emhana-m", "big")


@contextmanager
def migration_lock(engine: Engine, *, fallback_folder: Path) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            log.info("migration lock: waiting for PostgreSQL advisory lock %d", ADVISORY_KEY)
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                connection.commit()
        return
    database = engine.url.database
    folder = Path(database).resolve().parent if database and database != ":memory:" else fallback_folder
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "emhana-migrate.lock", "w") as handle:
        log.info("migration lock: waiting for %s", handle.name)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
