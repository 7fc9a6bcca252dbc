"""Emptying a PostgreSQL test database between tests, quickly (conftest.py's `database_url`)."""

from __future__ import annotations

import time

import psycopg

from consult.db import Base
from consult.models import import_all_models

#: Per test process: one open connection to each test database, and the script that empties it.
_EMPTYING: dict[str, tuple[psycopg.Connection, str]] = {}


def _emptying(url: str) -> tuple[psycopg.Connection, str]:
    if url not in _EMPTYING:
        import_all_models()
        connection = psycopg.connect(url, autocommit=True)
        sequences = [row[0] for row in connection.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")]
        script = "BEGIN;" + "".join(f'DELETE FROM "{table.name}";' for table in reversed(Base.metadata.sorted_tables))
        script += "".join(f'ALTER SEQUENCE "{sequence}" RESTART;' for sequence in sequences) + "COMMIT;"
        _EMPTYING[url] = (connection, script)
    return _EMPTYING[url]


def empty_postgres(url: str) -> None:
    """Delete every row, child tables first, and restart the id sequences: one script, one round trip.

    DELETE and ALTER SEQUENCE take a sixth of the time TRUNCATE ... RESTART IDENTITY takes on these small tables
    (TRUNCATE rewrites every table's files: 1.4 s against 0.22 s for 38 tables on a loaded machine), and sent as
    one script on a connection kept open they take 25-50 ms where a new engine and a statement each took 300.
    """
    # A background thread of the previous test (a push, an export or a notification finishing) may still hold a
    # lock, or commit a row between two of these DELETEs (a notification of an event, after the notifications
    # were deleted: the events' DELETE then violates its foreign key). PostgreSQL may pick this transaction as a
    # deadlock victim, or refuse it; either way it is rolled back whole, and trying again a moment later succeeds.
    # A connection lost meanwhile (a fault scenario restarted the server) is opened again.
    for attempt in range(5):
        connection, script = _emptying(url)
        try:
            connection.execute(script)
            return
        except psycopg.Error:
            if attempt == 4:
                raise
            _EMPTYING.pop(url, None)
            connection.close()
            time.sleep(0.5)
