"""Sliding-window rate limits kept in the database, so every worker process shares them.

    check_and_count(
        Limit("otp_send:iin", iin, 5, timedelta(hours=1)),
        Limit("otp_send:ip", ip, 20, timedelta(hours=1)),
    )

raises RateLimited (with how long to wait) when any of the limits is used up, and otherwise counts one hit
under each. An action that may still fail after the check (an SMS the gateway may refuse) checks first and
counts once it happened, so only what was really done is spent:

    check(*limits)      # RateLimited, nothing counted
    ...                 # send the code
    count(*limits)      # one hit under each

`forget` drops a key's hits (a staff member who signed in is no longer held for their typos), and `held_until`
says when the last key of a scope that is used up frees itself (the admin's view of a held account). Keys are
stored as HMACs with the app's secret key: the table keeps no IINs, phones or IPs.
Counting is not serialised between concurrent requests; a limit may be overshot by the few requests that
race it, which is fine for its purpose (slowing down abuse), and keeps it free of locks.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, func, insert, or_, select

from app.core.clock import now
from app.extensions import db
from app.models.otp import RateLimitHit

# Windows longer than this are refused: hits older than it are deleted (see _prune_now_and_then).
LONGEST_WINDOW = timedelta(days=2)
PRUNE_INTERVAL = timedelta(minutes=10)
_last_pruned = None


# Where a request came from, for per-origin limits (app.channels.client_key): the client's own address, or
# "kiosk:<device id>" for a registered lobby kiosk, which every patient in the lobby shares and which
# therefore gets KIOSK_LIMIT_FACTOR times the per-address limit.
KIOSK_ORIGIN = "kiosk:"


@dataclass(frozen=True)
class Limit:
    scope: str
    key: str  # an empty key (no IP known, say) is not limited
    limit: int
    window: timedelta


def origin_limit(scope: str, origin: str, per_address: int, window: timedelta) -> Limit:
    """A per-origin limit: `per_address` for an address, more for a registered kiosk (see KIOSK_ORIGIN)."""
    if origin.startswith(KIOSK_ORIGIN):
        per_address *= int(current_app.config["KIOSK_LIMIT_FACTOR"])
    return Limit(scope, origin, per_address, window)


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: timedelta):
        super().__init__(f"rate limit {scope}: retry after {retry_after}")
        self.scope = scope
        self.retry_after = retry_after

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


def key_hash(scope: str, key: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{scope}\x00{key}".encode(), hashlib.sha256).hexdigest()


def check_and_count(*limits: Limit) -> None:
    """Raise RateLimited if any limit is used up; otherwise record one hit under each of them."""
    check(*limits)
    count(*limits)


def check(*limits: Limit) -> None:
    """Raise RateLimited if any limit is used up; count nothing."""
    moment = now()
    active = _active(limits)
    _prune_now_and_then(moment)
    if not active:
        return
    hashes = {limit: key_hash(limit.scope, limit.key) for limit in active}
    in_window = [
        and_(
            RateLimitHit.scope == limit.scope,
            RateLimitHit.key_hash == hashes[limit],
            RateLimitHit.at > moment - limit.window,
        )
        for limit in active
    ]
    # One query counting every limit's hits, on the session's connection: the hits are plain rows, never ORM
    # objects, so ORM loading and an autoflush would only add work to every request that counts, and a busy
    # key (a kiosk's IP) no longer sends each of its hits back just to be counted (issue 7).
    connection = db.session.connection()
    counts = connection.execute(
        select(*(func.count(case((condition, 1))) for condition in in_window)).where(or_(*in_window))
    ).one()
    for limit, condition, used in zip(active, in_window, counts, strict=True):
        if used >= limit.limit:
            # The window frees a place when the oldest hit beyond the allowance falls out of it.
            oldest = connection.execute(
                select(RateLimitHit.at)
                .where(condition)
                .order_by(RateLimitHit.at)
                .offset(used - limit.limit)
                .limit(1)
            ).scalar()
            frees_at = (oldest or moment) + limit.window
            raise RateLimited(limit.scope, max(frees_at - moment, timedelta(seconds=1)))


def count(*limits: Limit) -> None:
    """Record one hit under each limit (after `check`, once the action really happened)."""
    active = _active(limits)
    if not active:
        return
    moment = now()
    db.session.connection().execute(
        insert(RateLimitHit),
        [
            {"scope": limit.scope, "key_hash": key_hash(limit.scope, limit.key), "at": moment}
            for limit in active
        ],
    )


def forget(scope: str, key: str | None = None) -> None:
    """Drop the hits of `key` under `scope`, or every hit of the scope when no key is given."""
    condition = RateLimitHit.scope == scope
    if key is not None:
        condition = and_(condition, RateLimitHit.key_hash == key_hash(scope, key))
    db.session.connection().execute(delete(RateLimitHit).where(condition))


def held_until(scope: str, limit: int, window: timedelta) -> datetime | None:
    """When the last of the scope's used-up keys frees a place again, or None when no key is used up."""
    return held_until_each([scope], limit, window)[scope]


def held_until_each(scopes, limit: int, window: timedelta) -> dict[str, datetime | None]:
    """`held_until` of many scopes in one query (a list of accounts, issue 22)."""
    scopes = list(dict.fromkeys(scopes))
    moment = now()
    hits: dict[str, dict[str, list[datetime]]] = {scope: {} for scope in scopes}
    if scopes:
        for scope, hashed, at in db.session.connection().execute(
            select(RateLimitHit.scope, RateLimitHit.key_hash, RateLimitHit.at).where(
                RateLimitHit.scope.in_(scopes), RateLimitHit.at > moment - window
            )
        ):
            hits[scope].setdefault(hashed, []).append(at)
    held = {}
    for scope, keys in hits.items():
        ends = [
            sorted(times)[len(times) - limit] + window
            for times in keys.values()
            if limit > 0 and len(times) >= limit
        ]
        held[scope] = max(ends) if ends else None
    return held


def _active(limits) -> list[Limit]:
    active = [limit for limit in limits if limit.key and limit.limit > 0]
    for limit in active:
        if limit.window > LONGEST_WINDOW:
            raise ValueError(f"rate limit windows may be at most {LONGEST_WINDOW}")
    return active


def _prune_now_and_then(moment) -> None:
    """Forget hits older than any window, at most once per PRUNE_INTERVAL in each process: counting reads
    only the window, so old rows cost space, not answers, and need no delete on every request."""
    global _last_pruned
    if _last_pruned is not None and abs(moment - _last_pruned) < PRUNE_INTERVAL:
        return
    _last_pruned = moment
    old = RateLimitHit.at < moment - LONGEST_WINDOW
    # Looked for first: a delete of nothing would still take SQLite's write lock for the whole request,
    # and with it a sign-in code would be sent holding the database (app.notify, issue 15). The purge timer
    # (`flask purge`) removes them anyway.
    if db.session.scalar(select(RateLimitHit.id).where(old).limit(1)) is not None:
        db.session.execute(delete(RateLimitHit).where(old))


def remaining(limit: Limit) -> int:
    """How many more hits the limit allows now (for messages such as "3 more codes this hour")."""
    if not limit.key:
        return limit.limit
    since = now() - limit.window
    hashed = key_hash(limit.scope, limit.key)
    used = len(
        db.session.scalars(
            select(RateLimitHit.id).where(
                RateLimitHit.scope == limit.scope, RateLimitHit.key_hash == hashed, RateLimitHit.at > since
            )
        ).all()
    )
    return max(0, limit.limit - used)
