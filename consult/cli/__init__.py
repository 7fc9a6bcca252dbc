"""The `consult` command (setup.cfg: `consult = consult.cli:main`), one module per command group.

- processes.py: `serve`, `web`, `scheduler`, `mailer`, the processes a deployment runs;
- database.py: `db upgrade`, `db downgrade` and `demo`;
- people.py: `user create` and `user token`;
- evidence.py: `verify` (a signed PDF) and `audit verify` (the rounds' hash chains);
- in their features' folders: `keys init` (consult/documents/cli.py), `workflows check` (consult/workflow/cli.py).

Commands import the features they run inside their bodies, as they always did, so that `consult --help` and
each command load only what they use.
"""

from __future__ import annotations

import click

from consult.cli.database import db, demo
from consult.cli.evidence import audit, verify
from consult.cli.people import user
from consult.cli.processes import mailer, scheduler, serve, web
from consult.documents.cli import keys
from consult.workflow.cli import workflows


@click.group()
def main() -> None:
    """consult: tripartite consultations on AI systems used at work."""


for command in (serve, web, scheduler, mailer, db, demo, user, verify, audit, workflows, keys):
    main.add_command(command)
