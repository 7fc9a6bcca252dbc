"""The `consult` command: serve, database, demo data, people and tokens."""

from __future__ import annotations

import os
import sys

import click

from consult.accounts.models import Constituency
from consult.serving import exec_gunicorn


def _app(**overrides):
    from consult import create_app

    return create_app(overrides or None)


@click.group()
def main() -> None:
    """consult: tripartite consultations on AI systems used at work."""


def _follow_served_address(host: str, port: int) -> None:
    """Without CONSULT_BASE_URL, links (mail, signed PDFs) and the allowed Socket.IO origin name this server."""
    from consult.config import served_base_url

    if not os.environ.get("CONSULT_BASE_URL"):
        # The environment, so the gunicorn process this one becomes (and its render children) read it too.
        os.environ["CONSULT_BASE_URL"] = served_base_url(host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load the demo round (once) and print its log-ins.")
def serve(host: str, port: int, demo: bool) -> None:
    """Run everything in one server: web pages, API, live updates and the scheduler (gunicorn, one worker)."""
    from consult.migrate import upgrade

    _follow_served_address(host, port)
    app = _app()
    db = app.extensions["consult.db"]
    if db.is_sqlite:
        upgrade(db.url)
    if demo:
        from consult.demo import load_demo

        click.echo(load_demo(app))
    db.dispose()
    click.echo(f"consult is serving at http://{host}:{port}/  (Ctrl+C stops it)")
    exec_gunicorn("consult.serving:serve_app()", host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def web(host: str, port: int) -> None:
    """Run one web process (gunicorn, one worker) for a deployment with several; needs CONSULT_REDIS_URL."""
    from consult.config import load_config

    _follow_served_address(host, port)
    if not load_config()["REDIS_URL"]:
        click.echo("warning: without CONSULT_REDIS_URL, pushes do not reach clients of other processes", err=True)
    click.echo(f"consult web process {os.getpid()} at http://{host}:{port}/")
    exec_gunicorn("consult.serving:web_app()", host, port)


@main.command()
def scheduler() -> None:
    """Run the scheduler as its own process (for deployments with several web processes; several may run)."""
    import logging
    import signal
    import threading

    from consult.scheduler.runner import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = _app()
    if not app.config["REDIS_URL"]:
        click.echo("warning: without CONSULT_REDIS_URL, a deadline changed elsewhere is seen within 30 s and "
                   "pushes from this process do not reach browsers", err=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runner = Scheduler(app)
    runner.start()
    click.echo(f"consult scheduler {os.getpid()} running", err=True)
    stop.wait()
    runner.shutdown()


@main.command()
@click.option("--once", is_flag=True, help="Send what is due now, print what happened, and exit.")
def mailer(once: bool) -> None:
    """Run a mail sender as its own process (several may run: leases keep them from sending a row twice)."""
    import logging
    import signal
    import threading

    from consult.notifications.mailer import Mailer, send_now

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = _app()
    if not app.config["SMTP_URL"]:
        click.echo("error: set CONSULT_SMTP_URL (smtp://host:port or smtps://user:password@host)", err=True)
        sys.exit(1)
    if once:
        report = send_now(app)
        click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sender = Mailer(app).start()
    click.echo(f"consult mailer {os.getpid()} running", err=True)
    stop.wait()
    sender.stop()


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the migrations up to a revision."""
    from consult.migrate import upgrade

    url = _app().config["DATABASE_URL"]
    upgrade(url, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert the migrations down to a revision ('base' empties the database)."""
    from consult.migrate import downgrade

    downgrade(_app().config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@main.command()
def demo() -> None:
    """Load the demo round (once) and print its log-ins."""
    from consult.demo import load_demo

    click.echo(load_demo(_app()))


@main.group()
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

    db = _app().extensions["consult.db"]
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

    db = _app().extensions["consult.db"]
    with db.transaction() as session:
        person = session.scalar(select(User).where(User.email == email.lower()))
        if person is None:
            click.echo(f"error: no user {email}", err=True)
            sys.exit(1)
        _, plain = issue_api_token(session, person, name)
    click.echo(plain)


VERDICT_LINES = {
    "authentic": "an authentic, unaltered copy of a signed outcome on record",
    "authentic_without_data": "an authentic, unaltered copy of a signed outcome on record (exported before documents "
                              "carried their data: signature and digest checked)",
    "unsigned": "FAILS: it carries no signature that can be validated",
    "altered": "FAILS: it was changed after it was signed",
    "foreign": "FAILS: it was not signed with this platform's key",
    "data_differs": "FAILS: the outcome data inside it does not match the digest it was signed with",
    "no_digest": "FAILS: its signature names no outcome digest",
    "not_on_record": "FAILS: no outcome with the digest it names is on record",
    "void": "unaltered, but the outcome version it holds was superseded: its signatures no longer count",
    "frozen": "unaltered, but the outcome it holds is not signed by every party on record",
}
DATA_LINES = {"matches": "outcome.json inside hashes to the signed digest",
              "differs": "outcome.json inside hashes to ANOTHER digest than the signed one",
              "missing": "none inside the file"}


@main.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=str))
def verify(pdf: str) -> None:
    """Check a PDF: its signature, the outcome data inside it, and its digest against the record (exit 0: authentic)."""
    from pathlib import Path

    from consult.outcomes.verify import examine

    app = _app()
    with app.app_context(), app.extensions["consult.db"].transaction(write=False) as session:
        found = examine(session, Path(pdf).read_bytes())
        result, record = found.check, found.record
        click.echo(f"verdict: {VERDICT_LINES[found.verdict]}")
        click.echo(f"signature: {'intact' if result.intact else 'NOT INTACT'}"
                   f"{', made with this platform' + chr(39) + 's key' if result.trusted else ''}")
        if result.signer:
            click.echo(f"  signer: {result.signer} (certificate SHA-256 {result.fingerprint})")
        if result.timestamp_at:
            click.echo(f"time: time-stamped {result.timestamp_at.isoformat()} by {result.timestamp_authority} "
                       f"({'trusted' if result.timestamp_trusted else 'NOT TRUSTED'})")
        elif result.signed_at:
            click.echo(f"time: signed {result.signed_at.isoformat()} by the platform's own clock "
                       "(no trusted timestamp)")
        for problem in result.problems:
            click.echo(f"  {problem}")
        click.echo(f"data: {DATA_LINES[result.data]}"
                   f"{' (' + result.embedded_digest + ')' if result.data == 'differs' else ''}")
        click.echo(f"digest: {result.digest or 'none found in the signature'}")
        if record is not None and not record["on_record"]:
            click.echo("record: no outcome with this digest is on record")
        elif record is not None:
            click.echo(f"record: {record['round_title']}, version {record['version']}, {record['status']}"
                       f"{', signed ' + record['signed_at'].isoformat() if record['signed_at'] else ''}")
            for signature in record["signatures"]:
                reservation = f" (reservation: {signature['reservation']})" if signature["reservation"] else ""
                click.echo(f"  {signature['constituency']}: {signature['name']}, {signature['organisation']}, "
                           f"{signature['signed_at']}{reservation}")
    sys.exit(0 if found.authentic else 1)


@main.group()
def audit() -> None:
    """Tamper evidence."""


@audit.command("verify")
@click.option("--round", "round_id", type=int, default=None, help="Check one round only.")
def audit_verify(round_id: int | None) -> None:
    """Check every round's hash chain; name the first bad event of each broken one (exit 1)."""
    from consult.events.audit import verify_all

    app = _app()
    with app.extensions["consult.db"].transaction(write=False) as session:
        checked, breaks = verify_all(session, round_id)
    for found in breaks:
        click.echo(f"round {found.round_id}: event {found.seq}: {found.problem}")
    click.echo(f"{checked} rounds checked, {len(breaks)} broken")
    sys.exit(1 if breaks else 0)


def _attach_optional_groups() -> None:
    """Command groups that live in their features' folders."""
    from consult.documents.cli import keys
    from consult.workflow.cli import workflows

    main.add_command(workflows)
    main.add_command(keys)


_attach_optional_groups()


if __name__ == "__main__":
    main()
