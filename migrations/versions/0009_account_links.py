"""accounts: set-your-password links (invitations and resets), single use and expiring

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

when = consult.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'account_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', when, nullable=False),
        sa.Column('expires_at', when, nullable=False),
        sa.Column('used_at', when, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_links_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_links_token_hash')),
    )
    op.create_index(op.f('ix_account_links_user_id'), 'account_links', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_account_links_user_id'), table_name='account_links')
    op.drop_table('account_links')
