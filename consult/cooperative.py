"""SQLite under a gevent worker: writers of one process take turns on a lock gevent can wait on.

SQLite's busy handler sleeps inside C, and under gevent that sleep stops every greenlet of the process,
including the one holding the write lock, so two writers of one process would wait on each other for the
whole busy timeout. Here a writer first takes a process-wide lock that yields to the event loop while it
waits; it is released when the transaction ends. Without gevent, nothing changes (threads wait in SQLite's
busy handler with the GIL released).
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

_HELD = "consult.sqlite_write_lock"

Returned = TypeVar("Returned")


def gevent_patched() -> bool:
    """Whether this process runs under gevent's monkey-patching (a gevent gunicorn worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


def off_loop(function: Callable[..., Returned], *args: Any) -> Returned:
    """Call `function(*args)`; under gevent, in a native thread, so that CPU-bound C code stops no greenlet.

    Password hashing (argon2 spends tens of milliseconds in C, with the GIL released) would otherwise stop
    every socket and request of the process for as long, at every log-in.
    """
    if not gevent_patched():
        return function(*args)
    import gevent

    return cast(Returned, gevent.get_hub().threadpool.apply(function, args))  # gevent is untyped


def serialise_sqlite_writers(engine: Engine, write_intent: ContextVar[bool], lock_wait: ContextVar[float | None],
                             busy_timeout: float) -> None:
    """Under gevent, make the writers of `engine` wait for each other cooperatively, as long as SQLite would."""
    if not gevent_patched():
        return
    lock = threading.Lock()  # gevent's, once patched: waiting on it lets other greenlets run

    @event.listens_for(engine, "begin")  # registered before make_engine's BEGIN IMMEDIATE
    def _take(connection: Connection) -> None:
        if write_intent.get():
            wait = lock_wait.get()
            if not lock.acquire(timeout=busy_timeout if wait is None else wait):
                # As SQLite itself says it past its busy timeout, wrapped as SQLAlchemy would (answered 503).
                raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
            connection.info[_HELD] = True

    def _release(connection: Connection) -> None:
        # Called just before SQLite's COMMIT or ROLLBACK, which then run without yielding: no other writer
        # of this process can start between the release and the end of the transaction.
        if connection.info.pop(_HELD, False):
            lock.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def give_way() -> None:
    """Right after a commit, under gevent: let what it woke go before the rest of the request.

    The commit wakes the push thread, which wakes each follower's socket writer. Greenlets run in the order
    they were woken, and the request that committed would otherwise finish its answer first: yielding once
    lets the push thread send, and once more lets the writers put the push on the wire, so followers read
    a comment before its author reads the answer. Without gevent, nothing happens.
    """
    if not gevent_patched():
        return
    import gevent

    gevent.sleep(0)
    gevent.sleep(0)
