"""What a registry entry's page shows beyond its summary: the agreed text of each position beside the
stances, and the commitments with their progress since the round (the owner's reports, never who typed them).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.outcomes.followup import status_of
from consult.outcomes.models import Commitment, CommitmentUpdate, Outcome
from consult.outcomes.snapshot import public_document
from consult.registry.models import RegistryEntry
from consult.rounds.models import Round


def sections_of(session: Session, entry: RegistryEntry, round: Round) -> list[dict[str, Any]]:
    """Each section of the signed document with its agreed position (text and sanitised HTML) and stances."""
    canonical = session.scalar(select(Outcome.canonical).where(Outcome.round_id == entry.round_id,
                                                               Outcome.digest == entry.digest))
    if canonical is None:  # cannot happen for a published entry; its summary still has the stances
        return [{"title": s["section"], "position": None, "stances": s["stances"]} for s in entry.summary["stances"]]
    document = public_document(round, json.loads(canonical))
    return [{"title": s["title"], "position": s["position"], "stances": s["stances"]} for s in document["sections"]
            if s["position"] or s["stances"]]


def commitments_with_progress(session: Session, entry: RegistryEntry) -> list[dict[str, Any]]:
    """The signed commitments, each with its status now, its latest value and its progress reports."""
    live = {c.id: c for c in session.scalars(select(Commitment).where(Commitment.round_id == entry.round_id))}
    updates: dict[int, list[CommitmentUpdate]] = {}
    if live:
        for update in session.scalars(select(CommitmentUpdate).where(CommitmentUpdate.commitment_id.in_(live))
                                      .order_by(CommitmentUpdate.id)):
            updates.setdefault(update.commitment_id, []).append(update)
    shown = []
    for signed in entry.summary["commitments"]:
        commitment = live.get(signed.get("id"))
        reports = [{"value": u.value, "note": u.note, "evidence": list(u.evidence), "completes": u.completes,
                    "posted_at": u.posted_at} for u in updates.get(signed.get("id"), [])]
        shown.append({**signed, "status": status_of(commitment) if commitment else "open",
                      "latest_value": commitment.latest_value if commitment else None, "reports": reports})
    return shown
