"""rounds state their establishment: its country (ISO 3166-1 alpha-2), its region, the establishment CSEs

An EU profile's legal clock counts in the establishment country's legal time with its public holidays (a
German Land's where they are regional); fr-cse's two-level consultation (R2312-6) names its establishment
CSEs. Existing rounds state none: their profiles fix their own jurisdiction (fr-cse: France), and an EU-profile
round that states no country shows its clock as not placed until the secretariat opens a new one.

Revision ID: 0014
Revises: 0019
Create Date: 2026-12-06 20:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('establishment_country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('establishment_region', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('establishments', sa.JSON(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35 and later): a batch operation would copy and
    # drop `rounds`, which SQLite refuses while other tables reference it with foreign keys enforced.
    for column in ('establishments', 'establishment_region', 'establishment_country'):
        op.drop_column('rounds', column)
