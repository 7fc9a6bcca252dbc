"""`consult keys init`: the platform's PDF signing key; `verify_file`: check a signed PDF on disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from consult.documents.verification import Verification


@click.group()
def keys() -> None:
    """The key that signs exported PDFs."""


@keys.command()
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Instance folder (default: CONSULT_INSTANCE_PATH or ./instance).")
def init(instance: Path | None) -> None:
    """Make a self-signed signing certificate in the instance folder, unless one exists or one is configured."""
    # Late, here and in verify_file: the `consult` command starts without loading the signature libraries.
    from consult.config import load_config
    from consult.documents.keys import ensure_platform_key

    settings = load_config({"INSTANCE_PATH": str(instance)} if instance else None)
    if settings["SIGNING_KEY"] and settings["SIGNING_CERT"]:
        click.echo(f"A signing certificate is configured: {settings['SIGNING_CERT']}; nothing to do.")
        return
    folder = Path(settings["INSTANCE_PATH"]) / "keys"
    existed = (folder / "platform-key.pem").exists()
    key = ensure_platform_key(Path(settings["INSTANCE_PATH"]))
    click.echo(f"{'The signing key exists already' if existed else 'Made a self-signed signing key'}: {key.key_path}")
    click.echo(f"certificate: {key.cert_path}")
    click.echo(f"SHA-256 fingerprint: {key.fingerprint}")


def verify_file(path: Path | str, trust: list | None = None) -> Verification:
    """Check the signature of the PDF at `path` (an unreadable file is reported, not raised)."""
    from consult.documents.verification import Verification, verify_pdf

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return Verification(problems=[f"The file cannot be read: {error.strerror or error}."])
    return verify_pdf(data, trust=trust)
