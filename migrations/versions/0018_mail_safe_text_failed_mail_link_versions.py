"""text that reaches mail is one line; failed mail can be retried; unsubscribe links name a version

1. Every stored name and title that reaches a mail header or names someone is repaired to what the input
   schemas now accept (`consult.api.fields.one_line`): each control character (Unicode Cc: CR, LF, NUL,
   TAB, VT, FF, NEL, FS...) and each line or paragraph separator (U+2028, U+2029) becomes a space, runs of
   spaces left by them become one; bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and
   lone surrogates are dropped; the result is trimmed, and a value left empty becomes "-". Columns: round
   titles, organisation names, people's names and role titles, API token names, the plan's system name,
   provider and sector, document titles, experts' firms, and the recipient's name and the subject of mail
   not sent yet. What was changed is logged (table, column, row id), never the text itself.
   Stored file names are left as they are: they are part of signed records; downloads now serve them with
   a safe ASCII fallback (consult/package/download.py).
2. `outbox.retried_at` and `outbox.retried_by_id`: when and by whom the secretariat queued a failed message
   again.
3. `notification_preferences.version`: 1 for every existing row (each was a change), raised at each change;
   unsubscribe links made before name no version and count as version 1 of a kind never changed.

Downgrade drops the columns; the repaired text stays repaired (the characters removed cannot come back).

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-06 20:10:00
"""
import logging
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0018'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

#: (table, column, only these rows) repaired; the outbox only for mail still to send.
REPAIRED = [("rounds", "title", None), ("organisations", "name", None), ("users", "display_name", None),
            ("users", "role_title", None), ("api_tokens", "name", None), ("plans", "system_name", None),
            ("plans", "provider", None), ("plans", "sector", None), ("package_documents", "title", None),
            ("experts", "firm", None), ("outbox", "to_name", "pending"), ("outbox", "subject", "pending")]
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(value: str) -> str:
    """The text with breaking characters made spaces and bidi controls dropped (kept here, frozen)."""
    out = []
    for char in value:
        category = unicodedata.category(char)
        if char in _BIDI or category == "Cs":
            continue
        out.append(" " if category in ("Cc", "Zl", "Zp") else char)
    text = re.sub(r" {2,}", " ", "".join(out)).strip()
    return text or "-"


def _repair(connection, table: str, column: str, status: str | None) -> None:
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.Text), sa.column("status", sa.String))
    query = sa.select(rows.c.id, rows.c[column]).where(rows.c[column].is_not(None))
    if status is not None:
        query = query.where(rows.c.status == status)
    for row_id, value in connection.execute(query).all():
        fixed = one_line(value)
        if fixed != value:
            connection.execute(rows.update().where(rows.c.id == row_id).values({column: fixed}))
            log.warning("0018: repaired %s.%s of row %s (control, separator or bidi characters)", table, column,
                        row_id)


def upgrade() -> None:
    connection = op.get_bind()
    for table, column, status in REPAIRED:
        _repair(connection, table, column, status)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retried_at', consult.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retried_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_retried_by_id_users'), 'users', ['retried_by_id'], ['id'])
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_retried_by_id_users'), type_='foreignkey')
        batch_op.drop_column('retried_by_id')
        batch_op.drop_column('retried_at')
