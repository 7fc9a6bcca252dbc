"""outcomes: positions, stances, commitments, signatures, exports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:56:01.869072
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=False),
    sa.Column('kpi', sa.String(length=300), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_commitments_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_commitments_owner_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_commitments_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_round_id'), ['round_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('canonical', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('frozen', 'signed', 'void', name='outcome_status', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('frozen_by_id', sa.Integer(), nullable=False),
    sa.Column('frozen_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('voided_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['users.id'], name=op.f('fk_outcomes_frozen_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_outcomes_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('round_id', 'version', name=op.f('uq_outcomes_round_id_version'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_digest'), ['digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_round_id'), ['round_id'], unique=False)

    op.create_table('export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_export_jobs_outcome_id_outcomes')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_export_jobs_requested_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_export_jobs_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs')),
    sa.UniqueConstraint('digest', 'kind', name=op.f('uq_export_jobs_digest_kind'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_round_id'), ['round_id'], unique=False)

    op.create_table('position_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_html', sa.Text(), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=False),
    sa.Column('drafted_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['users.id'], name=op.f('fk_position_versions_drafted_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_position_versions_round_id_rounds')),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_position_versions_section_id_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_versions')),
    sa.UniqueConstraint('section_id', 'version', name=op.f('uq_position_versions_section_id_version'))
    )
    with op.batch_alter_table('position_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_position_versions_round_id'), ['round_id'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('constituency', sa.Enum('workers', 'employers', 'government', 'secretariat', 'observers', name='constituency', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('reservation', sa.Text(), nullable=True),
    sa.Column('signed_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_signatures_outcome_id_outcomes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signatures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    sa.UniqueConstraint('outcome_id', 'constituency', name=op.f('uq_signatures_outcome_id_constituency'))
    )
    op.create_table('stances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('constituency', sa.Enum('workers', 'employers', 'government', 'secretariat', 'observers', name='constituency', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('stance', sa.Enum('agree', 'agree_with_reservation', 'disagree', name='stance_kind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('position_version', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_stances_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_stances_round_id_rounds')),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_stances_section_id_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stances')),
    sa.UniqueConstraint('section_id', 'constituency', name=op.f('uq_stances_section_id_constituency'))
    )
    with op.batch_alter_table('stances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stances_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stances_round_id'))

    op.drop_table('stances')
    op.drop_table('signatures')
    with op.batch_alter_table('position_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_versions_round_id'))

    op.drop_table('position_versions')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_jobs_round_id'))

    op.drop_table('export_jobs')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_round_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_digest'))

    op.drop_table('outcomes')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_round_id'))

    op.drop_table('commitments')
