"""One pass of the clock over every due round, each in its own transaction with its row locked."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select

from consult.db import Database
from consult.rounds.models import Round
from consult.timeline.services import run_due

log = logging.getLogger(__name__)

BATCH = 200


def next_wake(db: Database) -> datetime | None:
    """When the earliest round next needs the scheduler."""
    with db.transaction(write=False) as session:
        return session.scalar(select(func.min(Round.wake_at)))


def _lock_if_due(session, round_id: int, now: datetime) -> Round | None:
    """Lock a round that is still due; None if another scheduler holds it or already moved it.

    On PostgreSQL, SKIP LOCKED lets two schedulers share the work without waiting on each other; on
    SQLite the write transaction (BEGIN IMMEDIATE) already makes writers take turns.
    """
    statement = (select(Round).where(Round.id == round_id, Round.wake_at <= now)
                 .with_for_update(skip_locked=True, of=Round).execution_options(populate_existing=True))
    return session.execute(statement).unique().scalar_one_or_none()


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
        for round_id in due:
            passed.add(round_id)
            try:
                with db.transaction() as session:
                    round = _lock_if_due(session, round_id, now)
                    if round is None:
                        continue
                    moved += run_due(session, round, now)
                    handled += 1
            except Exception:
                log.exception("the scheduler could not move round %s; it tries again on its next pass", round_id)
