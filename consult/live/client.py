"""A Python client for a round's live feed: every event exactly once, in order, across reconnects.

It is what the browser script does, for scripts, tests and benchmarks. Each event comes numbered within its
audience (the plenary's, one caucus's, the secretariat's), and only to those who see that audience, so nobody
counts what they may not see; the client keeps one count per audience (its cursor), applies each audience's
events in order, holds back what arrives early, drops what it already has, and asks for a replay when a gap
stays open or after it reconnects. The server's heartbeat names each audience's latest number, so the last
push of a burst, if it was lost, is a gap too. A join the server refuses for now (busy: 503) is retried with
back-off; one refused for good (404, 403) or still failing is reported, never silent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import socketio

#: Error codes worth trying again: the server is busy or broke for a moment.
RETRYABLE = {"unavailable", "server_error", "timeout"}


class _Stream:
    """One audience's events: the last number applied, what arrived early, the latest number announced."""

    __slots__ = ("last", "latest", "pending")

    def __init__(self, last: int = 0) -> None:
        self.last = self.latest = last
        self.pending: dict[int, dict[str, Any]] = {}


class LiveRound:
    """Ordered, de-duplicated delivery of one round's events to `on_event`."""

    def __init__(self, round_id: int, on_event: Callable[[dict[str, Any]], None],
                 cursor: dict[str, int] | None = None) -> None:
        self.round_id = round_id
        self.on_event = on_event
        self.streams = {audience: _Stream(number) for audience, number in (cursor or {}).items()}
        self.gap_since: float | None = None
        self.must_reload = False
        self.lock = threading.Lock()

    @property
    def cursor(self) -> dict[str, int]:
        """Each audience's last number applied: what a join or a catch-up says is held."""
        with self.lock:
            return {audience: stream.last for audience, stream in self.streams.items()}

    def holds(self, heads: dict[str, int]) -> bool:
        """Whether every audience this client follows is at least at its count in `heads` (a round's
        `audience_heads`: audiences it does not follow are not its business)."""
        with self.lock:
            return all(stream.last >= heads.get(audience, 0) for audience, stream in self.streams.items())

    def _stream(self, audience: str) -> _Stream:
        return self.streams.setdefault(audience, _Stream())

    def offer(self, audience: str, seq: int, event: dict[str, Any]) -> None:
        """Take one pushed event; deliver everything that is now in order."""
        with self.lock:
            stream = self._stream(audience)
            if seq > stream.last:
                stream.pending[seq] = event
            self._drain()

    def behind(self, heads: dict[str, int]) -> None:
        """Take a heartbeat: each audience has reached its number; where we have not, that is a gap to fill."""
        with self.lock:
            for audience, head in heads.items():
                stream = self._stream(audience)
                stream.latest = max(stream.latest, head)
            self._drain()

    def settle(self, answer: dict[str, Any]) -> None:
        """Take a replay answer: its events in the log's order, then everything up to `heads` is held."""
        with self.lock:
            if answer.get("reload"):
                self.must_reload = True
                return
            for event in answer["events"]:
                stream = self._stream(event["audience"])
                if event["seq"] > stream.last:
                    stream.pending[event["seq"]] = event
                self._drain()
            for audience, head in answer["heads"].items():
                stream = self._stream(audience)
                for seq in sorted(s for s in stream.pending if s <= head):
                    event = stream.pending.pop(seq)
                    if seq > stream.last:
                        self.on_event(event)
                        stream.last = seq
                stream.last = max(stream.last, head)
            self._drain()

    def _drain(self) -> None:
        missing = False
        for stream in self.streams.values():
            while stream.last + 1 in stream.pending:
                stream.last += 1
                self.on_event(stream.pending.pop(stream.last))
            for seq in [s for s in stream.pending if s <= stream.last]:
                del stream.pending[seq]
            stream.latest = max(stream.latest, stream.last, *stream.pending)
            missing = missing or bool(stream.pending) or stream.latest > stream.last
        self.gap_since = (self.gap_since or time.monotonic()) if missing else None


class LiveClient:
    """A Socket.IO connection with an API token, following one or more rounds."""

    def __init__(self, url: str, token: str, *, gap_timeout: float = 1.0, reconnect_urls: list[str] | None = None,
                 join_attempts: int = 8):
        self.urls = [url, *(reconnect_urls or [])]
        self.join_attempts = join_attempts
        self.join_errors: dict[int, dict] = {}  # the last join refusal of each round the client could not join
        self.token = token
        self.gap_timeout = gap_timeout
        self.rounds: dict[int, LiveRound] = {}
        self.presence: dict[int, dict[str, int]] = {}
        self.handlers: dict[str, Callable] = {}
        self.sio = self._new_socket()
        self._stopped = threading.Event()
        self._reconnecting = threading.Lock()
        self.reconnects = 0

    def on(self, event: str, handler: Callable) -> None:
        """Also receive a raw Socket.IO event (on this and every later connection)."""
        self.handlers[event] = handler
        self.sio.on(event, handler)

    def _new_socket(self) -> socketio.Client:
        # A fresh client per connection: one that just lost its transport may still be shutting down.
        sio = socketio.Client(reconnection=False)
        sio.on("event", self._on_push)
        sio.on("presence", self._on_presence)
        sio.on("heartbeat", self._on_heartbeat)
        sio.on("disconnect", self._on_disconnect)
        for event, handler in self.handlers.items():
            sio.on(event, handler)
        return sio

    def connect(self) -> None:
        """Connect to the first server that answers, and start watching for gaps."""
        self._connect_any()
        threading.Thread(target=self._watch_gaps, daemon=True, name="live-gaps").start()

    def _connect_any(self) -> None:
        last_error: Exception | None = None
        for attempt in range(60):
            for url in self.urls:
                try:
                    self.sio.connect(url, auth={"token": self.token}, transports=["websocket"], wait_timeout=5)
                    return
                except (socketio.exceptions.ConnectionError, ValueError) as error:
                    last_error = error
                    self.sio = self._new_socket()
            time.sleep(min(0.1 * (attempt + 1), 1.0))
        raise ConnectionError(f"no server answered: {last_error}")

    def follow(self, round_id: int, on_event: Callable[[dict[str, Any]], None],
               cursor: dict[str, int] | None = None) -> dict:
        """Join a round and receive its events past `cursor` (none: from the start); returns the join answer."""
        live = self.rounds.setdefault(round_id, LiveRound(round_id, on_event, cursor))
        return self._join(live)

    def _join(self, live: LiveRound) -> dict:
        """Join, retrying with back-off while the server is busy; the answer, or the last refusal."""
        answer: dict = {}
        for attempt in range(self.join_attempts):
            try:
                answer = self.sio.call("join", {"round_id": live.round_id, "cursor": live.cursor}, timeout=10)
            except socketio.exceptions.TimeoutError:
                answer = {"error": {"code": "timeout", "message": "The server did not answer the join.", "fields": {}}}
            except socketio.exceptions.BadNamespaceError:
                answer = {"error": {"code": "unavailable", "message": "Not connected.", "fields": {}}}
            if "error" not in answer:
                live.settle(answer)
                self.join_errors.pop(live.round_id, None)
                return answer
            if answer["error"]["code"] not in RETRYABLE:
                break
            time.sleep(min(0.2 * 2 ** attempt, 5.0))
        self.join_errors[live.round_id] = answer
        return answer

    def _on_push(self, message: dict[str, Any]) -> None:
        live = self.rounds.get(message.get("round_id"))
        if live is not None:
            live.offer(message["audience"], message["seq"], message["event"])

    def _on_heartbeat(self, message: dict[str, Any]) -> None:
        live = self.rounds.get(message.get("round_id"))
        if live is not None:
            live.behind(message["heads"])

    def _on_presence(self, message: dict[str, Any]) -> None:
        self.presence[message["round_id"]] = message["counts"]

    def _on_disconnect(self, *_args) -> None:
        if self._stopped.is_set():
            return
        threading.Thread(target=self._reconnect, daemon=True).start()

    def _reconnect(self) -> None:
        # python-socketio calls the disconnect handler before it marks itself disconnected, so the old
        # client's `connected` cannot be trusted here; one disconnect is one reconnection.
        with self._reconnecting:
            if self._stopped.is_set():
                return
            time.sleep(0.05)
            self.sio = self._new_socket()
            self._connect_any()
            self.reconnects += 1
            for live in list(self.rounds.values()):
                self._join(live)

    def _watch_gaps(self) -> None:
        while not self._stopped.wait(self.gap_timeout / 4):
            for live in list(self.rounds.values()):
                if live.gap_since and time.monotonic() - live.gap_since > self.gap_timeout and self.sio.connected:
                    try:
                        answer = self.sio.call("catch_up", {"round_id": live.round_id, "cursor": live.cursor},
                                               timeout=30)
                    except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                        continue
                    if "error" not in answer:
                        live.settle(answer)

    def close(self) -> None:
        """Stop following and disconnect."""
        self._stopped.set()
        self.sio.disconnect()
