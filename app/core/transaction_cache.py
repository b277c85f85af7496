"""Reads that one request repeats (the clinic profile, its calendar, a doctor's plan), kept for one database
transaction.

A booking used to load the clinic profile five times and the doctor's plan twice; the free-slot page, the
clinic three times. `remembered()` keeps such an answer in the session's `info` until

- the transaction ends (commit, rollback, a rolled-back savepoint, the session closing): the next request
  reads afresh, so a change made by another request or another worker process is seen at once, with no
  cross-process invalidation to get wrong;
- or the session writes (flushes, or runs a bulk UPDATE/DELETE on) a model the answer depends on: a request
  always sees its own changes, even ones not flushed yet (those bypass the memory and are read as before).

Only per-transaction memory: nothing here outlives a request, so no stale answer can reach another person.
"""

from collections.abc import Callable, Hashable
from itertools import chain
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

T = TypeVar("T")
_INFO_KEY = "emhana_transaction_cache"  # {key: (value, depends_on types)}


def remembered(
    key: Hashable, load: Callable[[], T], *, depends_on: tuple[type, ...], autoflush: bool = True
) -> T:
    """`load()`'s answer, computed once per transaction unless a model in `depends_on` changes meanwhile.

    `autoflush=False`: when nothing of `depends_on` waits to be flushed, `load()` runs without autoflush,
    since the other pending changes cannot alter its answer; they are flushed later with whatever comes
    next, instead of costing a flush of their own here. Only for loads whose `depends_on` is complete."""
    session = db.session()
    if _has_unflushed_changes(session, depends_on):
        # An unflushed change could alter the answer (the query would autoflush it first): read as before.
        _forget(session, set(depends_on))
        return load()
    memory = session.info.setdefault(_INFO_KEY, {})
    if key in memory:
        return memory[key][0]
    if autoflush:
        value = load()
    else:
        with session.no_autoflush:
            value = load()
    memory[key] = (value, depends_on)
    return value


def remember(key: Hashable, value, *, depends_on: tuple[type, ...]) -> None:
    """Keep an answer loaded with others (a list page loads every row's detail in one query), so that the
    `remembered(key, ...)` that would load it alone finds it instead."""
    session = db.session()
    if _has_unflushed_changes(session, depends_on):
        return
    session.info.setdefault(_INFO_KEY, {})[key] = (value, depends_on)


def _has_unflushed_changes(session: Session, types: tuple[type, ...]) -> bool:
    return any(isinstance(obj, types) for obj in chain(session.new, session.deleted, session.dirty))


def _forget(session: Session, changed: set[type] | None = None) -> None:
    """Drop the answers that depend on any of `changed` (all of them when None)."""
    memory = session.info.get(_INFO_KEY)
    if not memory:
        return
    if changed is None:
        memory.clear()
        return
    for key in [key for key, (_, depends_on) in memory.items() if changed.intersection(depends_on)]:
        del memory[key]


@event.listens_for(Session, "before_flush")
def _forget_what_the_flush_changes(session, flush_context, instances) -> None:
    if session.info.get(_INFO_KEY):
        _forget(session, {type(obj) for obj in chain(session.new, session.deleted, session.dirty)})


@event.listens_for(Session, "do_orm_execute")
def _forget_what_bulk_statements_change(orm_execute_state) -> None:
    if orm_execute_state.is_select or not orm_execute_state.session.info.get(_INFO_KEY):
        return
    mapper = orm_execute_state.bind_mapper
    _forget(orm_execute_state.session, {mapper.class_} if mapper is not None else None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, previous_transaction) -> None:
    _forget(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_transaction(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: a released savepoint keeps its reads
        _forget(session)
