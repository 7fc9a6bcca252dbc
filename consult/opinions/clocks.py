"""Legal clocks: a stage's deadline counted from an event, moved by events, and what the law records at expiry.

A stage with a `[stages.clock]` table has no deadline of its own: its deadline is the clock's start event
(the first of its type in the round, whenever it came) plus the clock's length, which the extensions
lengthen once their events are in the round (fr-cse: 1 month, 2 with an expert, 3 with two). The clock is set
again, in the transaction of the event that moves it, whenever such an event is appended in the clock's
stage, and when the stage is entered; each change is a `clock.set` event with the law it rests on. The
stages after it are planned from its deadline. At the deadline the scheduler records what the clock's
`at_expiry` says (an opinion deemed negative for each constituency that gave none) before it advances.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency
from consult.events.models import Event
from consult.events.services import EVENT_HOOKS, append_event
from consult.opinions.models import OVERALL, Opinion, Verdict
from consult.policy import PARTICIPANTS
from consult.rounds.models import Round
from consult.timeline.models import PlannedStage
from consult.timeline.rules import workflow_of
from consult.timeline.services import (
    DUE_HANDLERS,
    OPEN,
    STAGE_HOOKS,
    WAKE_PROVIDERS,
    planned_stages,
    rearm,
    stage_durations,
)
from consult.workflow import timeline
from consult.workflow.definitions import Stage


def _first_at(session: Session, round: Round, event_type: str, stage: Stage) -> datetime | None:
    """The first such event every participant was shown: a caucus-only release of the package (audience
    caucus:<c>) is not the delivery of the information to the body consulted, so it starts no clock."""
    if event_type == "stage.entered":
        return round.stage_entered_at
    return session.scalar(select(func.min(Event.created_at)).where(Event.round_id == round.id,
                                                                  Event.type == event_type,
                                                                  Event.audience == PARTICIPANTS))


def _counts(session: Session, round: Round, types: frozenset[str]) -> dict[str, int]:
    rows = session.execute(select(Event.type, func.count(Event.id)).where(Event.round_id == round.id,
                                                                          Event.type.in_(sorted(types)),
                                                                          Event.audience == PARTICIPANTS)
                           .group_by(Event.type))
    return {event_type: count for event_type, count in rows}


def clock_deadline(session: Session, round: Round, stage: Stage) -> tuple[datetime | None, datetime | None, str]:
    """(start, deadline, the law it rests on) of a stage's clock now; (None, None, basis) before its start event."""
    clock = stage.clock
    started = _first_at(session, round, clock.starts_at, stage)
    if started is None:
        return None, None, clock.basis
    length, extension = clock.length_after(_counts(session, round, frozenset(e.after for e in clock.extensions)))
    deadline = timeline.add_duration(started, length, round.time_zone)
    return started, deadline, extension.basis if extension else clock.basis


def set_clock(session: Session, round: Round, because: str) -> None:
    """Set the current stage's deadline from its clock (and plan the stages after it); an event when it moves."""
    workflow = workflow_of(session, round)
    stage = workflow.stage(round.stage)
    if stage.clock is None:
        return
    started, deadline, basis = clock_deadline(session, round, stage)
    rows = {row.key: row for row in planned_stages(session, round)}
    row = rows.get(stage.key)
    if row is None or deadline is None or row.deadline_at == deadline:
        return
    was = row.deadline_at
    row.deadline_at = deadline
    following = workflow.next_stage(stage.key)
    if following is not None:
        ordinals = {s.key: index for index, s in enumerate(workflow.stages)}
        for planned in timeline.plan_timeline(workflow, deadline, round.time_zone, following.key,
                                              stage_durations(round)):
            later = rows.get(planned.key)
            if later is None:
                later = PlannedStage(round_id=round.id, key=planned.key, ordinal=ordinals[planned.key])
                session.add(later)
            later.starts_at, later.deadline_at = planned.starts_at, planned.deadline_at
    session.flush()
    append_event(session, round, "clock.set", actor_id=None, audience=PARTICIPANTS,
                 payload={"stage": stage.key, "starts_at": started.isoformat(), "deadline_at": deadline.isoformat(),
                          "deadline_was": was.isoformat() if was else None, "because": because, "basis": basis})
    if round.status == OPEN:
        rearm(session, round, workflow)


def _on_event(session: Session, round: Round, event_type: str) -> None:
    """An appended event that starts or moves the current stage's clock sets it again."""
    if event_type == "clock.set":
        return
    stage = workflow_of(session, round).stage(round.stage)
    if stage.clock is not None and event_type in stage.clock.events:
        set_clock(session, round, event_type)


def _on_stage_entered(session: Session, round: Round, actor_id: int | None) -> None:
    stage = workflow_of(session, round).stage(round.stage)
    if stage.clock is None:
        return
    row = session.scalar(select(PlannedStage).where(PlannedStage.round_id == round.id,
                                                    PlannedStage.key == stage.key))
    if row is not None and row.deadline_at is None:
        set_clock(session, round, "stage.entered")


def wake_moments(session: Session, round: Round) -> list[datetime]:
    """The clock's deadline, for rounds whose stage the scheduler walked into within the same pass."""
    stage = workflow_of(session, round).stage(round.stage)
    if stage.clock is None or round.status != OPEN:
        return []
    row = session.scalar(select(PlannedStage).where(PlannedStage.round_id == round.id,
                                                    PlannedStage.key == stage.key))
    return [row.deadline_at] if row is not None and row.deadline_at is not None else []


def handle_due(session: Session, round: Round, now: datetime) -> None:
    """At a clock's expiry, record what the law says happens when nothing was said (before the stage moves)."""
    if round.status != OPEN:
        return
    stage = workflow_of(session, round).stage(round.stage)
    if stage.clock is None or stage.clock.at_expiry != "opinion_deemed_negative":
        return
    row = session.scalar(select(PlannedStage).where(PlannedStage.round_id == round.id,
                                                    PlannedStage.key == stage.key))
    if row is None or row.deadline_at is None or row.deadline_at > now:
        return
    given = set(session.scalars(select(Opinion.constituency).where(Opinion.round_id == round.id,
                                                                   Opinion.section_key == OVERALL)))
    for constituency in sorted(stage.open.get("opinion", ())):
        if Constituency(constituency) in given:
            continue
        reasons = (f"No opinion was given before the deadline of {row.deadline_at.isoformat()}: "
                   f"the opinion is deemed negative ({stage.clock.basis}).")
        opinion = Opinion(round_id=round.id, constituency=Constituency(constituency), section_key=OVERALL,
                          verdict=Verdict.DEEMED_NEGATIVE, reasons=reasons, is_deemed=True,
                          basis=stage.clock.basis, given_at=row.deadline_at)
        session.add(opinion)
        session.flush()
        append_event(session, round, "opinion.deemed", actor_id=None, audience=PARTICIPANTS,
                     payload={"opinion_id": opinion.id, "constituency": constituency, "section": OVERALL,
                              "verdict": Verdict.DEEMED_NEGATIVE.value, "reasons": reasons,
                              "basis": stage.clock.basis, "deadline_at": row.deadline_at.isoformat()})


EVENT_HOOKS.append(_on_event)
STAGE_HOOKS.append(_on_stage_entered)
WAKE_PROVIDERS.append(wake_moments)
DUE_HANDLERS.append(handle_due)
