"""account language may be "not chosen"

Every account stored `en`, so the language chosen on the log-in page (the switcher's cookie) or the
browser's was overridden at log-in. The column becomes nullable: NULL means "not chosen", and the pages then
follow the cookie, else the browser's Accept-Language. Until now no account could say whether its `en` was
chosen, so every `en` becomes NULL (a person who wants English whatever the browser says picks it again);
`fr` and `es` were chosen and stay. Downgrade writes `en` back where nothing was chosen.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("language", sa.String))


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=5), nullable=True)
    op.execute(users.update().where(users.c.language == "en").values(language=None))


def downgrade() -> None:
    op.execute(users.update().where(users.c.language.is_(None)).values(language="en"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=5), nullable=False)
