"""outcomes frozen before the unlinkability rule: registry entries counted, PDFs rendered again

An outcome frozen before the rule in consult/policy/ listed, inside its signed canonical text, the
pseudonyms of each worker organisation's commenters. The canonical text and its digest stay (the signatures
bind them, and every path now shows the document through `public_document`); what was derived from it for
others to read is redone: the registry entry's worker organisations lose their pseudonyms (counted under `organisation`), and every export of such an
outcome goes back to the queue (its old file deleted), so the scheduler's recovery renders it again without
the pseudonyms, under the same digest. Nothing is undone on downgrade.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:40:00
"""
import json
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

rounds = sa.table("rounds", sa.column("id", sa.Integer), sa.column("identity_policy", sa.String))
outcomes = sa.table("outcomes", sa.column("id", sa.Integer), sa.column("round_id", sa.Integer),
                    sa.column("digest", sa.String), sa.column("canonical", sa.Text))
entries = sa.table("registry_entries", sa.column("id", sa.Integer), sa.column("digest", sa.String),
                   sa.column("summary", sa.JSON))
jobs = sa.table("export_jobs", sa.column("id", sa.Integer), sa.column("outcome_id", sa.Integer),
                sa.column("status", sa.String), sa.column("attempts", sa.Integer), sa.column("path", sa.String),
                sa.column("size", sa.Integer), sa.column("finished_at", sa.DateTime),
                sa.column("claimed_at", sa.DateTime))


def _counted(participants: list[dict], policy: str) -> list[dict]:
    """Worker organisations without their pseudonyms: counted under `organisation`, not under `pseudonymous`."""
    return [{**p, "people": [], "commenters": len(p["people"]) if policy == "organisation" else None}
            if p["constituency"] == "workers" else p for p in participants]


def upgrade() -> None:
    connection = op.get_bind()
    legacy = connection.execute(
        sa.select(outcomes.c.id, outcomes.c.digest, outcomes.c.canonical, rounds.c.identity_policy)
        .join(rounds, rounds.c.id == outcomes.c.round_id)
        .where(sa.func.lower(rounds.c.identity_policy) != "named")).all()
    for outcome_id, digest, canonical, policy in legacy:
        participants = json.loads(canonical).get("participants", [])
        if not any(p["people"] for p in participants if p["constituency"] == "workers"):
            continue
        for entry_id, summary in connection.execute(
                sa.select(entries.c.id, entries.c.summary).where(entries.c.digest == digest)).all():
            summary = json.loads(summary) if isinstance(summary, str) else dict(summary)
            summary["participants"] = _counted(summary.get("participants", []), policy.lower())
            connection.execute(entries.update().where(entries.c.id == entry_id).values(summary=summary))
        for job_id, path in connection.execute(
                sa.select(jobs.c.id, jobs.c.path).where(jobs.c.outcome_id == outcome_id)).all():
            if path and os.path.exists(path):
                os.remove(path)
            connection.execute(jobs.update().where(jobs.c.id == job_id).values(
                status="queued", attempts=0, path=None, size=None, finished_at=None, claimed_at=None))


def downgrade() -> None:
    pass
