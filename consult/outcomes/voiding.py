"""Voiding the standing outcome: a change after freezing means the frozen version and its signatures no longer count.

The writes that may come after a freeze (a signatory named anew, a consent decided, a board's ruling, a revised
plan, a changed position or stance) call this in their own transaction; the event says which version was voided,
why, and whose signatures went with it. It sits below every feature's services so that each may call it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.events.services import append_event
from consult.outcomes.models import Outcome, OutcomeStatus
from consult.policy import PARTICIPANTS
from consult.rounds.models import Round


def void_standing_outcome(session: Session, round: Round, actor: User, because: str) -> None:
    """A change after freezing: the frozen version and its signatures no longer count (an event says so)."""
    outcome = session.scalar(select(Outcome).where(Outcome.round_id == round.id, Outcome.status != OutcomeStatus.VOID)
                             .order_by(Outcome.version.desc()).limit(1))
    if outcome is None:
        return
    outcome.status, outcome.voided_at, outcome.void_reason = OutcomeStatus.VOID, utcnow(), because
    append_event(session, round, "outcome.voided", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"version": outcome.version, "digest": outcome.digest, "reason": because,
                          "signatures_voided": [s.constituency.value for s in outcome.signatures]})
