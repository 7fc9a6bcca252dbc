"""formal opinions, reasoned responses, consent per function, experts and their costs; plan items

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTITUENCIES = ('workers', 'employers', 'government', 'secretariat', 'observers')


def _constituency() -> sa.Enum:
    return sa.Enum(*CONSTITUENCIES, name='constituency', native_enum=False, length=20, create_constraint=True)


def upgrade() -> None:
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_categories', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('data_recipients', sa.Text(), nullable=True))
    op.create_table(
        'opinions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('constituency', _constituency(), nullable=False),
        sa.Column('section_key', sa.String(length=40), nullable=False),
        sa.Column('verdict', sa.Enum('agree', 'agree_with_reservations', 'disagree', 'deemed_negative',
                                     name='verdict', native_enum=False, length=30, create_constraint=True),
                  nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('is_deemed', sa.Boolean(), nullable=False),
        sa.Column('basis', sa.Text(), nullable=True),
        sa.Column('signed_by_id', sa.Integer(), nullable=True),
        sa.Column('given_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_opinions_round_id_rounds')),
        sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_opinions_signed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opinions')),
        sa.UniqueConstraint('round_id', 'constituency', 'section_key',
                            name=op.f('uq_opinions_round_id_constituency_section_key')),
    )
    op.create_index(op.f('ix_opinions_round_id'), 'opinions', ['round_id'], unique=False)
    op.create_table(
        'opinion_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('opinion_id', sa.Integer(), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('responded_by_id', sa.Integer(), nullable=False),
        sa.Column('responded_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'],
                                name=op.f('fk_opinion_responses_opinion_id_opinions')),
        sa.ForeignKeyConstraint(['responded_by_id'], ['users.id'],
                                name=op.f('fk_opinion_responses_responded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_responses')),
        sa.UniqueConstraint('opinion_id', name=op.f('uq_opinion_responses_opinion_id')),
    )
    op.create_table(
        'function_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('function', sa.String(length=40), nullable=False),
        sa.Column('decision', sa.Enum('given', 'refused', name='consent_decision', native_enum=False, length=30,
                                      create_constraint=True), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=False),
        sa.Column('decided_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_function_consents_round_id_rounds')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_function_consents_decided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_function_consents')),
        sa.UniqueConstraint('round_id', 'function', name=op.f('uq_function_consents_round_id_function')),
    )
    op.create_index(op.f('ix_function_consents_round_id'), 'function_consents', ['round_id'], unique=False)
    op.create_table(
        'experts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('constituency', _constituency(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('firm', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('brief', sa.Text(), nullable=False),
        sa.Column('member_in_charge_id', sa.Integer(), nullable=False),
        sa.Column('appointed_by_id', sa.Integer(), nullable=False),
        sa.Column('appointed_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_experts_round_id_rounds')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_experts_user_id_users')),
        sa.ForeignKeyConstraint(['member_in_charge_id'], ['users.id'],
                                name=op.f('fk_experts_member_in_charge_id_users')),
        sa.ForeignKeyConstraint(['appointed_by_id'], ['users.id'], name=op.f('fk_experts_appointed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
        sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_experts_round_id_user_id')),
    )
    op.create_index(op.f('ix_experts_round_id'), 'experts', ['round_id'], unique=False)
    op.create_index(op.f('ix_experts_user_id'), 'experts', ['user_id'], unique=False)
    op.create_table(
        'expert_costs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('expert_id', sa.Integer(), nullable=False),
        sa.Column('amount_minor', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_costs_expert_id_experts')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_expert_costs_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_costs')),
    )
    op.create_index(op.f('ix_expert_costs_expert_id'), 'expert_costs', ['expert_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_expert_costs_expert_id'), table_name='expert_costs')
    op.drop_table('expert_costs')
    op.drop_index(op.f('ix_experts_user_id'), table_name='experts')
    op.drop_index(op.f('ix_experts_round_id'), table_name='experts')
    op.drop_table('experts')
    op.drop_index(op.f('ix_function_consents_round_id'), table_name='function_consents')
    op.drop_table('function_consents')
    op.drop_table('opinion_responses')
    op.drop_index(op.f('ix_opinions_round_id'), table_name='opinions')
    op.drop_table('opinions')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('data_recipients')
        batch_op.drop_column('decision_categories')
