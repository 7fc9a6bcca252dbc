"""Hands committed events, in sequence order, to their subscribers; rolled-back events go nowhere.

Subscribers (the live push, notifications, exports) register with `Dispatcher.subscribe`. They run in
the thread that committed, after the commit succeeded, and receive plain `CommittedEvent` values, never
live ORM objects. A failing subscriber is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

from consult.events.models import Event

log = logging.getLogger(__name__)
_PENDING = "consult.pending_events"


@dataclass(frozen=True)
class CommittedEvent:
    """A committed event as plain data."""

    id: int
    round_id: int
    seq: int
    type: str
    actor_id: int | None
    audience: str
    payload: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, event: Event) -> CommittedEvent:
        """Copy the columns of a flushed event."""
        return cls(event.id, event.round_id, event.seq, event.type, event.actor_id, event.audience,
                   dict(event.payload), event.created_at)


Subscriber = Callable[[list[CommittedEvent]], None]


def note_written(session: Session, events: list[CommittedEvent]) -> None:
    """Events the session has written (flushed, or bulk-inserted by the scheduler): delivered once it commits."""
    session.info.setdefault(_PENDING, []).extend(events)


class Dispatcher:
    """Collects the events a session flushes and delivers them once its transaction commits."""

    def __init__(self, factory: sessionmaker) -> None:
        self.subscribers: list[Subscriber] = []
        sa_event.listen(factory, "after_flush", self._collect)
        sa_event.listen(factory, "after_commit", self._deliver)
        sa_event.listen(factory, "after_rollback", self._discard)

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        """Register a callable that receives each committed batch of events."""
        self.subscribers.append(subscriber)
        return subscriber

    def _collect(self, session: Session, _context) -> None:
        note_written(session, [CommittedEvent.of(obj) for obj in session.new if isinstance(obj, Event)])

    def _discard(self, session: Session) -> None:
        session.info.pop(_PENDING, None)

    def _deliver(self, session: Session) -> None:
        events = sorted(session.info.pop(_PENDING, []), key=lambda e: (e.round_id, e.seq))
        if not events:
            return
        for subscriber in self.subscribers:
            try:
                subscriber(events)
            except Exception:
                log.exception("event subscriber %r failed", subscriber)
