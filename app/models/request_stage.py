"""The stages of the requests' logs, kept by the database as events arrive (issue 22: monitoring).

A stage is the time between two consecutive events of one request's log (ordered by time, then id), named
"from_step -> to_step". The monitoring report's medians and 95th percentiles are over these; pairing every
event of a year with the one before it (LAG) and sorting them took seconds on SQLite. So each pair is kept
here, one row per event that has one before it, with what the report filters on (the request's service and
the moment it was received) and the exact whole microseconds between the two events; an index in the
report's order (service, stage, duration) gives counts and the rows at the median's and 95th percentile's
ranks without sorting the period.

Kept by a trigger on request_event (SQLite and PostgreSQL), so every way an event is written keeps it, the
ORM, a Core INSERT, a bulk load: each new event recomputes its request's stages (a handful of rows), so an
event written late or with an earlier time than the last one slots into its place and the stage it splits
is replaced by two. Never written by the application. Migration 0023 creates it and fills it from the
existing logs with the same SELECT (`stages_select`).

Durations: SQLite keeps a UTC timestamp as text ("YYYY-MM-DD HH:MM:SS.ffffff"), so seconds come from
strftime('%s') of its first 19 characters (of the whole text it would round a .999999) and microseconds from
the text; PostgreSQL's EXTRACT(EPOCH FROM interval) is exact (numeric).
"""

from datetime import datetime

from sqlalchemy import DDL, BigInteger, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class RequestStage(Base):
    __tablename__ = "request_stage"
    __table_args__ = (
        Index("ix_request_stage_rank", "service", "stage", "micros", "requested_at", "position"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("request_event.id"), primary_key=True)  # the later one
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    service: Mapped[str] = mapped_column(String(40))  # the request's
    requested_at: Mapped[datetime]  # the request's created_at: the report's period
    stage: Mapped[str] = mapped_column(String(90))  # "from_step -> to_step"
    position: Mapped[int]  # 0: the log's first stage
    micros: Mapped[int] = mapped_column(BigInteger)  # whole microseconds from the earlier event to this one


def _micros(dialect: str) -> str:
    if dialect == "postgresql":
        return "CAST(EXTRACT(EPOCH FROM at - previous_at) * 1000000 AS BIGINT)"
    seconds = "CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER)"
    fraction = "CAST(substr({0}, 21, 6) AS INTEGER)"
    return (
        f"({seconds.format('at')} - {seconds.format('previous_at')}) * 1000000"
        f" + {fraction.format('at')} - {fraction.format('previous_at')}"
    )


def stages_select(dialect: str, where: str = "") -> str:
    """SELECT of request_stage's rows (in its column order) from request_event, for the requests `where`
    (a condition on e, the events) allows."""
    return f"""
SELECT id, request_id, service, requested_at, previous_step || ' -> ' || step, position, {_micros(dialect)}
FROM (
    SELECT e.id, e.request_id, r.service, r.created_at AS requested_at, e.step, e.at,
           lag(e.step) OVER w AS previous_step, lag(e.at) OVER w AS previous_at,
           row_number() OVER w - 2 AS position
    FROM request_event e JOIN service_request r ON r.id = e.request_id
    {f"WHERE {where}" if where else ""}
    WINDOW w AS (PARTITION BY e.request_id ORDER BY e.at, e.id)
) paired
WHERE previous_step IS NOT NULL"""


COLUMNS = "(event_id, request_id, service, requested_at, stage, position, micros)"


def backfill_sql(dialect: str) -> str:
    return f"INSERT INTO request_stage {COLUMNS} {stages_select(dialect)}"


def _refresh(dialect: str) -> str:
    """The statements a new event runs: its request's stages again."""
    return (
        "DELETE FROM request_stage WHERE request_id = NEW.request_id;\n"
        f"INSERT INTO request_stage {COLUMNS} {stages_select(dialect, 'e.request_id = NEW.request_id')};"
    )


SQLITE_TRIGGER = f"""
CREATE TRIGGER request_stage_after_event AFTER INSERT ON request_event
BEGIN
{_refresh("sqlite")}
END"""
# PostgreSQL runs writers side by side: two transactions adding events to one request would each recompute
# from a log without the other's event and leave stale stages (or clash on event_id). The request's row is
# locked first, so the second waits for the first to commit and then recomputes from the whole log.
# (SQLite has one writer at a time.)
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION request_stage_after_event() RETURNS trigger AS $$
BEGIN
PERFORM 1 FROM service_request WHERE id = NEW.request_id FOR UPDATE;
{_refresh("postgresql")}
RETURN NULL;
END;
$$ LANGUAGE plpgsql"""
POSTGRESQL_TRIGGER = (
    "CREATE TRIGGER request_stage_after_event AFTER INSERT ON request_event "
    "FOR EACH ROW EXECUTE FUNCTION request_stage_after_event()"
)

# After request_stage exists (it refers to request_event, so it is created after it).
# DDL formats its text with %: the SQLite text's strftime('%s') is escaped.
_SQLITE_DDL = DDL(SQLITE_TRIGGER.replace("%", "%%")).execute_if(dialect="sqlite")
event.listen(RequestStage.__table__, "after_create", _SQLITE_DDL)
event.listen(
    RequestStage.__table__, "after_create", DDL(POSTGRESQL_FUNCTION).execute_if(dialect="postgresql")
)
event.listen(RequestStage.__table__, "after_create", DDL(POSTGRESQL_TRIGGER).execute_if(dialect="postgresql"))
