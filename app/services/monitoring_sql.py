"""The monitoring report's timings computed in the database (issue 22): the report never reads the history.

Reading every event of the period into Python took 6 of 7 s for a clinic-year. Stages (the time between two
consecutive events of a request's log) are kept by the database in request_stage as events arrive
(app.models.request_stage): the report counts each stage's rows in the period, then reads only the rows a
median or a 95th percentile needs from the index in duration order: a handful per stage, whatever the period,
and no sort. Python then interpolates between them as `monitoring.percentile` does (the same ranks, the same
arithmetic), so the figures are the ones the Python computation gave, to the microsecond.

The sign-off steps (a few rows per document) are ranked by window functions over the signatures. Durations
are whole microseconds, computed exactly on both databases: PostgreSQL's EXTRACT(EPOCH ...) is exact
(numeric); SQLite keeps a UTC timestamp as text ("YYYY-MM-DD HH:MM:SS.ffffff"), so its seconds come from
strftime('%s') of its first 19 characters (of the whole text it would round a .999999) and its
microseconds from the text, with no floating-point Julian days in between.
Window functions: SQLite 3.25+, PostgreSQL 8.4+.
"""

import math
from dataclasses import dataclass

from sqlalchemy import BigInteger, Integer, and_, bindparam, case, cast, extract, func, or_, select, text

from app.extensions import db
from app.models import RequestStage, ServiceRequest, Signature, Signoff

MEDIAN, P95 = 0.5, 0.95
RANKS_PER_STATEMENT = 100  # SELECTs in one UNION ALL (SQLite allows 500)


@dataclass(frozen=True)
class Distribution:
    """One group's durations, as the report shows them: count, median, 95th percentile (seconds)."""

    key: tuple
    count: int
    median_seconds: float
    p95_seconds: float
    first_position: int = 0
    in_time: int = 0


def _microseconds(later, earlier):
    """Exact whole microseconds from `earlier` to `later` (two UTC timestamp columns)."""
    if db.engine.dialect.name == "postgresql":
        return cast(extract("epoch", later - earlier) * 1000000, BigInteger)

    def whole_seconds(column):  # strftime('%s') of the text with its fraction would round, not truncate
        return cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)

    seconds = whole_seconds(later) - whole_seconds(earlier)
    micros = cast(func.substr(later, 21, 6), Integer) - cast(func.substr(earlier, 21, 6), Integer)
    return seconds * 1000000 + micros


def _rank_bounds(count, fraction_hundredths: int):
    """The closest ranks around (count - 1) * fraction, widened by one each side: the float rank Python
    computes may sit a hair below a whole number, so the rows on both sides are fetched."""
    low = ((count - 1) * fraction_hundredths) // 100 - 1
    high = ((count - 1) * fraction_hundredths + 99) // 100 + 1
    return low, high


def _interpolate(ranked: dict[int, int], count: int, fraction: float) -> float:
    """monitoring.percentile over the rows fetched: rank = (n - 1) * fraction, linear between the closest."""
    rank = (count - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    lower, upper = ranked[low] / 1e6, ranked[high] / 1e6
    return lower + (upper - lower) * (rank - low)


def _distributions(durations, group_columns: list[str], extra_columns: list[str] = ()) -> list[Distribution]:
    """Count, median and 95th percentile per group of the subquery `durations` (its `micros` column), with
    the rows at the ranks the two figures need, and the group's first `position` and `in_time` sum when the
    subquery has them."""
    groups = [durations.c[name] for name in group_columns]
    window = {"partition_by": groups}
    extras = []
    if "position" in extra_columns:
        extras.append(func.min(durations.c.position).over(**window).label("position"))
    if "in_time" in extra_columns:
        extras.append(func.sum(durations.c.in_time).over(**window).label("in_time"))
    ranked = select(
        *groups,
        durations.c.micros,
        (func.row_number().over(**window, order_by=durations.c.micros) - 1).label("rank"),
        func.count().over(**window).label("total"),
        *extras,
    ).subquery("ranked")
    median_low, median_high = ranked.c.total - 1, ranked.c.total  # (n-1)/2 and n/2 bracket the median's rank
    p95_low, p95_high = _rank_bounds(ranked.c.total, 95)
    needed = or_(
        and_(ranked.c.rank >= median_low // 2, ranked.c.rank <= median_high // 2),
        and_(ranked.c.rank >= p95_low, ranked.c.rank <= p95_high),
    )
    rows = db.session.execute(
        select(ranked).where(needed).order_by(*(ranked.c[name] for name in group_columns), ranked.c.rank)
    ).all()
    found: dict[tuple, dict] = {}
    for row in rows:
        mapping = row._mapping
        key = tuple(mapping[name] for name in group_columns)
        entry = found.setdefault(
            key,
            {
                "count": mapping["total"],
                "ranked": {},
                "position": mapping.get("position", 0),
                "in_time": mapping.get("in_time", 0),
            },
        )
        entry["ranked"][mapping["rank"]] = int(mapping["micros"])
    return [
        Distribution(
            key=key,
            count=entry["count"],
            median_seconds=_interpolate(entry["ranked"], entry["count"], MEDIAN),
            p95_seconds=_interpolate(entry["ranked"], entry["count"], P95),
            first_position=int(entry["position"] or 0),
            in_time=int(entry["in_time"] or 0),
        )
        for key, entry in found.items()
    ]


def stage_distributions(start_at, end_at, service_slug: str | None = None) -> list[Distribution]:
    """Per (service slug, "from_step -> to_step"): the durations between consecutive events of a request's
    log, for the requests received in [start_at, end_at) (of one service, or all); `first_position` is the
    stage's earliest place in a log (0: the first stage), by which the report orders a service's stages.

    From request_stage (kept by the database as events arrive): one statement counts each stage's rows in
    the period; then, with the counts known, the rows at the median's and 95th percentile's ranks are read
    from the index in duration order (ORDER BY micros LIMIT/OFFSET), a few statements for all stages."""
    in_period = [RequestStage.requested_at >= start_at, RequestStage.requested_at < end_at]
    if service_slug is not None:
        in_period.append(RequestStage.service == service_slug)
    counted = db.session.execute(
        select(RequestStage.service, RequestStage.stage, func.count(), func.min(RequestStage.position))
        .where(*in_period)
        .group_by(RequestStage.service, RequestStage.stage)
    ).all()
    wanted = []  # (group, fraction, first rank, rows)
    for service, stage, count, _position in counted:
        for fraction in (MEDIAN, P95):
            rank = (count - 1) * fraction
            low, high = math.floor(rank), math.ceil(rank)
            wanted.append(((service, stage), fraction, low, high - low + 1))
    ranked: dict[tuple, dict[int, int]] = {}
    for start in range(0, len(wanted), RANKS_PER_STATEMENT):
        by_slot: dict[int, list[int]] = {}
        statement, values = _rank_rows(wanted[start : start + RANKS_PER_STATEMENT], start)
        for slot, micros in db.session.execute(statement, values | {"start_at": start_at, "end_at": end_at}):
            by_slot.setdefault(slot, []).append(int(micros))
        for slot, found in by_slot.items():  # the rows at ranks low, low + 1: the smaller is at low
            group, _fraction, low, _rows = wanted[slot]
            ranks = range(low, low + len(found))
            ranked.setdefault(group, {}).update(zip(ranks, sorted(found), strict=True))
    return [
        Distribution(
            key=(service, stage),
            count=count,
            median_seconds=_interpolate(ranked[(service, stage)], count, MEDIAN),
            p95_seconds=_interpolate(ranked[(service, stage)], count, P95),
            first_position=int(position),
        )
        for service, stage, count, position in counted
    ]


def _rank_rows(wanted: list, first_slot: int):
    """One UNION ALL reading, per wanted (group, fraction, first rank, rows), that group's rows at those ranks
    in duration order from ix_request_stage_rank. Written as text: a hundred members built as expressions
    cost more Python than the database spends on them."""
    members, values = [], {}
    for slot, ((service, stage), _fraction, low, rows) in enumerate(wanted, start=first_slot):
        members.append(
            f"SELECT {int(slot)} AS slot, micros FROM (SELECT micros FROM request_stage"
            f" WHERE service = :service_{slot} AND stage = :stage_{slot}"
            " AND requested_at >= :start_at AND requested_at < :end_at"
            f" ORDER BY micros LIMIT {int(rows)} OFFSET {int(low)}) AS rank_{slot}"
        )
        values |= {f"service_{slot}": service, f"stage_{slot}": stage}
    moment = RequestStage.requested_at.type
    statement = text(" UNION ALL ".join(members)).bindparams(
        bindparam("start_at", type_=moment), bindparam("end_at", type_=moment)
    )
    return statement, values


def signoff_distributions(conditions) -> list[Distribution]:
    """Per (service slug, step position, step): the time from a step becoming current to its signature, for
    the signatures given (send-backs are not) on the requests matching `conditions`; `in_time` counts the
    ones within the step's deadline (or with none)."""
    durations = (
        select(
            ServiceRequest.service.label("service"),
            Signature.position.label("step_position"),
            Signature.step.label("step"),
            _microseconds(Signature.at, Signature.started_at).label("micros"),
            case(
                (or_(Signature.due_at.is_(None), Signature.at <= Signature.due_at), 1),
                else_=0,
            ).label("in_time"),
        )
        .join(Signoff, Signoff.id == Signature.signoff_id)
        .join(ServiceRequest, ServiceRequest.id == Signoff.request_id)
        .where(*conditions, Signature.action == "signed")
        .subquery("durations")
    )
    return _distributions(durations, ["service", "step_position", "step"], ["in_time"])
