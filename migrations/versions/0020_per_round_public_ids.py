"""per-round public ids: comments, questions, opinions and expert appointments are named by an opaque id

Row ids of comments count plenary and every caucus together, so a worker who saw plenary comments 10 and 13
learned that two comments went to a caucus it does not read; questions, opinions and expert appointments
count every round's together. Each row gets a random `public_id` (a letter, then 80 random bits in base32)
that URLs, API bodies, pages, socket pushes, exports and new events carry instead. Existing rows are given one
here; the unique constraint is added once every row has its own.

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-06 23:30:00
"""
import base64
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"comments": "c", "questions": "q", "opinions": "o", "experts": "e"}


def _public_id(kind: str) -> str:
    # The same form as consult.public_ids.new_public_id, written out: a migration must not change with the code.
    return kind + base64.b32encode(secrets.token_bytes(10)).decode().lower()


def upgrade() -> None:
    bind = op.get_bind()
    for table, kind in TABLES.items():
        op.add_column(table, sa.Column("public_id", sa.String(length=20), nullable=True))
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("public_id", sa.String))
        ids = [row_id for (row_id,) in bind.execute(sa.select(rows.c.id)).all()]
        if ids:
            bind.execute(rows.update().where(rows.c.id == sa.bindparam("row_id")).values(
                public_id=sa.bindparam("new_id")), [{"row_id": i, "new_id": _public_id(kind)} for i in ids])
        with op.batch_alter_table(table) as batch:
            batch.alter_column("public_id", existing_type=sa.String(length=20), nullable=False)
            batch.create_unique_constraint(op.f(f"uq_{table}_public_id"), ["public_id"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"uq_{table}_public_id"), type_="unique")
            batch.drop_column("public_id")
