"""Running the schema migrations in migrations/ (Alembic) against a database URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from consult.db import normalise_url
from consult.paths import ROOT


def alembic_config(url: str, migrations: str | Path | None = None) -> Config:
    """An Alembic configuration for this URL, without an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(migrations or ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database up to a revision (default: every head, so parallel branches all apply)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Take the database down to a revision (default: empty)."""
    command.downgrade(alembic_config(url), revision)
