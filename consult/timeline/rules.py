"""Asking the workflow engine whether an action is open in a round's current stage, for this person."""

from __future__ import annotations

from typing import cast

from flask_babel import gettext
from sqlalchemy.orm import Session

from consult.errors import Conflict
from consult.rounds.models import Round, RoundStatus
from consult.timeline import messages
from consult.workflow import engine
from consult.workflow.definitions import Workflow


def workflow_of(session: Session, round: Round) -> Workflow:
    """The workflow definition a round follows."""
    return cast(Workflow, session.info["workflows"][round.workflow])


def require_open(session: Session, round: Round, action: str, constituency: str) -> None:
    """Refuse with 409, naming the stage, an action the round's stage does not open to this constituency."""
    if round.status == RoundStatus.PAUSED:
        raise Conflict(gettext("The round is paused: nothing can be done until the secretariat resumes it."),
                       stage=round.stage)
    workflow = workflow_of(session, round)
    if not engine.is_open(workflow, round.stage, action, constituency):
        raise Conflict(messages.refusal(workflow, round.stage, action), stage=round.stage)


def require_plenary_open(session: Session, round: Round, constituency: str) -> str:
    """The action a plenary comment counts as here (comment, question, answer), or 409 naming the stage."""
    if round.status == RoundStatus.PAUSED:
        raise Conflict(gettext("The round is paused: nothing can be done until the secretariat resumes it."),
                       stage=round.stage)
    workflow = workflow_of(session, round)
    action = engine.plenary_action(workflow, round.stage, constituency)
    if action is None:
        raise Conflict(messages.refusal(workflow, round.stage, "comment"), stage=round.stage)
    return action
