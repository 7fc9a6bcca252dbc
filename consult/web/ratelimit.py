"""Moving-window rate limits, counted in Redis when configured (so every process counts together)."""

from __future__ import annotations

import logging

from flask import Flask
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from consult.errors import RateLimited

log = logging.getLogger(__name__)


class RateLimiter:
    """One limit (a setting such as "20/minute") over one kind of action, per key (a person, an address)."""

    def __init__(self, app: Flask, setting: str, scope: str, message: str) -> None:
        redis_url = app.config["REDIS_URL"]
        self.limiter = MovingWindowRateLimiter(storage_from_string(redis_url if redis_url else "memory://"))
        self.rate = parse(app.config[setting])
        self.namespace = app.config["REDIS_CHANNEL"]
        self.scope = scope
        self.message = message

    def _ask(self, method, key: str) -> bool:
        """Ask the counter; when Redis is unreachable the limit is not enforced (logged) rather than failing
        the request: a lost counter must not stop people from working while Redis restarts."""
        try:
            return method(self.rate, self.namespace, self.scope, key)
        except Exception:  # the storage's own errors (redis.ConnectionError and the like)
            log.warning("rate limit %s not checked: its counter store is unreachable", self.scope)
            return True

    def _refuse(self, key: str) -> RateLimited:
        reset = self.limiter.get_window_stats(self.rate, self.namespace, self.scope, key).reset_time
        return RateLimited(self.message.format(rate=self.rate), retry_at=int(reset))

    def hit(self, key: str) -> None:
        """Count one action; 429 (nothing done) when the key is over the limit."""
        if not self._ask(self.limiter.hit, key):
            raise self._refuse(key)

    def check(self, key: str) -> None:
        """429 when the key is over the limit already, without counting this attempt."""
        if not self._ask(self.limiter.test, key):
            raise self._refuse(key)

    def clear(self, key: str) -> None:
        """Forget a key's count (after a successful log-in, for example)."""
        self._ask(lambda *args: self.limiter.clear(*args) or True, key)
