"""Rewind a test's database to a point it saved, on SQLite and on PostgreSQL alike.

A test that needs the same world many times over (a fresh round for each API route, so that one route's writes
decide nothing for the next) builds it once, saves a `Checkpoint`, and restores it before each use: every row of
every table is put back as it was, and the id counters (PostgreSQL's sequences) where they stood, so the ids the
test kept name the same rows again. Restoring takes a fraction of what building the world through the services
takes. The application and its engine stay as they are: nothing is faked, only the rows are rewritten.
"""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from consult.db import Base
from consult.models import import_all_models


class Checkpoint:
    """Every row of the application's tables (and PostgreSQL's sequence values) at the moment it was made."""

    def __init__(self, db) -> None:
        import_all_models()
        self.db = db
        self.tables = Base.metadata.sorted_tables  # parents before children
        with db.engine.connect() as connection:
            self.rows = {table.name: [dict(row._mapping) for row in connection.execute(
                table.select().order_by(*table.primary_key.columns))]
                         for table in self.tables}
            self.sequences = [] if db.is_sqlite else connection.execute(text(
                "SELECT sequencename, last_value, last_value IS NOT NULL FROM pg_sequences "
                "WHERE schemaname = current_schema()")).all()

    def restore(self) -> None:
        """Put every table back as it was saved: children emptied first, parents refilled first."""
        # A background thread of the last step (a push finishing) may still hold a lock: try again a moment later.
        for attempt in range(5):
            try:
                self._rewrite()
                return
            except OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.5)

    def _rewrite(self) -> None:
        with self.db.engine.begin() as connection:
            for table in reversed(self.tables):
                connection.execute(table.delete())
            for table in self.tables:
                if self.rows[table.name]:
                    connection.execute(table.insert(), self.rows[table.name])
            for name, value, called in self.sequences:
                connection.execute(text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                                   {"name": f'"{name}"', "value": value or 1, "called": called})
