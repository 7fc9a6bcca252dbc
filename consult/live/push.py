"""After commit: every committed event goes to each constituency room of its round that sees it, rendered for it.

One pusher thread per process does it, on a database connection of its own: a committing request hands
over its events and goes, so no request ever holds two connections, and the push never waits for the
request pool (nor fails because it is exhausted). The dispatcher hands each round's events over in sequence
order; the pusher keeps that order. A round followed in this process is rendered in the committing
transaction itself, from what it holds (`prepare`), so its push only sends; anything else queued up
together is read back and rendered in one batch, retried when the database does not answer. Every
`LIVE_HEARTBEAT` seconds it also tells each round's rooms the latest number of each audience they see
(never the round's own count), so a client that missed the last push of a burst learns it is behind.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from consult.accounts.models import Constituency, User
from consult.db import Database
from consult.events.cursor import heads_of
from consult.events.dispatcher import CommittedEvent
from consult.events.replay import EventContext, present_events
from consult.events.schemas import EventOut
from consult.live.replay import room_audiences
from consult.live.rooms import disconnect_user, room_of, user_room
from consult.policy import lens_view
from consult.rounds.models import Round
from consult.settings import settings_of

log = logging.getLogger(__name__)
_event_out = EventOut()
#: A batch the database would not let us render for this long is given up (the heartbeat still tells clients).
GIVE_UP_SECONDS = 300


class LivePusher:
    """The process's push thread: committed events in, rendered pushes out, in order, and heartbeats."""

    def __init__(self, app: Flask, db: Database, socketio: SocketIO) -> None:
        self.app, self.db, self.socketio = app, db, socketio
        self.heartbeat = settings_of(app).live_heartbeat
        self._factory = None
        self._queue: deque[tuple[float, list[CommittedEvent]]] = deque()
        self._wake = threading.Condition()
        self._pid: int | None = None
        self._stopped = False
        self._busy = False
        self.pushed = 0
        db.on_dispose.append(self.stop)

    def offer(self, batch: list[CommittedEvent]) -> None:
        """Ordered dispatcher subscriber: queue one transaction's events of one round (quick; never blocks)."""
        self.start()
        with self._wake:
            self._queue.append((time.monotonic(), batch))
            self._wake.notify()

    def start(self) -> None:
        """Start the thread in this process (again after a fork: threads do not survive one)."""
        if self._pid == os.getpid():
            return
        with self._wake:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._factory = self.db.dedicated_factory()
            threading.Thread(target=self._run, daemon=True, name="consult-live-push").start()

    def stop(self) -> None:
        """Let the thread end (tests)."""
        with self._wake:
            self._stopped = True
            self._wake.notify()

    def idle(self) -> bool:
        """Whether nothing is waiting to be pushed."""
        return not self._queue and not self._busy

    def _run(self) -> None:
        next_beat = time.monotonic() + self.heartbeat
        failures = 0
        while True:
            with self._wake:
                while not self._queue and not self._stopped and time.monotonic() < next_beat:
                    self._wake.wait(max(0.0, next_beat - time.monotonic()))
                if self._stopped:
                    return
                taken = list(self._queue)
                self._queue.clear()
                self._busy = bool(taken)
            if taken:
                left = self._push_all(taken)
                if left:
                    failures += 1
                    kept = [item for item in left if time.monotonic() - item[0] < GIVE_UP_SECONDS]
                    if len(kept) < len(left):
                        log.error("gave up pushing %d batches; clients catch up from the heartbeat",
                                  len(left) - len(kept))
                    with self._wake:
                        self._queue.extendleft(reversed(kept))
                    time.sleep(min(0.05 * 2 ** failures, 2.0))
                else:
                    failures = 0
                self._busy = False
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + self.heartbeat
                try:
                    self._beat()
                except Exception:
                    log.warning("live heartbeat skipped", exc_info=True)

    def prepare(self, session, events: list[CommittedEvent]) -> None:
        """Dispatcher preparer, just before the commit: render the events of the rounds followed in this process
        from what the transaction holds, so that after the commit their push only sends."""
        for round_id in self.app.extensions["consult.live"].followed_here({e.round_id for e in events}):
            round = session.get(Round, round_id)
            mine = [e for e in events if e.round_id == round_id]
            try:
                context = EventContext.load(session, round_id, mine, latest_seq=round.last_seq, held=True)
                for event, emits in _rendered(session, round, mine, context):
                    event.prepared["live"] = emits
            except SQLAlchemyError:
                raise
            except Exception:  # the change itself stands: its push is rendered from the log after the commit
                log.exception("rendering the push of round %s in its transaction failed", round_id)

    def _push_all(self, taken: list[tuple[float, list[CommittedEvent]]]) -> list[tuple[float, list[CommittedEvent]]]:
        """Push the queued batches, each round's together, in one transaction; returns what the database refused.

        Batches rendered in their own transaction are only sent. A round nobody follows (on any process, as
        far as the registry can tell) is not rendered: a socket that joins later reads the log after it
        joined, so it misses nothing. Notices to a person still go.
        """
        by_round: dict[int, list[tuple[float, list[CommittedEvent]]]] = {}
        for item in taken:
            by_round.setdefault(item[1][0].round_id, []).append(item)
        unprepared = {round_id for round_id, items in by_round.items() if not _prepared(items)}
        followed = self.app.extensions["consult.live"].followed(unprepared) if unprepared else set()
        pending = list(by_round.items())
        try:
            with self._factory() as session:  # a connection is taken only if something is read
                wanted = [round_id for round_id in unprepared if followed is None or round_id in followed]
                rounds = {round.id: round for round in session.scalars(
                    select(Round).where(Round.id.in_(wanted))).unique()} if wanted else {}
                while pending:
                    round_id, items = pending[0]
                    events = [event for _, batch in items for event in batch]
                    try:
                        if round_id not in unprepared:
                            _send(self.socketio, round_id, [(event, event.prepared["live"]) for event in events])
                            _notify_people(self.socketio, round_id, events)
                        elif round_id in rounds:
                            _push_batch(session, self.socketio, rounds[round_id], events)
                        else:
                            _notify_people(self.socketio, round_id, events)
                        self._remove(session, [e for e in events if e.type == "organisation.removed"])
                        self.pushed += len(events)
                    except SQLAlchemyError:
                        raise
                    except Exception:
                        log.exception("live push of round %s failed; its clients catch up from the heartbeat",
                                      round_id)
                    pending.pop(0)
        except SQLAlchemyError:
            log.warning("live push of %d rounds waits for the database", len(pending), exc_info=True)
        return [item for _, items in pending for item in items]

    def _remove(self, session, events: list[CommittedEvent]) -> None:
        """When an organisation leaves a round, cut its people's sockets on every process."""
        if not events:
            return
        removed = [e.payload["organisation_id"] for e in events]
        for user_id in session.scalars(select(User.id).where(User.organisation_id.in_(removed))).all():
            disconnect_user(user_id, app=self.app)

    def _beat(self) -> None:
        """Tell each round's rooms followed here the latest number of each audience the room sees."""
        registry = self.app.extensions["consult.live"]
        round_ids = sorted({r for rounds in list(registry.rounds.values()) for r in rounds})
        if not round_ids:
            return
        with self._factory() as session:
            rows = session.execute(select(Round.id, Round.audience_heads, Round.secretariat_sees_caucus)
                                   .where(Round.id.in_(round_ids))).all()
        # What a room sees depends on the round only through these columns: a bare copy holds them.
        rounds = [Round(id=id, audience_heads=heads, secretariat_sees_caucus=sees) for id, heads, sees in rows]
        beats = [(round.id, lens, heads_of(round, room_audiences(lens_view(round, lens))))
                 for round in rounds for lens in Constituency]
        for round_id, lens, heads in beats:
            self.socketio.emit("heartbeat", {"round_id": round_id, "heads": heads}, to=room_of(round_id, lens.value))


def _push_batch(session, socketio: SocketIO, round: Round, batch: list[CommittedEvent]) -> None:
    """Render the batch from the database, and push it."""
    context = EventContext.load(session, round.id, batch, latest_seq=round.last_seq)
    _send(socketio, round.id, _rendered(session, round, batch, context))
    _notify_people(socketio, round.id, batch)


def _rendered(session, round: Round, batch: list[CommittedEvent], context: EventContext) -> list[tuple]:
    """Each event with its emits: once per distinct presentation, to the constituency rooms that see it so.

    Presentation depends only on the constituency, and most events look the same to several of them (a
    plenary comment by an employer looks the same to all five), so they share one emit and one encoding.
    A room that may not see an event receives nothing of it: events are numbered within their audience, so
    a client tells a gap in what it sees without learning what it does not.
    """
    shown_by_lens = {lens: _presented(session, round, lens, batch, context) for lens in Constituency}
    rendered = []
    for event in batch:
        audiences: list[tuple[dict, list[str]]] = []
        for lens, shown in shown_by_lens.items():
            item = shown.get(event.seq)
            if item is None:
                continue
            rooms = next((rooms for seen, rooms in audiences if seen == item), None)
            if rooms is None:
                audiences.append((item, rooms := []))
            rooms.append(room_of(round.id, lens.value))
        rendered.append((event, [(_event_out.dump(item), rooms) for item, rooms in audiences]))
    return rendered


def _send(socketio: SocketIO, round_id: int, rendered: list[tuple]) -> None:
    for event, audiences in rendered:
        for shown, rooms in audiences:
            socketio.emit("event", {"round_id": round_id, "audience": event.audience, "seq": event.audience_seq,
                                    "event": shown}, to=rooms)


def _prepared(items: list[tuple[float, list[CommittedEvent]]]) -> bool:
    return all("live" in event.prepared for _, batch in items for event in batch)


def _notify_people(socketio: SocketIO, round_id: int, batch: list[CommittedEvent]) -> None:
    """The events addressed to one person, to that person's sockets."""
    for event in batch:
        if event.audience.startswith("user:"):
            socketio.emit("notice", {"round_id": round_id, "type": event.type, "payload": event.payload},
                          to=user_room(int(event.audience[5:])))


def _presented(session, round: Round, lens: Constituency, batch: list[CommittedEvent],
               context: EventContext) -> dict[int, dict]:
    """The batch's events this lens's room is fed, presented for it, by the log's sequence number."""
    view = lens_view(round, lens)
    fed = room_audiences(view)
    visible = [e for e in batch if e.audience in fed]
    return {event.seq: item for event, item in zip(visible, present_events(session, view, visible, context),
                                                    strict=True)}
