"""Presence ("Here now") announcements, coalesced: a burst of arrivals is announced once it ends.

Announcing on every join and leave costs N messages each, so N people arriving cost N squared: 300 joining
a plenary sent 45,000 presence messages and took 20 to 30 s (bench/live.py). A change is announced at once
when the round's last announcement is older than the interval. Otherwise one announcement follows, with the
counts of that moment, once no change has come for the interval, and at the latest `longest` seconds after
the first change it waits for: announcing each second while hundreds arrive still sent every follower a
message per second of the burst, a message per joining socket (bench/live.py's join time), and the counts
it carried were out of date a second later.
"""

from __future__ import annotations

import threading
import time

from flask import Flask
from flask_socketio import SocketIO

from consult.accounts.models import Constituency
from consult.live.rooms import room_of


class PresenceAnnouncer:
    """Sends each round's presence counts to its rooms, no more often than every `interval` seconds."""

    def __init__(self, app: Flask, socketio: SocketIO, interval: float = 1.0, longest: float = 5.0) -> None:
        self.app, self.socketio, self.interval, self.longest = app, socketio, interval, longest
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}
        self._waiting: dict[int, tuple[float, float]] = {}  # round: (its first change waiting, its latest)

    def announce(self, round_id: int) -> None:
        """The round's presence changed: announce it now, or once the changes pause (see the module)."""
        now = time.monotonic()
        with self._lock:
            waiting = self._waiting.get(round_id)
            if waiting is not None:
                self._waiting[round_id] = (waiting[0], now)
                return
            at_once = now - self._last.get(round_id, now - self.interval) >= self.interval
            if at_once:
                self._last[round_id] = now
            else:
                self._waiting[round_id] = (now, now)
        if at_once:
            self._emit(round_id)
        else:
            self.socketio.start_background_task(self._later, round_id)

    def _later(self, round_id: int) -> None:
        while True:
            with self._lock:
                first, latest = self._waiting[round_id]
                wait = min(latest + self.interval, first + self.longest) - time.monotonic()
                if wait <= 0:
                    del self._waiting[round_id]
                    self._last[round_id] = time.monotonic()
                    break
            self.socketio.sleep(wait)
        self._emit(round_id)

    def _emit(self, round_id: int) -> None:
        counts = self.app.extensions["consult.live"].presence(round_id)
        for constituency in Constituency:
            self.socketio.emit("presence", {"round_id": round_id, "counts": counts},
                               to=room_of(round_id, constituency.value))
