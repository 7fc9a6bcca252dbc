"""How fast one person may post: a moving window per person, counted in Redis when configured (all processes)."""

from __future__ import annotations

from flask import Flask, current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from consult.errors import RateLimited


class PostingLimiter:
    """Counts each person's comments and edits in a moving window."""

    def __init__(self, app: Flask) -> None:
        redis_url = app.config["REDIS_URL"]
        storage = storage_from_string(redis_url if redis_url else "memory://")
        self.limiter = MovingWindowRateLimiter(storage)
        self.rate = parse(app.config["COMMENT_RATE"])
        self.prefix = app.config["REDIS_CHANNEL"]

    def hit(self, user_id: int) -> None:
        """Count one post; 429 when the person is over the limit (the post is not saved)."""
        if not self.limiter.hit(self.rate, self.prefix, "comment", str(user_id)):
            reset = self.limiter.get_window_stats(self.rate, self.prefix, "comment", str(user_id)).reset_time
            raise RateLimited(f"You are posting faster than {self.rate}: wait a moment and post again.",
                              retry_at=int(reset))


def check_posting_rate(user_id: int) -> None:
    """Entry points call this before posting or editing a comment."""
    current_app.extensions["consult.posting_limiter"].hit(user_id)
