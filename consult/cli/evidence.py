"""`consult verify` and `consult audit verify`: tamper evidence, of a signed PDF and of the rounds' logs."""

from __future__ import annotations

import sys

import click

from consult import create_app

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


@click.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=str))
def verify(pdf: str) -> None:
    """Check a PDF: its signature, the outcome data inside it, and its digest against the record (exit 0: authentic)."""
    from pathlib import Path

    from consult.outcomes.verify import examine

    app = create_app()
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


@click.group()
def audit() -> None:
    """Tamper evidence."""


@audit.command("verify")
@click.option("--round", "round_id", type=int, default=None, help="Check one round only.")
def audit_verify(round_id: int | None) -> None:
    """Check every round's hash chain; name the first bad event of each broken one (exit 1)."""
    from consult.events.audit import verify_all

    app = create_app()
    with app.extensions["consult.db"].transaction(write=False) as session:
        checked, breaks = verify_all(session, round_id)
    for found in breaks:
        click.echo(f"round {found.round_id}: event {found.seq}: {found.problem}")
    click.echo(f"{checked} rounds checked, {len(breaks)} broken")
    sys.exit(1 if breaks else 0)
