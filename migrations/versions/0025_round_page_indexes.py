"""indexes for the round page's counts: comments by what they are counted by, events by round and type

The round page counts a round's comments three ways (participation per stage and constituency, each section's
comments and those new since a visit, each thread's top-level comments): with only (round_id, section_id, id)
indexed, each count read every comment's row, text and HTML included. `ix_comments_round_tally` holds the
columns these counts read, so the database answers them from the index alone. The page's stances were found by
reading every event of the round the viewer may see; `ix_events_round_type` finds one type's events directly.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 03:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ['round_id', 'section_id', 'channel', 'caucus', 'parent_id', 'author_constituency', 'author_id',
           'created_at']


def upgrade() -> None:
    op.create_index('ix_comments_round_tally', 'comments', COLUMNS, unique=False)
    op.create_index('ix_events_round_type', 'events', ['round_id', 'type'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_events_round_type', table_name='events')
    op.drop_index('ix_comments_round_tally', table_name='comments')
