"""The secretariat's (and employer's) actions on a round's timeline: start, extend, pause, resume, hold, advance.

Each locks the round, checks who acts and from which status, writes through the clock (consult/timeline/clock.py)
and appends its event in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.errors import Conflict
from consult.events.services import append_event
from consult.policy import PARTICIPANTS, RoundView
from consult.rounds import governance
from consult.rounds.models import Round, RoundStatus
from consult.rounds.services import get_visible_round
from consult.timeline import messages
from consult.timeline.clock import (
    as_plan,
    current_row,
    enter_stage,
    gate_facts,
    planned_stages,
    rearm,
    stage_durations,
    store_plan,
)
from consult.timeline.models import SentReminder
from consult.timeline.rules import workflow_of
from consult.web.labels import stage_name
from consult.workflow import engine, timeline
from consult.workflow.definitions import Duration

#: The round statuses from which the secretariat may take each timeline action.
_TAKEN_FROM = {
    "extend": frozenset(RoundStatus),
    "pause": frozenset({RoundStatus.OPEN, RoundStatus.HELD, RoundStatus.BLOCKED}),
    "resume": frozenset({RoundStatus.PAUSED, RoundStatus.HELD, RoundStatus.BLOCKED}),
    "hold": frozenset({RoundStatus.OPEN, RoundStatus.BLOCKED}),
    "advance": frozenset({RoundStatus.OPEN, RoundStatus.HELD, RoundStatus.BLOCKED}),
}


def _managed(session: Session, actor: User, round_id: int, action: str) -> RoundView:
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, action)  # the table's row: who runs the timeline, and when
    return view


def may_take(round: Round, action: str) -> bool:
    """Whether the round's status allows a timeline action now (pages offer only these)."""
    return round.status in _TAKEN_FROM[action]


def _refuse_unless(round: Round, statuses: frozenset[RoundStatus], action: str) -> None:
    if round.status not in statuses:
        raise Conflict(gettext("The round is %(status)s: it cannot be %(action)s now.",
                               status=messages.status_name(round.status), action=messages.done_name(action)),
                       stage=round.stage,
                       status=round.status)


def _timeline_event(session: Session, round: Round, type: str, actor: User, reason: str | None,
                    **payload: Any) -> None:
    append_event(session, round, type, actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"stage": round.stage, "reason": reason, **payload})


def start_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Leave the draft: enter the first timed stage now and plan every deadline from here."""
    round = _managed(session, actor, round_id, "start_round").round
    workflow = workflow_of(session, round)
    if workflow.stage(round.stage).on_deadline != "manual":
        raise Conflict(gettext("The round has already started; it is in the %(stage)s stage.",
                               stage=stage_name(round.stage, workflow.stage(round.stage).title)),
                       stage=round.stage)
    now = utcnow()
    following = workflow.next_stage(round.stage)
    store_plan(session, round, workflow, timeline.plan_timeline(workflow, now, round.time_zone, following.key,
                                                            stage_durations(round)))
    enter_stage(session, round, workflow, at=now, actor_id=actor.id, reason=reason, planned_at=now)
    rearm(session, round, workflow)
    return round


def extend_stage(session: Session, actor: User, round_id: int, by: Duration, reason: str) -> Round:
    """Give the current stage more time; every later deadline moves by the same amount."""
    round = _managed(session, actor, round_id, "extend_stage").round
    workflow = workflow_of(session, round)
    row = current_row(session, round)
    if row is None or row.deadline_at is None:
        raise Conflict(gettext("The %(stage)s stage has no deadline to extend.",
                               stage=stage_name(round.stage, workflow.stage(round.stage).title)),
                       stage=round.stage)
    _refuse_unless(round, _TAKEN_FROM["extend"], "extended")
    old_deadline = row.deadline_at
    new_deadline = timeline.add_duration(old_deadline, by, round.time_zone)
    plan = timeline.shift_from(as_plan(planned_stages(session, round)), round.stage, new_deadline - old_deadline)
    store_plan(session, round, workflow, plan)
    # Reminders of the extended stage count again from the new deadline.
    for reminder in session.scalars(select(SentReminder).where(SentReminder.round_id == round.id,
                                                               SentReminder.stage == round.stage)):
        session.delete(reminder)
    if round.status == RoundStatus.BLOCKED:
        round.status, round.status_reason = RoundStatus.OPEN, None
    _timeline_event(session, round, "stage.extended", actor, reason, deadline_was=old_deadline.isoformat(),
                    deadline_at=new_deadline.isoformat())
    session.flush()
    rearm(session, round, workflow)
    return round


def pause_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Stop the clock: nothing is open and no deadline runs until the round resumes."""
    round = _managed(session, actor, round_id, "pause_round").round
    _refuse_unless(round, _TAKEN_FROM["pause"], "paused")
    round.status, round.status_reason, round.paused_at, round.wake_at = RoundStatus.PAUSED, reason, utcnow(), None
    _timeline_event(session, round, "round.paused", actor, reason)
    return round


def resume_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Restart the clock; after a pause every remaining deadline moves by the time the round stood still."""
    round = _managed(session, actor, round_id, "resume_round").round
    workflow = workflow_of(session, round)
    _refuse_unless(round, _TAKEN_FROM["resume"], "resumed")
    shifted = None
    if round.status == RoundStatus.PAUSED and round.paused_at is not None:
        shifted = utcnow() - round.paused_at
        store_plan(session, round, workflow,
               timeline.shift_from(as_plan(planned_stages(session, round)), round.stage, shifted))
    round.status, round.status_reason, round.paused_at = RoundStatus.OPEN, None, None
    _timeline_event(session, round, "round.resumed", actor, reason,
                    shifted_seconds=int(shifted.total_seconds()) if shifted else 0)
    session.flush()
    rearm(session, round, workflow)
    return round


def hold_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Keep the round in its stage past the deadline until the secretariat advances or resumes it."""
    round = _managed(session, actor, round_id, "hold_round").round
    _refuse_unless(round, _TAKEN_FROM["hold"], "held")
    round.status, round.status_reason, round.wake_at = RoundStatus.HELD, reason, None
    _timeline_event(session, round, "round.held", actor, reason)
    return round


def advance_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Move to the next stage now, if the current stage's gates hold; the next stages get their full length."""
    round = _managed(session, actor, round_id, "advance_round").round
    workflow = workflow_of(session, round)
    stage = workflow.stage(round.stage)
    following = workflow.next_stage(round.stage)
    if stage.on_deadline == "manual":
        raise Conflict(gettext("The round has not started yet: start it instead."), stage=round.stage)
    if following is None or stage.is_terminal:
        raise Conflict(gettext("The round is in its last stage (%(stage)s): there is no next stage.",
                               stage=stage_name(stage.key, stage.title)), stage=round.stage)
    _refuse_unless(round, _TAKEN_FROM["advance"], "advanced")
    facts = gate_facts(session, round, stage.gates)
    unmet = messages.gate_reasons(workflow, round.stage, facts)  # for people; `reasons` stays the engine's codes
    if unmet:
        raise Conflict(gettext("The %(stage)s stage cannot end yet.", stage=stage_name(stage.key, stage.title))
                       + " " + " ".join(unmet), stage=round.stage,
                       reasons=engine.unmet_gates(workflow, round.stage, facts))
    now = utcnow()
    store_plan(session, round, workflow, timeline.plan_timeline(workflow, now, round.time_zone, following.key,
                                                            stage_durations(round)))
    enter_stage(session, round, workflow, at=now, actor_id=actor.id, reason=reason, planned_at=now)
    session.flush()
    rearm(session, round, workflow)
    return round
