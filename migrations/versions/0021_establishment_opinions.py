"""establishment CSEs' opinions in a table of their own (fr-cse, two-level consultation)

Code du travail R2312-6 II: each establishment CSE's opinion is transmitted to the central CSE at the latest
7 days before the central CSE's deadline, else it is deemed negative. Until now these opinions lived only in
the round's event log (`establishment_opinion.transmitted`, `establishment_opinion.deemed`); they get a table,
one row per round and establishment, filled from those events. The events stay as they are (the log is
append-only); downgrading drops the table and loses nothing the log does not hold.

Revision ID: 0021
Revises: 0014
Create Date: 2026-12-06 23:40:00
"""
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSMITTED, DEEMED = 'establishment_opinion.transmitted', 'establishment_opinion.deemed'


def upgrade() -> None:
    table = op.create_table(
        'establishment_opinions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('establishment', sa.String(length=200), nullable=False),
        sa.Column('verdict', sa.Enum('agree', 'agree_with_reservations', 'disagree', 'deemed_negative',
                                     name='verdict', native_enum=False, length=30, create_constraint=True),
                  nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('is_deemed', sa.Boolean(), nullable=False),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('transmitted_by_id', sa.Integer(), nullable=True),
        sa.Column('given_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_establishment_opinions_round_id_rounds')),
        sa.ForeignKeyConstraint(['transmitted_by_id'], ['users.id'],
                                name=op.f('fk_establishment_opinions_transmitted_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_establishment_opinions')),
        sa.UniqueConstraint('round_id', 'establishment', name=op.f('uq_establishment_opinions_round_id_establishment')),
    )
    op.create_index(op.f('ix_establishment_opinions_round_id'), 'establishment_opinions', ['round_id'],
                    unique=False)
    events = sa.table('events', sa.column('round_id', sa.Integer()), sa.column('seq', sa.Integer()),
                      sa.column('type', sa.String()), sa.column('actor_id', sa.Integer()),
                      sa.column('payload', sa.JSON()), sa.column('created_at', consult.db.UTCDateTime()))
    rows, seen = [], set()
    for round_id, kind, actor_id, payload, created_at in op.get_bind().execute(
            sa.select(events.c.round_id, events.c.type, events.c.actor_id, events.c.payload, events.c.created_at)
            .where(events.c.type.in_([TRANSMITTED, DEEMED])).order_by(events.c.round_id, events.c.seq)):
        if (round_id, payload['establishment']) in seen:
            continue  # the first stands as given, as the service refused any second
        seen.add((round_id, payload['establishment']))
        deemed = kind == DEEMED
        given_at = datetime.fromisoformat(payload['deadline_at']) if deemed and payload.get('deadline_at') \
            else created_at
        rows.append({'round_id': round_id, 'establishment': payload['establishment'], 'verdict': payload['verdict'],
                     'reasons': payload.get('reasons') or '', 'is_deemed': deemed,
                     'basis': payload.get('basis') or 'Code du travail R2312-6 II',
                     'transmitted_by_id': None if deemed else actor_id, 'given_at': given_at})
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index(op.f('ix_establishment_opinions_round_id'), table_name='establishment_opinions')
    op.drop_table('establishment_opinions')
