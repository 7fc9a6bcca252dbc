"""Hands committed events, in sequence order, to their subscribers; rolled-back events go nowhere.

Subscribers (notifications, exports) register with `Dispatcher.subscribe`. They run in the thread that
committed, after the commit succeeded, and receive plain `CommittedEvent` values, never live ORM objects.
A failing subscriber is logged and does not stop the others. They must not wait for a database connection:
the committing transaction still holds its own while they run.

Writers (the notifications) register with `Dispatcher.subscribe_written`: they run inside the transaction,
as soon as its events are written (flushed or bulk-inserted), and may add rows with Core statements on the
session, so what they write commits or rolls back with the events.

Preparers (the live push) register with `Dispatcher.subscribe_prepared`: just before the commit, once
everything is flushed, they leave in each event's `prepared` what a subscriber will need after it, made
from what the transaction holds (so that it need not read it back). They write nothing.

Ordered subscribers (the live push) register with `Dispatcher.subscribe_ordered`: each process hands them
a round's committed events in sequence order, even when several threads commit at once. A transaction
takes its place in its round's queue when it flushes its first event there, which happens while it holds
the round's lock, so the queue's order is the sequence order; a place is released when its transaction
commits (or dropped when it rolls back), and only the released places at the head of the queue go out.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

from consult.events.models import Event

log = logging.getLogger(__name__)
_PENDING = "consult.pending_events"
_PLACES = "consult.round_places"
_DISPATCHER = "consult.dispatcher"
_KEPT = "consult.written_objects"


@dataclass(frozen=True)
class CommittedEvent:
    """A committed event as plain data; `prepared` holds what preparers made of it before its commit."""

    id: int
    round_id: int
    seq: int
    type: str
    actor_id: int | None
    audience: str
    audience_seq: int
    payload: dict[str, Any]
    created_at: datetime
    prepared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    COLUMNS = ("id", "round_id", "seq", "type", "actor_id", "audience", "audience_seq", "payload", "created_at")

    @classmethod
    def of(cls, event: Event) -> CommittedEvent:
        """Copy the columns of a flushed event."""
        return cls(event.id, event.round_id, event.seq, event.type, event.actor_id, event.audience,
                   event.audience_seq, dict(event.payload), event.created_at)


Subscriber = Callable[[list[CommittedEvent]], None]


class _Place:
    """One transaction's events in one round's queue: pending until it commits or rolls back."""

    __slots__ = ("events", "state")

    def __init__(self) -> None:
        self.events: list[CommittedEvent] = []
        self.state = "pending"


class RoundSequencer:
    """Per round, the transactions of this process in the order they took the round's lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[int, deque[_Place]] = {}

    def place(self, round_id: int) -> _Place:
        """Queue a transaction that has just written the round's next event (it holds the round's lock)."""
        place = _Place()
        with self._lock:
            self._queues.setdefault(round_id, deque()).append(place)
        return place

    def settle(self, places: dict[int, _Place], committed: bool, sink: Callable[[list[CommittedEvent]], None]) -> None:
        """Mark a transaction's places; hand every released head of those rounds' queues to `sink`, in order."""
        with self._lock:
            for round_id, place in places.items():
                place.state = "committed" if committed else "dropped"
                queue = self._queues.get(round_id)
                while queue and queue[0].state != "pending":
                    head = queue.popleft()
                    if head.state == "committed" and head.events:
                        sink(sorted(head.events, key=lambda e: e.seq))
                if queue is not None and not queue:
                    del self._queues[round_id]


def keep_written(session: Session, objects: list[Any]) -> None:
    """Objects the session inserted with a statement of its own: kept in memory until the transaction ends, as
    flushed ones are (the identity map holds them only weakly, and a writer or preparer would read them again)."""
    session.info.setdefault(_KEPT, []).extend(objects)


def note_written(session: Session, events: list[CommittedEvent]) -> None:
    """Events the session has written (flushed, or bulk-inserted by the scheduler): delivered once it commits."""
    session.info[_DISPATCHER].note(session, events)


class Dispatcher:
    """Collects the events a session flushes and delivers them once its transaction commits."""

    def __init__(self, factory: sessionmaker) -> None:
        self.subscribers: list[Subscriber] = []
        self.ordered: list[Subscriber] = []
        self.writers: list[Callable[[Session, list[CommittedEvent]], None]] = []
        self.preparers: list[Callable[[Session, list[CommittedEvent]], None]] = []
        self.sequencer = RoundSequencer()
        # Every session of the factory finds its dispatcher (`note_written` for bulk-inserted events).
        factory.kw.setdefault("info", {})[_DISPATCHER] = self
        sa_event.listen(factory, "after_flush", self._collect)
        sa_event.listen(factory, "before_commit", self._prepare)
        sa_event.listen(factory, "after_commit", self._deliver)
        sa_event.listen(factory, "after_rollback", self._discard)
        sa_event.listen(factory, "after_transaction_end", self._ended)

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        """Register a callable that receives each committed batch of events."""
        self.subscribers.append(subscriber)
        return subscriber

    def subscribe_written(self, writer: Callable[[Session, list[CommittedEvent]], None]):
        """Register a callable that writes, in the same transaction, what follows from events just written."""
        self.writers.append(writer)
        return writer

    def subscribe_prepared(self, preparer: Callable[[Session, list[CommittedEvent]], None]):
        """Register a callable that, just before the commit, prepares what a subscriber needs from the session."""
        self.preparers.append(preparer)
        return preparer

    def subscribe_ordered(self, subscriber: Subscriber) -> Subscriber:
        """Register a quick callable (it runs under the sequencer's lock) that gets each round's events in order."""
        self.ordered.append(subscriber)
        return subscriber

    def _collect(self, session: Session, _context) -> None:
        # What the transaction wrote stays in memory until it ends: the identity map holds objects weakly, and
        # a writer or subscriber reading a row this transaction wrote would otherwise load it again.
        session.info.setdefault(_KEPT, []).extend(session.new)
        self.note(session, [CommittedEvent.of(obj) for obj in session.new if isinstance(obj, Event)])

    def note(self, session: Session, events: list[CommittedEvent]) -> None:
        """Hold written events until the commit, and take their rounds' places in the sequencer."""
        if not events:
            return
        session.info.setdefault(_PENDING, []).extend(events)
        places: dict[int, _Place] = session.info.setdefault(_PLACES, {})
        for event in sorted(events, key=lambda e: (e.round_id, e.seq)):
            if event.round_id not in places:
                places[event.round_id] = self.sequencer.place(event.round_id)
            places[event.round_id].events.append(event)
        for writer in self.writers:
            writer(session, events)  # a failure here fails the transaction: nothing is half-notified

    def _prepare(self, session: Session) -> None:
        if not self.preparers or session.in_nested_transaction():  # a savepoint's release is not the commit
            return
        session.flush()  # what they prepare from is all written: the commit's own flush then has nothing to do
        events = session.info.get(_PENDING)
        if events:
            for preparer in self.preparers:
                preparer(session, events)

    def _discard(self, session: Session) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_KEPT, None)
        self._release(session, committed=False)

    def _ended(self, session: Session, transaction) -> None:
        # A transaction that ended without a commit or a real rollback (its connection died) frees its places.
        if transaction.parent is None:
            self._discard(session)

    def _release(self, session: Session, *, committed: bool) -> None:
        places = session.info.pop(_PLACES, None)
        if places:
            self.sequencer.settle(places, committed, self._hand_ordered)

    def _hand_ordered(self, batch: list[CommittedEvent]) -> None:
        for subscriber in self.ordered:
            try:
                subscriber(batch)
            except Exception:
                log.exception("ordered event subscriber %r failed", subscriber)

    def _deliver(self, session: Session) -> None:
        if session.in_nested_transaction():  # a savepoint released: its events go with the real commit
            return
        session.info.pop(_KEPT, None)
        self._release(session, committed=True)
        events = sorted(session.info.pop(_PENDING, []), key=lambda e: (e.round_id, e.seq))
        if not events:
            return
        for subscriber in self.subscribers:
            try:
                subscriber(events)
            except Exception:
                log.exception("event subscriber %r failed", subscriber)
