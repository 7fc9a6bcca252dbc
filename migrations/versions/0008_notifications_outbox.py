"""notifications: the outbox of mail, the in-app notifications, delivery preferences

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

when = consult.db.UTCDateTime(timezone=True)
big = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', big, nullable=False),
        sa.Column('to_user_id', sa.Integer(), nullable=True),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('to_name', sa.String(length=120), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=True),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', when, nullable=False),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('lease_until', when, nullable=True),
        sa.Column('sent_at', when, nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', when, nullable=False),
        sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_outbox_to_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_id')),
    )
    op.create_index('ix_outbox_due', 'outbox', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_to_user_id'), 'outbox', ['to_user_id'], unique=False)
    op.create_table(
        'notifications',
        sa.Column('id', big, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('event_id', big, nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('section_key', sa.String(length=60), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('delivery', sa.String(length=10), nullable=False),
        sa.Column('digested_at', when, nullable=True),
        sa.Column('read_at', when, nullable=True),
        sa.Column('created_at', when, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_notifications_round_id_rounds')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_notifications_event_id_events')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_unread', 'notifications', ['user_id', 'read_at'], unique=False)
    op.create_index('ix_notifications_digest', 'notifications', ['delivery', 'digested_at'], unique=False)
    op.create_table(
        'notification_preferences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('delivery', sa.String(length=10), nullable=False),
        sa.Column('updated_at', when, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_notification_preferences_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
        sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preferences_user_id_kind')),
    )


def downgrade() -> None:
    op.drop_table('notification_preferences')
    op.drop_index('ix_notifications_digest', table_name='notifications')
    op.drop_index('ix_notifications_unread', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_outbox_to_user_id'), table_name='outbox')
    op.drop_index('ix_outbox_due', table_name='outbox')
    op.drop_table('outbox')
