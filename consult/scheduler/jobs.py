"""One pass of the clock over every due round, a batch of rounds per transaction with their rows locked."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from consult.db import Database
from consult.rounds.models import Round
from consult.timeline.due import run_due

log = logging.getLogger(__name__)

BATCH = 1000
#: Due rounds moved in one transaction: read, written and committed together, their events dispatched together.
PER_TRANSACTION = 200


def next_wake(db: Database) -> datetime | None:
    """When the earliest round next needs the scheduler."""
    with db.transaction(write=False) as session:
        return session.scalar(select(func.min(Round.wake_at)))


def _lock_due(session, round_ids: list[int], now: datetime) -> list[Round]:
    """Lock those of these rounds that are still due, in one query; leave out any another scheduler holds.

    On PostgreSQL, SKIP LOCKED lets two schedulers share the work without waiting on each other; on
    SQLite the write transaction (BEGIN IMMEDIATE) already makes writers take turns. Either way the rows
    are read fresh, inside the transaction that writes them.
    """
    statement = (select(Round).where(Round.id.in_(round_ids), Round.wake_at <= now).order_by(Round.id)
                 .options(lazyload(Round.employer), lazyload(Round.plan))
                 .with_for_update(skip_locked=True, of=Round).execution_options(populate_existing=True))
    return list(session.scalars(statement))


def _run_group(db: Database, round_ids: list[int], now: datetime) -> list[int]:
    """Run a few due rounds in one transaction (one commit for all): [rounds handled, stages entered]."""
    with db.transaction() as session:
        rounds = _lock_due(session, round_ids, now)
        return [len(rounds), run_due(session, rounds, now)]


def process_due(db: Database, now: datetime) -> tuple[int, int]:
    """Run every round due at `now` once: (rounds handled, stages entered). A failing round is logged and left
    for the next pass; it never holds up the others."""
    handled = moved = 0
    passed: set[int] = set()  # handled, skipped (another scheduler has it) or failed in this pass
    while True:
        with db.transaction(write=False) as session:
            query = select(Round.id).where(Round.wake_at <= now).order_by(Round.wake_at, Round.id).limit(BATCH)
            if passed:
                query = query.where(Round.id.not_in(passed))
            due = session.scalars(query).all()
        if not due:
            return handled, moved
        passed.update(due)
        for start in range(0, len(due), PER_TRANSACTION):
            group = due[start:start + PER_TRANSACTION]
            try:
                counts = _run_group(db, group, now)
            except Exception:
                # One round failed: take the group again one round at a time, so the others still move.
                counts = [0, 0]
                for round_id in group:
                    try:
                        single = _run_group(db, [round_id], now)
                        counts[0] += single[0]
                        counts[1] += single[1]
                    except Exception:
                        log.exception("the scheduler could not move round %s; it tries again on its next pass",
                                      round_id)
            handled += counts[0]
            moved += counts[1]
