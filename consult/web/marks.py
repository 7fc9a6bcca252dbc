"""Reading marks: the writes a page makes only to remember that its reader saw it (notifications read, a
round's "new since your last visit").

A mark is bookkeeping, never the reason for the page: it is written after the page was read, in a write
transaction of its own that waits at most `MARK_LOCK_WAIT` seconds for another writer's lock (SQLite's one
write lock, a PostgreSQL row or table lock). When it cannot get the lock in time the mark is dropped (the
next visit writes it) and the page is answered all the same: a busy database never turns a read into a 503.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from consult.api.session import db_session
from consult.db import lock_wait, write_intent

log = logging.getLogger(__name__)
#: The longest a mark waits for the write lock; short, because the reader waits for it before the page arrives.
MARK_LOCK_WAIT = 0.25


def keep_mark(write: Callable[[Session], Any], what: str) -> bool:
    """Commit the page's reading, then write a mark in a transaction of its own; False when it was dropped.

    The reading transaction ends first: on SQLite, upgrading a reader to a writer fails at once when another
    writer committed meanwhile, so the mark begins as a writer (BEGIN IMMEDIATE) and waits for the lock, briefly.
    """
    session = db_session()
    session.commit()
    waited = lock_wait.get()
    intent, wait = write_intent.set(True), lock_wait.set(min(MARK_LOCK_WAIT, waited if waited is not None
                                                             else MARK_LOCK_WAIT))
    try:
        write(session)
        session.commit()
        return True
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("the reading mark %s waits for the next visit (the database was busy): %s", what, error)
        return False
    finally:
        write_intent.reset(intent)
        lock_wait.reset(wait)
