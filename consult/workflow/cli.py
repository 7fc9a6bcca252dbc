"""`consult workflows check`: validate every workflow file and say what is wrong, where."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from consult.paths import ROOT
from consult.workflow.definitions import check_workflows, load_workflows


def default_workflows_dir() -> Path:
    """The repository's workflows/ folder."""
    return ROOT / "workflows"


@click.group()
def workflows() -> None:
    """Workflow definitions (workflows/*.toml)."""


@workflows.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def check(directory: Path | None) -> None:
    """Validate every workflow file; print each problem, exit 1 if there is any."""
    directory = directory or default_workflows_dir()
    problems = check_workflows(directory)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)
    loaded = load_workflows(directory)
    click.echo(f"{len(loaded)} workflows OK: {', '.join(loaded)}")
