"""Socket handlers take turns at the database: a few at a time, the others wait their turn in memory.

When a plenary opens, hundreds of sockets connect and join within a second. Each handler holds a pooled
connection from its first statement to its end, and under gevent it yields at every round trip, so fifty
of them at once took the whole pool, held it while the others ran, and the rest were refused at the pool's
half-second limit: they answered 503 and the clients retried with back-off (bench/live.py measured joins
on PostgreSQL seven times the bare server's, most of it waiting to retry). A handler now waits for a turn
(up to `LIVE_TURN_WAIT` seconds, 2 by default, then 503 as before), takes a connection only with it, and gives the
connection back before giving the turn away. Half the pool is left to the HTTP requests.

A handler's turn reads outside any transaction. Handlers only read, and under PostgreSQL's read committed each
statement sees what is committed when it runs, in a transaction or not; without one (autocommit), a join saves
a BEGIN and a ROLLBACK at each of its two turns (connect and join), four of its nine round trips to the
database. SQLite does the same (`READS_COMMITTED`: no BEGIN, each statement its own transaction): in a
transaction a read there would see the snapshot of its first statement, and a join, whose access is checked
before it enters the room, would need a second transaction to see what committed in between (a BEGIN, a
ROLLBACK and a connection taken again: a fifth of a join's work on SQLite, bench/join_cost.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.exc import TimeoutError as PoolTimeout

from consult.api.session import db_session
from consult.db import READS_COMMITTED

_POSTGRESQL_READS = {"isolation_level": "AUTOCOMMIT"}
_SQLITE_READS = {READS_COMMITTED: True}


def _turns() -> threading.BoundedSemaphore:
    turns = current_app.extensions.get("consult.live.turns")
    if turns is None:
        size = max(1, int(current_app.config["DB_POOL_SIZE"]) // 2)
        turns = current_app.extensions.setdefault("consult.live.turns", threading.BoundedSemaphore(size))
    return turns


@contextmanager
def database_turn() -> Iterator[None]:
    """Run the block with one of the turns; its connection goes back to the pool when it ends."""
    turns = _turns()
    if not turns.acquire(timeout=float(current_app.config["LIVE_TURN_WAIT"])):
        raise PoolTimeout("no turn at the database for a socket handler")
    try:
        session = db_session()
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options=_POSTGRESQL_READS)
        else:
            session.connection(execution_options=_SQLITE_READS)
        yield
    finally:
        try:
            db_session().close()
        finally:
            turns.release()
