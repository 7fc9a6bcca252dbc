"""The database session of the current request."""

from collections.abc import Callable

from flask import current_app, g
from sqlalchemy.orm import Session

from consult.cooperative import give_way


def db_session() -> Session:
    """The request's session (thread-scoped; removed when the app context ends)."""
    return current_app.extensions["consult.db"].session()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the request's unit of work has committed (never if it fails)."""
    g.setdefault("consult_after_commit", []).append(callback)


def run_after_commit() -> None:
    """Run the callbacks queued by `after_commit` (called by the entry point right after its commit), then let
    the push of what was committed go first (`give_way`)."""
    for callback in g.pop("consult_after_commit", []):
        callback()
    give_way()
