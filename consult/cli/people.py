"""`consult user create` and `user token`: people, their organisations, and their personal API tokens."""

from __future__ import annotations

import sys

import click

from consult import create_app
from consult.accounts.models import Constituency


@click.group()
def user() -> None:
    """People and their API tokens."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--organisation", required=True, help="Name of the organisation (created if new).")
@click.option("--constituency", type=click.Choice([c.value for c in Constituency]),
              help="Needed when the organisation is new.")
@click.option("--role", "role_title", default=None)
@click.password_option()
def user_create(email: str, display_name: str, organisation: str, constituency: str | None,
                role_title: str | None, password: str) -> None:
    """Create a person (and their organisation, if new)."""
    from sqlalchemy import select

    from consult.accounts.models import Organisation
    from consult.accounts.services import create_organisation, create_user
    from consult.errors import ConsultError

    db = create_app().extensions["consult.db"]
    try:
        with db.transaction() as session:
            org = session.scalar(select(Organisation).where(Organisation.name == organisation))
            if org is None:
                if constituency is None:
                    raise click.UsageError("New organisation: give --constituency.")
                org = create_organisation(session, name=organisation, constituency=constituency)
            person = create_user(session, email=email, display_name=display_name, password=password,
                                 organisation_id=org.id, role_title=role_title)
            click.echo(f"created {person.email} ({org.name}, {org.constituency.value})")
    except ConsultError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(1)


@user.command("token")
@click.option("--email", required=True)
@click.option("--name", default="script", show_default=True)
def user_token(email: str, name: str) -> None:
    """Issue a personal API token and print it once."""
    from sqlalchemy import select

    from consult.accounts.models import User
    from consult.accounts.services import issue_api_token

    db = create_app().extensions["consult.db"]
    with db.transaction() as session:
        person = session.scalar(select(User).where(User.email == email.lower()))
        if person is None:
            click.echo(f"error: no user {email}", err=True)
            sys.exit(1)
        _, plain = issue_api_token(session, person, name)
    click.echo(plain)

