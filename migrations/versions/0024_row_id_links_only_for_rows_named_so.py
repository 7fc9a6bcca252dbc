"""row ids open only the rows that were once named by them (links and events made before public ids)

Migration 0020 gave comments, questions, opinions, expert appointments, package documents and releases opaque
public ids, and kept resolving a row id for links and events made before. But any row id resolved, new rows'
too: a worker probing /comments/1, /comments/2... found their own plenary comments at 1 and 5 and counted the
three caucus comments in between. Only rows that were ever named by their row id need it: those an event
names by number (every row of these kinds was announced by an event, and events name rows by public id since
0020). Each table's largest such row id is kept here; a row id above it opens nothing.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 04:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The payload key that named each table's rows in events written before public ids.
NAMED_BY = {'comment_id': 'comments', 'parent_id': 'comments', 'question_id': 'questions',
            'opinion_id': 'opinions', 'expert_id': 'experts', 'document_id': 'package_documents',
            'release_id': 'package_releases'}


def upgrade() -> None:
    table = op.create_table(
        'legacy_row_ids',
        sa.Column('table_name', sa.String(length=40), nullable=False),
        sa.Column('last_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', name=op.f('pk_legacy_row_ids')),
    )
    last = dict.fromkeys(sorted(set(NAMED_BY.values())), 0)
    events = sa.table('events', sa.column('payload', sa.JSON()))
    for payload, in op.get_bind().execute(sa.select(events.c.payload)).yield_per(2000):
        for key, named in NAMED_BY.items():
            value = (payload or {}).get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                last[named] = max(last[named], value)
    op.bulk_insert(table, [{'table_name': name, 'last_id': number} for name, number in last.items()])


def downgrade() -> None:
    op.drop_table('legacy_row_ids')
