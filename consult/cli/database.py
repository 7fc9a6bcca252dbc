"""`consult db upgrade`, `db downgrade` and `demo`: the database's schema, and the demo round in it."""

from __future__ import annotations

import click

from consult import create_app


@click.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the migrations up to a revision."""
    from consult.migrate import upgrade

    url = create_app().config["DATABASE_URL"]
    upgrade(url, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert the migrations down to a revision ('base' empties the database)."""
    from consult.migrate import downgrade

    downgrade(create_app().config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@click.command()
def demo() -> None:
    """Load the demo round (once) and print its log-ins."""
    from consult.demo import load_demo

    click.echo(load_demo(create_app()))

