"""repair one-line fields added since 0018: affected workers, establishments, conciliation references

Migration 0018 repaired the names stored before the schemas refused control, separator and bidi characters.
The tables and columns added after it (affected workers, a two-level consultation's establishments, the
conciliation board's reference) took them until their schemas were given the same `Line` rule; a name there
reaches a mail header, a letter or the works agreement's PDF. They are repaired the same way (breaking
characters made spaces, bidi controls dropped), and an affected worker's non-ASCII address, which consult does
not send to (README), is cleared so that worker gets a printable letter instead; each repair is logged.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 01:00:00
"""
import logging
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

REPAIRED = [("affected_workers", "name"), ("conciliation_rulings", "reference"),
            ("establishment_opinions", "establishment")]
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(value: str) -> str:
    """The text with breaking characters made spaces and bidi controls dropped (0018's rule, kept here, frozen)."""
    out = []
    for char in value:
        category = unicodedata.category(char)
        if char in _BIDI or category == "Cs":
            continue
        out.append(" " if category in ("Cc", "Zl", "Zp") else char)
    text = re.sub(r" {2,}", " ", "".join(out)).strip()
    return text or "-"


def upgrade() -> None:
    connection = op.get_bind()
    for table, column in REPAIRED:
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.Text))
        for row_id, value in connection.execute(sa.select(rows.c.id, rows.c[column])).all():
            if value is not None and one_line(value) != value:
                connection.execute(rows.update().where(rows.c.id == row_id).values({column: one_line(value)}))
                log.warning("0022: repaired %s.%s of row %s", table, column, row_id)
    workers = sa.table("affected_workers", sa.column("id", sa.Integer), sa.column("email", sa.Text))
    for row_id, email in connection.execute(sa.select(workers.c.id, workers.c.email)).all():
        if email is not None and (not email.isascii() or one_line(email) != email):
            connection.execute(workers.update().where(workers.c.id == row_id).values(email=None))
            log.warning("0022: cleared the address of affected worker %s (not sendable: a letter instead)", row_id)
    rounds = sa.table("rounds", sa.column("id", sa.Integer), sa.column("establishments", sa.JSON))
    for row_id, names in connection.execute(sa.select(rounds.c.id, rounds.c.establishments)).all():
        if names and [one_line(n) for n in names] != names:
            connection.execute(rounds.update().where(rounds.c.id == row_id)
                               .values(establishments=[one_line(n) for n in names]))
            log.warning("0022: repaired the establishments of round %s", row_id)


def downgrade() -> None:
    """Nothing to undo: the repaired text is what the schemas accept."""
