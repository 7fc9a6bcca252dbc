"""account language may be "not chosen"

Every account stored `en`, so the language chosen on the log-in page (the switcher's cookie) or the
browser's was overridden at log-in. An empty language now means "not chosen": the pages then follow the
cookie, else the browser's Accept-Language. Until now no account could say whether its `en` was chosen, so
every `en` becomes "" (a person who wants English whatever the browser says picks it again); `fr` and `es`
were chosen and stay. The column stays NOT NULL: on SQLite making it nullable means rebuilding `users`, which
every other table references, and SQLite cannot drop a referenced table while foreign keys are enforced.
Downgrade writes `en` back where nothing was chosen.

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
    op.execute(users.update().where(users.c.language == "en").values(language=""))


def downgrade() -> None:
    op.execute(users.update().where(users.c.language == "").values(language="en"))
