"""The affected workers as one viewer may see them: counts for every participant, names and addresses for the
employer whose plan it is and the secretariat only (`consult.policy.sees_affected_workers`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.informing.models import AffectedWorker
from consult.informing.services import counts_of
from consult.policy import RoundView, sees_affected_workers
from consult.timeline.rules import workflow_of


def affected_workers_of(session: Session, view: RoundView) -> dict[str, Any] | None:
    """The round's individual information as the viewer sees it; None where the workflow has no such duty."""
    duty = workflow_of(session, view.round).duties.individual_information
    if duty is None:
        return None
    shown: dict[str, Any] = {"basis": duty.basis, **counts_of(session, view.round.id), "workers": None}
    if sees_affected_workers(view):
        rows = session.scalars(select(AffectedWorker).where(AffectedWorker.round_id == view.round.id)
                               .order_by(AffectedWorker.id))
        shown["workers"] = [{"id": w.id, "name": w.name, "email": w.email, "channel": w.channel,
                             "informed_at": w.informed_at,
                             "letter": f"/rounds/{view.round.id}/affected-workers/{w.id}/letter"} for w in rows]
    return shown
