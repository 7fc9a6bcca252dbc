"""Who is connected where: socket ids by person and by round, for presence and for forced disconnects.

One process keeps this in memory; several processes share it in Redis, each under keys that expire
unless the process refreshes them, so a killed process's connections fade out by themselves.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

TTL_SECONDS = 30


@dataclass(frozen=True)
class Connection:
    """One socket: who it is and which constituency they hold in each round they joined."""

    sid: str
    user_id: int
    session_token: str | None  # set when the socket came with a log-in session
    token_id: int | None = None  # set when it came with an API token
    #: The locale its handshake asked for (`requested_locale`), when it is the socket's whatever the database
    #: holds or the person's choice, read with them, stands before it (see consult/live/sockets.py's `_locale`).
    requested_locale: str | None = None

    @property
    def label(self) -> str:
        """How the socket authenticated, as stored in Redis: "t<id>" for a token, "s" for a session."""
        return f"t{self.token_id}" if self.token_id else "s"


class MemoryRegistry:
    """The registry of a single process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connections: dict[str, Connection] = {}
        self.rounds: dict[str, dict[int, str]] = {}
        self.arrivals: set[tuple[str, int]] = set()  # (sid, round_id) of the joins being admitted

    def connect(self, connection: Connection) -> None:
        """Record a new socket."""
        with self._lock:
            self.connections[connection.sid] = connection
            self.rounds[connection.sid] = {}

    def get(self, sid: str) -> Connection | None:
        """The socket's connection, if it is known here."""
        return self.connections.get(sid)

    def followed(self, round_ids: set[int]) -> set[int] | None:
        """Which of these rounds some socket follows (None: it cannot be told, so push to every one)."""
        return self.followed_here(round_ids)

    def followed_here(self, round_ids: set[int]) -> set[int]:
        """Which of these rounds a socket of this process follows (quick: asks nothing over the network)."""
        with self._lock:
            found = {round_id for _, round_id in self.arrivals if round_id in round_ids}
            for rounds in self.rounds.values():
                found.update(round_id for round_id in rounds if round_id in round_ids)
                if len(found) == len(round_ids):  # every one is followed: the rest need not be looked at
                    break
        return found

    @contextmanager
    def arriving(self, sid: str, round_id: int) -> Iterator[None]:
        """While a socket is being admitted to a round (and joins it), the round counts as followed: no push of it
        is left out for want of followers while the join reads what it answers (consult/live/sockets.py)."""
        self._arrive(sid, round_id)
        try:
            yield
        finally:
            self._arrived(sid, round_id)

    def _arrive(self, sid: str, round_id: int) -> None:
        with self._lock:
            self.arrivals.add((sid, round_id))

    def _arrived(self, sid: str, round_id: int) -> bool:
        """Forget the arrival; returns whether the socket is in the round now."""
        with self._lock:
            self.arrivals.discard((sid, round_id))
            return round_id in self.rounds.get(sid, {})

    def join(self, sid: str, round_id: int, constituency: str) -> None:
        """Record that a socket is in a round as a constituency."""
        with self._lock:
            self.rounds.setdefault(sid, {})[round_id] = constituency

    def leave(self, sid: str, round_id: int) -> None:
        """Record that a socket left a round."""
        with self._lock:
            self.rounds.get(sid, {}).pop(round_id, None)

    def disconnect(self, sid: str) -> list[int]:
        """Forget a socket; returns the rounds it was in."""
        with self._lock:
            self.connections.pop(sid, None)
            return list(self.rounds.pop(sid, {}))

    def sids_of_user(self, user_id: int, label: str | None = None) -> list[str]:
        """Every socket of one person (only those authenticated as `label`, "s" or "t<id>", if given)."""
        return [sid for sid, c in list(self.connections.items())
                if c.user_id == user_id and (label is None or c.label == label)]

    def sids_in_round(self, user_id: int, round_id: int) -> list[str]:
        """The sockets of one person that joined one round."""
        return [sid for sid in self.sids_of_user(user_id) if round_id in self.rounds.get(sid, {})]

    def presence(self, round_id: int) -> dict[str, int]:
        """How many sockets of each constituency are in a round."""
        return dict(Counter(r[round_id] for r in list(self.rounds.values()) if round_id in r))


class RedisRegistry(MemoryRegistry):
    """The registry shared by several processes: each process mirrors its own part into Redis."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.channel = channel
        self.process = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._heartbeat = threading.Thread(target=self._refresh, daemon=True, name="consult-presence")
        self._heartbeat.start()

    def _key(self, kind: str, ident: int | str) -> str:
        return f"{self.channel}:live:{kind}:{ident}:{self.process}"

    def _write(self, key: str, field: str, value: str | None) -> None:
        pipe = self.redis.pipeline()
        if value is None:
            pipe.hdel(key, field)
        else:
            pipe.hset(key, field, value)
            pipe.expire(key, TTL_SECONDS)
        pipe.execute()

    def connect(self, connection: Connection) -> None:
        """Record a new socket here and in Redis."""
        super().connect(connection)
        self._write(self._key("user", connection.user_id), connection.sid, connection.label)

    def _arrive(self, sid: str, round_id: int) -> None:
        super()._arrive(sid, round_id)
        if round_id not in self.rounds.get(sid, {}):  # joined again: its constituency stands meanwhile
            self._write(self._key("round", round_id), sid, "")  # none yet: presence leaves it out

    def _arrived(self, sid: str, round_id: int) -> bool:
        joined = super()._arrived(sid, round_id)
        if not joined:
            self._write(self._key("round", round_id), sid, None)
        return joined

    def join(self, sid: str, round_id: int, constituency: str) -> None:
        """Record a round membership here and in Redis."""
        super().join(sid, round_id, constituency)
        self._write(self._key("round", round_id), sid, constituency)

    def leave(self, sid: str, round_id: int) -> None:
        """Forget a round membership here and in Redis."""
        super().leave(sid, round_id)
        self._write(self._key("round", round_id), sid, None)

    def disconnect(self, sid: str) -> list[int]:
        """Forget a socket here and in Redis."""
        connection = self.get(sid)
        rounds = super().disconnect(sid)
        for round_id in rounds:
            self._write(self._key("round", round_id), sid, None)
        if connection:
            self._write(self._key("user", connection.user_id), sid, None)
        return rounds

    def followed(self, round_ids: set[int]) -> set[int] | None:
        """Which of these rounds a socket follows on any process (None when Redis does not answer)."""
        prefix = f"{self.channel}:live:round:"
        try:
            anywhere = {int(key[len(prefix):].split(":", 1)[0])
                        for key in self.redis.scan_iter(f"{prefix}*", count=1000)}
        except (redis.RedisError, ValueError):
            return None
        return (anywhere | self.followed_here(round_ids)) & round_ids

    def _scan(self, kind: str, ident: int) -> list[str]:
        return list(self.redis.scan_iter(f"{self.channel}:live:{kind}:{ident}:*", count=1000))

    def sids_of_user(self, user_id: int, label: str | None = None) -> list[str]:
        """Every socket of one person, on every process (only those authenticated as `label`, if given)."""
        return [sid for key in self._scan("user", user_id) for sid, how in self.redis.hgetall(key).items()
                if label is None or how == label]

    def sids_in_round(self, user_id: int, round_id: int) -> list[str]:
        """The sockets of one person that joined one round, on every process."""
        joined = {sid for key in self._scan("round", round_id) for sid in self.redis.hkeys(key)}
        return [sid for sid in self.sids_of_user(user_id) if sid in joined]

    def presence(self, round_id: int) -> dict[str, int]:
        """Sockets per constituency in a round, on every live process."""
        counts: Counter[str] = Counter()
        for key in self._scan("round", round_id):
            counts.update(value for value in self.redis.hvals(key) if value)  # "": still being admitted
        return dict(counts)

    def _refresh(self) -> None:
        while True:
            time.sleep(TTL_SECONDS / 3)
            try:
                with self._lock:
                    keys = {self._key("user", c.user_id) for c in self.connections.values()}
                    keys |= {self._key("round", r) for rounds in self.rounds.values() for r in rounds}
                pipe = self.redis.pipeline()
                for key in keys:
                    pipe.expire(key, TTL_SECONDS)
                pipe.execute()
            except redis.RedisError:
                continue  # Redis is restarting; the next beat refreshes


def make_registry(redis_url: str | None, channel: str = "consult") -> MemoryRegistry:
    """The registry for this deployment: in memory, or shared in Redis."""
    return RedisRegistry(redis_url, channel) if redis_url else MemoryRegistry()
