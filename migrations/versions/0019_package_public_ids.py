"""package public ids: documents and releases are named by an opaque id, not by a counter

Row ids of package documents and releases count across audiences (every party, each caucus), so a worker who
saw releases 1 and 4 learned that two went to caucuses they do not read. Each row gets a random `public_id`
(a letter, then 80 random bits in base32) that URLs, API bodies and new events carry instead. Existing rows
are given one here; the unique constraint is added once every row has its own.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 20:30:00
"""
import base64
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"package_documents": "d", "package_releases": "r"}


def _public_id(kind: str) -> str:
    # The same form as consult.package.models.new_public_id, written out: a migration must not change with the code.
    return kind + base64.b32encode(secrets.token_bytes(10)).decode().lower()


def upgrade() -> None:
    bind = op.get_bind()
    for table, kind in TABLES.items():
        op.add_column(table, sa.Column("public_id", sa.String(length=20), nullable=True))
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("public_id", sa.String))
        for (row_id,) in bind.execute(sa.select(rows.c.id)).all():
            bind.execute(rows.update().where(rows.c.id == row_id).values(public_id=_public_id(kind)))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("public_id", existing_type=sa.String(length=20), nullable=False)
            batch.create_unique_constraint(op.f(f"uq_{table}_public_id"), ["public_id"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"uq_{table}_public_id"), type_="unique")
            batch.drop_column("public_id")
