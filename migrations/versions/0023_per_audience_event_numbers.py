"""number each round's events per audience, so that no viewer can count what went to an audience they do not see

The event log's sequence number (`events.seq`) counts every event of a round, caucus events included, and the
live feed, the replay and the round's page handed it to every participant: a worker who saw events 4 and 7 knew
that two events went where they may not look. Each event now also has its number among its audience's events of
the round (`events.audience_seq`), and each round keeps its audiences' counts (`rounds.audience_heads`); viewers
are shown only these. The chain and its hashes are unchanged: the numbers are given in the log's own order.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 03:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Numbers are written this many rows to a statement.
BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('audience_seq', sa.Integer(), nullable=True))
    with op.batch_alter_table('rounds') as batch:
        batch.add_column(sa.Column('audience_heads', sa.JSON(), nullable=True))
    bind = op.get_bind()
    events, rounds = sa.table('events', sa.column('id'), sa.column('audience_seq')), \
        sa.table('rounds', sa.column('id'), sa.column('audience_heads', sa.JSON()))
    heads: dict[int, dict[str, int]] = {}
    numbered = []
    for event_id, round_id, audience in bind.execute(sa.text(
            'SELECT id, round_id, audience FROM events ORDER BY round_id, seq')):
        counts = heads.setdefault(round_id, {})
        counts[audience] = counts.get(audience, 0) + 1
        numbered.append({'e_id': event_id, 'e_n': counts[audience]})
        if len(numbered) >= BATCH:
            _number(bind, events, numbered)
    _number(bind, events, numbered)
    for round_id, in bind.execute(sa.text('SELECT id FROM rounds')):
        bind.execute(rounds.update().where(rounds.c.id == round_id).values(audience_heads=heads.get(round_id, {})))
    with op.batch_alter_table('events') as batch:
        batch.alter_column('audience_seq', existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f('uq_events_round_id_audience_audience_seq'),
                                       ['round_id', 'audience', 'audience_seq'])
    with op.batch_alter_table('rounds') as batch:
        batch.alter_column('audience_heads', existing_type=sa.JSON(), nullable=False)


def _number(bind, events, numbered: list[dict]) -> None:
    if numbered:
        bind.execute(events.update().where(events.c.id == sa.bindparam('e_id'))
                     .values(audience_seq=sa.bindparam('e_n')), numbered)
        numbered.clear()


def downgrade() -> None:
    with op.batch_alter_table('rounds') as batch:
        batch.drop_column('audience_heads')
    with op.batch_alter_table('events') as batch:
        batch.drop_constraint(op.f('uq_events_round_id_audience_audience_seq'), type_='unique')
        batch.drop_column('audience_seq')
