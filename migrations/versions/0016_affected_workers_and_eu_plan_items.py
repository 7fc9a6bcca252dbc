"""affected workers informed one by one, and the plan's EU-law items

AI Act Art. 26(7) and Platform Work Directive Art. 9 inform each affected worker, not only their
representatives: `affected_workers` lists them (name, e-mail where they have one) and how each was informed.
The plan gains the AI Act deployer's checklist (Arts. 26, 27; GDPR Art. 35), the emotion-recognition answer
(Art. 5(1)(f)) and the Platform Work Directive's items (Arts. 8, 9, 13(2)); every new column is nullable, so
existing plans keep their meaning.

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-06 20:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0016'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN_COLUMNS = (
    ("emotion_recognition", sa.String(length=20)),
    ("deployer_checklist", sa.JSON()),
    ("monitored_data", sa.Text()),
    ("account_decisions", sa.Text()),
    ("platform_workers_in_member_state", sa.Integer()),
    ("impact_assessment", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "affected_workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=True),
        sa.Column("informed_at", consult.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_affected_workers_round_id_rounds")),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"], name=op.f("fk_affected_workers_added_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affected_workers")),
    )
    op.create_index(op.f("ix_affected_workers_round_id"), "affected_workers", ["round_id"])
    with op.batch_alter_table("plans") as batch:
        for name, type_ in PLAN_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        for name, _type in reversed(PLAN_COLUMNS):
            batch.drop_column(name)
    op.drop_index(op.f("ix_affected_workers_round_id"), table_name="affected_workers")
    op.drop_table("affected_workers")
