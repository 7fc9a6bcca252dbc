"""A join's catch-up, shared: the log presented once per lens, and each joining socket handed the same answer.

When a plenary opens, hundreds of sockets join one round within a second, and each asked the database for
the same events and presented them the same way: a join cost ten statements, a replay of the log among
them (bench/live.py). What a replay shows depends only on the viewer's lens (constituency, the caucuses
they read, the appointed expert's constituency, the secretariat's standing), the round's identity policy,
the reader's language and the log's range (the cursor held and the heads), so a replay is kept here under
exactly those, for a few seconds. The live feed carries whole audiences only (those of the viewer's room):
what is addressed to one person is a notice, and the API lists it. A change to what a past event shows (an
edit, a hiding, a reaction) logs an event of its own to the same audience, so it moves the range and lands
under another key: a cached replay never shows an older state than the range it covers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace

from flask_babel import get_locale
from sqlalchemy.orm import Session

from consult.events.cursor import Cursor, events_after, heads_of
from consult.events.replay import present_events
from consult.events.schemas import EventOut
from consult.policy import RoundView
from consult.rounds.models import Round

_event_out = EventOut(many=True)


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


def room_audiences(view: RoundView) -> frozenset[str]:
    """The audiences the live feed carries to this viewer: their lens's, without the one of the person."""
    return replace(view, user_id=None).audiences


def live_cursor(view: RoundView) -> Cursor:
    """Where a page the viewer loads now stands in the live feed: each audience of their room, at its head."""
    return heads_of(view.round, room_audiences(view))


def lens_key(view: RoundView, held: Cursor, locale: str | None = None) -> tuple:
    """Everything a replay depends on but the heads it runs to (read while the round is); `locale`: the
    request's, when the caller knows it without asking Flask-Babel."""
    round = view.round
    return (round.id, tuple(sorted(held.items())), view.constituency, view.expert_for, view.organisation_id,
            view.visible_caucuses, view.is_secretariat, round.identity_policy, round.secretariat_sees_caucus,
            locale or str(get_locale()))


def replayed(session: Session, cache: ReplayCache, view: RoundView, key: tuple, held: Cursor, heads: Cursor,
             limit: int) -> list[dict]:
    """The events past the cursor `held` up to `heads`, presented for the viewer's lens and dumped, in the log's
    order. `key` is `lens_key`'s with the heads added; its first item is the round's id."""
    shown = cache.get(key)
    if shown is None:
        # The lens of everyone in the room, none of one person's, on the round itself: the view may hold only the
        # columns the lens depends on (consult/live/admission.py's `RoundLens`), and presenting reads more.
        round = session.get(Round, key[0])
        group = replace(view, user_id=None, round=round)
        events = events_after(session, key[0], held, heads, limit)
        shown = _event_out.dump(present_events(session, group, events))
        if _lens_of(round) == _lens_of(view.round):  # else the round changed since the view was read: keep nothing
            cache.put(key, shown)
    return shown


def _lens_of(round: Round) -> tuple:
    return round.identity_policy, round.secretariat_sees_caucus
