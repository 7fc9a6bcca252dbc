"""Presence ("Here now") announcements, coalesced: at most one per round per interval, with the latest counts.

Announcing on every join and leave costs N messages each, so N people arriving cost N squared: 300 joining
a plenary sent 45,000 presence messages and took 20 to 30 s (bench/live.py). A change is announced at once
when the round's last announcement is older than the interval; otherwise one announcement follows at the
end of the interval, carrying the counts of that moment.
"""

from __future__ import annotations

import threading
import time

from flask import Flask
from flask_socketio import SocketIO

from consult.accounts.models import Constituency
from consult.live.server import room_of


class PresenceAnnouncer:
    """Sends each round's presence counts to its rooms, no more often than every `interval` seconds."""

    def __init__(self, app: Flask, socketio: SocketIO, interval: float = 1.0) -> None:
        self.app, self.socketio, self.interval = app, socketio, interval
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}
        self._scheduled: set[int] = set()

    def announce(self, round_id: int) -> None:
        """The round's presence changed: announce it now, or once at the end of the current interval."""
        with self._lock:
            if round_id in self._scheduled:
                return
            wait = self._last.get(round_id, -self.interval) + self.interval - time.monotonic()
            if wait > 0:
                self._scheduled.add(round_id)
            else:
                self._last[round_id] = time.monotonic()
        if wait > 0:
            self.socketio.start_background_task(self._later, round_id, wait)
        else:
            self._emit(round_id)

    def _later(self, round_id: int, wait: float) -> None:
        self.socketio.sleep(wait)
        with self._lock:
            self._scheduled.discard(round_id)
            self._last[round_id] = time.monotonic()
        self._emit(round_id)

    def _emit(self, round_id: int) -> None:
        counts = self.app.extensions["consult.live"].presence(round_id)
        for constituency in Constituency:
            self.socketio.emit("presence", {"round_id": round_id, "counts": counts},
                               to=room_of(round_id, constituency.value))
