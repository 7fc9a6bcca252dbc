"""After commit: every committed event goes to every constituency room of its round, rendered for it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from flask_socketio import SocketIO
from sqlalchemy import select

from consult.accounts.models import Constituency
from consult.db import Database, write_intent
from consult.events.dispatcher import CommittedEvent
from consult.events.replay import EventContext, present_events
from consult.events.schemas import EventOut
from consult.live.server import room_of, user_room
from consult.policy import lens_view
from consult.rounds.models import Round

log = logging.getLogger(__name__)
_event_out = EventOut()


def make_pusher(db: Database, socketio: SocketIO) -> Callable[[list[CommittedEvent]], None]:
    """A dispatcher subscriber that pushes committed events to the rooms that may see them."""

    def push(events: list[CommittedEvent]) -> None:
        by_round: dict[int, list[CommittedEvent]] = defaultdict(list)
        for event in events:
            by_round[event.round_id].append(event)
        token = write_intent.set(False)
        try:
            with db.factory() as session:
                for round_id, batch in by_round.items():
                    _push_batch(session, socketio, session.get(Round, round_id), batch)
        finally:
            write_intent.reset(token)

    return push


def _push_batch(session, socketio: SocketIO, round: Round, batch: list[CommittedEvent]) -> None:
    """Each event once per distinct presentation, to every constituency room that sees it so.

    Presentation depends only on the constituency, and most events look the same to several of them (a
    plenary comment by an employer looks the same to all five), so they share one emit and one encoding.
    """
    context = EventContext.load(session, round.id, batch)
    shown_by_lens = {lens: _presented(session, round, lens, batch, context) for lens in Constituency}
    for event in batch:
        audiences: list[tuple[dict | None, list[str]]] = []
        for lens, shown in shown_by_lens.items():
            item = shown.get(event.seq)
            rooms = next((rooms for seen, rooms in audiences if seen == item), None)
            if rooms is None:
                audiences.append((item, rooms := []))
            rooms.append(room_of(round.id, lens.value))
        # Every room receives every sequence number, so a client can tell a gap from an event it may not see.
        for item, rooms in audiences:
            socketio.emit("event", {"round_id": round.id, "seq": event.seq,
                                    "event": _event_out.dump(item) if item else None}, to=rooms)
        if event.audience.startswith("user:"):
            socketio.emit("notice", {"round_id": round.id, "type": event.type, "payload": event.payload},
                          to=user_room(int(event.audience[5:])))


def _presented(session, round: Round, lens: Constituency, batch: list[CommittedEvent],
               context: EventContext) -> dict[int, dict]:
    """The batch's events this lens may see, presented for it, by sequence number."""
    view = lens_view(round, lens)
    visible = [e for e in batch if view.may_see_event(e)]
    return {item["seq"]: item for item in present_events(session, view, visible, context)}


def make_remover(app) -> Callable[[list[CommittedEvent]], None]:
    """A dispatcher subscriber: when an organisation leaves a round, cut its people's sockets on every process."""
    from consult.accounts.models import User
    from consult.live.sockets import disconnect_user

    db: Database = app.extensions["consult.db"]

    def remove(events: list[CommittedEvent]) -> None:
        removed = [e.payload["organisation_id"] for e in events if e.type == "organisation.removed"]
        if not removed:
            return
        token = write_intent.set(False)
        try:
            with db.factory() as session:
                people = session.scalars(select(User.id).where(User.organisation_id.in_(removed))).all()
        finally:
            write_intent.reset(token)
        for user_id in people:
            disconnect_user(user_id, app=app)

    return remove
