"""Recording a step of an expert's legal calendar (consult/opinions/expert_calendar.py), with its event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.errors import Conflict, Forbidden, Invalid
from consult.events.services import append_event
from consult.opinions import expert_reminders  # noqa: F401 (registers the calendar's reminders with the scheduler)
from consult.opinions.expert_calendar import steps_of
from consult.opinions.experts import _appointment
from consult.opinions.models import ExpertStep
from consult.policy import PARTICIPANTS
from consult.rounds import governance
from consult.rounds.models import Signatory
from consult.rounds.services import get_visible_round


def record_step(session: Session, actor: User, round_id: int, expert_id: str | int, data: dict[str, Any]) -> ExpertStep:
    """The employer, the secretariat or the appointing side's signatory records one step, once."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    grant = governance.require(session, view, "record_expert_step",
                               view.constituency.value if view.constituency else None)
    appointment = _appointment(session, view.round, expert_id)
    if grant == governance.OWN:
        signatory = session.scalar(select(Signatory.user_id).where(Signatory.round_id == view.round.id,
                                                                   Signatory.constituency == view.constituency))
        if view.constituency != appointment.constituency or signatory != actor.id:
            raise Forbidden(governance.RULES["record_expert_step"].refused)
    known = {step.key: step for step in steps_of(session, view.round)}
    if data["step"] not in known:
        raise Invalid("No such step in this profile's calendar.", fields={"step": [
            f"Use one of: {', '.join(known) or 'none (this profile has no expert calendar)'}."]})
    if session.scalar(select(ExpertStep.id).where(ExpertStep.expert_id == appointment.id,
                                                  ExpertStep.step == data["step"])):
        raise Conflict("This step is recorded already.")
    step = ExpertStep(expert_id=appointment.id, step=data["step"], note=data["note"], recorded_by_id=actor.id)
    session.add(step)
    session.flush()
    append_event(session, view.round, "expert.step_recorded", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"expert_id": appointment.public_id, "step": step.step, "note": step.note,
                          "basis": known[step.step].basis})
    return step
