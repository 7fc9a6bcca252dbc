"""The database session of the current request."""

from flask import current_app
from sqlalchemy.orm import Session


def db_session() -> Session:
    """The request's session (thread-scoped; removed when the app context ends)."""
    return current_app.extensions["consult.db"].session()
