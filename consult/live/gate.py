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
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout

from consult.db import READS_COMMITTED, turn_connection
from consult.settings import settings_of

_POSTGRESQL_READS = {"isolation_level": "AUTOCOMMIT"}
_SQLITE_READS = {READS_COMMITTED: True}


def _turns() -> threading.BoundedSemaphore:
    turns = current_app.extensions.get("consult.live.turns")
    if turns is None:
        size = max(1, settings_of(current_app).db_pool_size // 2)
        turns = current_app.extensions.setdefault("consult.live.turns", threading.BoundedSemaphore(size))
    return turns


def _readers() -> Engine:
    """The app's engine with the reads' options (its pool is the engine's)."""
    readers = current_app.extensions.get("consult.live.readers")
    if readers is None:
        engine = current_app.extensions["consult.db"].engine
        readers = engine.execution_options(**(_POSTGRESQL_READS if engine.dialect.name == "postgresql"
                                               else _SQLITE_READS))
        readers = current_app.extensions.setdefault("consult.live.readers", readers)
    return readers


@contextmanager
def database_turn() -> Iterator[Connection]:
    """Run the block with one of the turns and its connection; the connection goes back to the pool when it ends.

    The handlers' own reads are Core statements on this connection: the ORM session's transaction bookkeeping,
    taken and ended at each turn, cost a sixth of a join (bench/join_cost.py). A session made during the turn
    (a replay that presents events, a browser's person for the locale) is bound to it (`turn_connection`), so
    it takes no second connection from the pool; a token's socket makes none."""
    turns = _turns()
    if not turns.acquire(timeout=settings_of(current_app).live_turn_wait):
        raise PoolTimeout("no turn at the database for a socket handler")
    try:
        sessions = current_app.extensions["consult.db"].session
        with _readers().connect() as connection:
            bound = turn_connection.set(connection)
            try:
                yield connection
            finally:
                turn_connection.reset(bound)
                if sessions.registry.has():
                    sessions.remove()
    finally:
        turns.release()
