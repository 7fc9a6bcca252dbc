"""Informing the affected workers as a gate: the stage the workflow names does not end before they are informed.

AI Act Art. 26(7): "Before putting into service or using a high-risk AI system at the workplace, deployers who
are employers shall inform workers' representatives and the affected workers". The profile puts the system into
service after the consultation ([rollout] after_stage), so a stage gated on `affected_workers_informed` (the
consultation) does not end, by the clock or by the secretariat's hand, while a listed worker is uninformed or
no worker is listed. The duty applies to high-risk plans (Annex III point 4) whose rollout starts on or after the
article's date of application (Art. 113), as the rollout rule reads it (consult/opinions/rollout.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from consult.informing.services import counts_of
from consult.rounds.models import Round
from consult.timeline.rules import workflow_of


def informing_facts(session: Session, round: Round) -> dict[str, Any]:
    """Whether the duty applies to this round, how many workers are listed and how many wait to be informed."""
    duties = workflow_of(session, round).duties
    duty, application, plan = duties.individual_information, duties.application, round.plan
    applies = duty is not None and plan is not None and plan.is_high_risk and not (
        application is not None and plan.rollout_starts_on is not None
        and plan.rollout_starts_on < application.applies_from)
    if not applies:
        return {"informing_applies": False}
    counts = counts_of(session, round.id)
    return {"informing_applies": True, "informing_basis": duty.basis, "workers_listed": counts["listed"],
            "workers_uninformed": counts["listed"] - counts["informed"]}
