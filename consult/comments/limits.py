"""How fast one person may post comments and edits."""

from __future__ import annotations

from flask import Flask, current_app

from consult.web.ratelimit import RateLimiter


def PostingLimiter(app: Flask) -> RateLimiter:  # noqa: N802 (reads as the class it configures)
    """The comment limit of one app (CONSULT_COMMENT_RATE, per person)."""
    return RateLimiter(app, "COMMENT_RATE", "comment",
                       "You are posting faster than {rate}: wait a moment and post again.")


def check_posting_rate(user_id: int) -> None:
    """Entry points call this before posting or editing a comment."""
    current_app.extensions["consult.posting_limiter"].hit(str(user_id))
