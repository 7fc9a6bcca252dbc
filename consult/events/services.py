"""Appending to a round's event log, inside the transaction of the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.events.chain import event_hash
from consult.events.models import Event
from consult.rounds.models import Round


def lock_round(session: Session, round_id: int) -> Round | None:
    """Load a round for writing: PostgreSQL locks its row until commit, so the round's writers queue up.

    Taking the lock before anything else is what makes sequence numbers follow commit order.
    (SQLite needs no row lock: a writer holds the database's write lock from BEGIN IMMEDIATE.)
    """
    statement = select(Round).where(Round.id == round_id).with_for_update(of=Round)
    return session.execute(statement.execution_options(populate_existing=True)).unique().scalar_one_or_none()


def append_event(session: Session, round: Round, type: str, *, actor_id: int | None, audience: str,
                 payload: dict[str, Any], at: datetime | None = None) -> Event:
    """Append an event to a round locked with lock_round; it is written with the caller's transaction."""
    created_at = at or utcnow()
    seq = round.last_seq + 1
    digest = event_hash(round.last_event_hash, round_id=round.id, seq=seq, type=type, actor_id=actor_id,
                        audience=audience, payload=payload, created_at=created_at)
    event = Event(round_id=round.id, seq=seq, type=type, actor_id=actor_id, audience=audience,
                  payload=payload, created_at=created_at, prev_hash=round.last_event_hash, hash=digest)
    round.last_seq = seq
    round.last_event_hash = digest
    session.add(event)
    return event
