"""A join's catch-up, shared: the log presented once per lens, and each joining socket handed the same answer.

When a plenary opens, hundreds of sockets join one round within a second, and each asked the database for
the same events and presented them the same way: a join cost ten statements, a replay of the log among
them (bench/live.py). What a replay shows depends only on the viewer's lens (constituency, the caucuses
they read, the appointed expert's constituency, the secretariat's standing), the round's identity policy,
the reader's language and the log's range, so the part of a replay addressed to whole audiences is kept
here under exactly those, for a few seconds. The events addressed to one person are read for each socket
(one statement, usually empty). A change to what a past event shows (an edit, a hiding, a reaction)
logs an event of its own, so it moves the range and lands under another key: a cached replay never shows
an older state than the range it covers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace

from flask_babel import get_locale
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from consult.events.models import Event
from consult.events.replay import present_events
from consult.events.schemas import EventOut
from consult.policy import RoundView, user_audience

_event_out = EventOut(many=True)
#: Built once: every join asks it.
_OWN = (select(Event).where(Event.round_id == bindparam("round_id"), Event.seq > bindparam("after"),
                            Event.seq <= bindparam("through"), Event.audience == bindparam("audience"))
        .order_by(Event.seq).limit(bindparam("limit")))


class ReplayCache:
    """Presented replays by lens and range, each kept `seconds` at most, `size` of them at most."""

    def __init__(self, seconds: float = 10.0, size: int = 512) -> None:
        self.seconds, self.size = seconds, size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[float, list[dict]]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> list[dict] | None:
        """The replay kept under `key`, if it is still fresh."""
        with self._lock:
            found = self._entries.get(key)
            if found is None or time.monotonic() - found[0] > self.seconds:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: tuple, shown: list[dict]) -> None:
        """Keep a replay; the oldest goes when there are too many."""
        with self._lock:
            self._entries[key] = (time.monotonic(), shown)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def lens_key(view: RoundView, after: int) -> tuple:
    """Everything the shared part of a replay depends on but the end of its range (read while the round is)."""
    round = view.round
    return (round.id, after, view.constituency, view.expert_for, view.organisation_id,
            view.visible_caucuses, view.is_secretariat, round.identity_policy, round.secretariat_sees_caucus,
            str(get_locale()))


def replayed(session: Session, cache: ReplayCache, view: RoundView, key: tuple, after: int, through: int,
             limit: int) -> list[dict]:
    """The events after `after` up to `through` the viewer may see, presented and dumped, oldest first.

    `key` is `lens_key`'s with `through` added; its first item is the round's id (the round itself is not
    read when the shared part is kept)."""
    round_id = key[0]
    shared = cache.get(key)
    if shared is None:
        group = replace(view, user_id=None)  # the audiences of everyone with this lens, none of one person's
        events = _events(session, group, round_id, after, through, limit)
        shared = _event_out.dump(present_events(session, group, events))
        cache.put(key, shared)
    if view.user_id is None:
        return shared
    own = list(session.scalars(_OWN, {"round_id": round_id, "after": after, "through": through,
                                      "audience": user_audience(view.user_id), "limit": limit}))
    if not own:
        return shared
    mine = _event_out.dump(present_events(session, view, own))
    return sorted([*shared, *mine], key=lambda item: item["seq"])[:limit]


def _events(session: Session, view: RoundView, round_id: int, after: int, through: int,
            limit: int) -> list[Event]:
    statement = (select(Event).where(Event.round_id == round_id, Event.seq > after, Event.seq <= through,
                                     view.event_filter()).order_by(Event.seq).limit(limit))
    return list(session.scalars(statement))
