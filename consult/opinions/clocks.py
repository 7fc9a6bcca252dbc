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

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency
from consult.events.models import Event
from consult.events.services import append_event
from consult.opinions.models import OVERALL, Opinion, Verdict
from consult.policy import PARTICIPANTS
from consult.public_ids import new_public_id
from consult.rounds.models import Round, RoundStatus
from consult.timeline.clock import planned_stages, rearm, stage_durations, store_plan
from consult.timeline.models import PlannedStage
from consult.timeline.rules import workflow_of
from consult.workflow import timeline
from consult.workflow.calendar import LegalDeadline, Place, count_deadline
from consult.workflow.definitions import Stage, parse_duration
from consult.workflow.legal import Clock

#: The events that record how a round's clock is counted (both by the secretariat, in the record).
READING_RECORDED, AGREEMENT_RECORDED = "clock.reading_recorded", "clock.agreement_recorded"


@dataclass(frozen=True)
class ClockState:
    """A stage's clock now: when it started, its deadline as the law counts it, and why."""

    started: datetime | None
    deadline: LegalDeadline | None
    governing: datetime | None  # the deadline that governs (the extended one where it applies or was chosen)
    basis: str
    place: Place | None
    reading: str | None  # the reading of an uncertain extension the round recorded (strict / extended)
    agreement: dict | None  # the company agreement that set the length (L2312-19), if recorded


def place_of(session: Session, round: Round) -> Place | None:
    """Where the round's legal clock counts (its country's holidays, its legal time); None: not known yet."""
    jurisdiction = workflow_of(session, round).legal.jurisdiction
    if jurisdiction is None:
        return None
    return jurisdiction.place(round.establishment_country, round.establishment_region)


def _first_at(session: Session, round: Round, clock: Clock) -> datetime | None:
    """The first start event every participant was shown: a caucus-only release of the package (audience
    caucus:<c>) is not the delivery of the information to the body consulted, so it starts no clock."""
    if "stage.entered" in clock.starts_with:
        return round.stage_entered_at
    return session.scalar(select(func.min(Event.created_at)).where(Event.round_id == round.id,
                                                                  Event.type.in_(sorted(clock.starts_with)),
                                                                  Event.audience == PARTICIPANTS))


def _counts(session: Session, round: Round, types: frozenset[str]) -> dict[str, int]:
    rows = session.execute(select(Event.type, func.count(Event.id)).where(Event.round_id == round.id,
                                                                          Event.type.in_(sorted(types)),
                                                                          Event.audience == PARTICIPANTS)
                           .group_by(Event.type))
    return {event_type: count for event_type, count in rows}


def _latest(session: Session, round: Round, event_type: str) -> dict | None:
    return session.scalar(select(Event.payload).where(Event.round_id == round.id, Event.type == event_type)
                          .order_by(Event.seq.desc()).limit(1))


def clock_state(session: Session, round: Round, stage: Stage) -> ClockState:
    """The stage's clock now, counted as the law counts it (CPC 641, 642) in the jurisdiction's time zone."""
    clock = stage.clock
    place, reading = place_of(session, round), (_latest(session, round, READING_RECORDED) or {}).get("reading")
    agreement = _latest(session, round, AGREEMENT_RECORDED)
    started = _first_at(session, round, clock)
    if agreement is not None:  # L2312-19: the agreement's length replaces the defaults and their extensions
        length, basis = parse_duration(agreement["length"]), (f"{agreement['reference']} "
                                                              f"({clock.agreement_basis or 'company agreement'})")
    else:
        counts = _counts(session, round, frozenset(e.after for e in clock.extensions))
        length, extension = clock.length_after(counts, is_two_level=bool(round.establishments))
        basis = extension.basis if extension else clock.basis
    if started is None or place is None:
        return ClockState(started, None, None, basis, place, reading, agreement)
    if length.unit in ("days", "months"):
        deadline = count_deadline(started, length.amount, length.unit, place,
                                  workflow_of(session, round).legal.jurisdiction.next_working_day)
        return ClockState(started, deadline, deadline.governing(reading), basis, place, reading, agreement)
    exact = timeline.add_duration(started, length, place.time_zone)  # a test profile's clock in hours: exact
    return ClockState(started, None, exact, basis, place, reading, agreement)


def clock_deadline(session: Session, round: Round, stage: Stage) -> tuple[datetime | None, datetime | None, str]:
    """(start, governing deadline, the law it rests on) of a stage's clock now; no deadline before its start."""
    state = clock_state(session, round, stage)
    return state.started, state.governing, state.basis


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
    following = workflow.next_stage(stage.key)
    later = timeline.plan_timeline(workflow, deadline, round.time_zone, following.key, stage_durations(round)) \
        if following is not None else []
    store_plan(session, round, workflow, [timeline.PlannedStage(stage.key, row.starts_at, deadline), *later],
               rows=rows)
    append_event(session, round, "clock.set", actor_id=None, audience=PARTICIPANTS,
                 payload={"stage": stage.key, "starts_at": started.isoformat(), "deadline_at": deadline.isoformat(),
                          "deadline_was": was.isoformat() if was else None, "because": because, "basis": basis})
    if round.status == RoundStatus.OPEN:
        rearm(session, round, workflow)


def set_clock_on_event(session: Session, round: Round, event_type: str) -> None:
    """An appended event that starts or moves the current stage's clock sets it again."""
    if event_type == "clock.set":
        return
    stage = workflow_of(session, round).stage(round.stage)
    if stage.clock is not None and event_type in stage.clock.events:
        set_clock(session, round, event_type)


def set_clock_on_entry(session: Session, round: Round, actor_id: int | None) -> None:
    """A stage with a clock entered without a deadline gets one from its clock (if it has started)."""
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
    if stage.clock is None or round.status != RoundStatus.OPEN:
        return []
    row = session.scalar(select(PlannedStage).where(PlannedStage.round_id == round.id,
                                                    PlannedStage.key == stage.key))
    return [row.deadline_at] if row is not None and row.deadline_at is not None else []


def handle_due(session: Session, round: Round, now: datetime) -> None:
    """At a clock's expiry, record what the law says happens when nothing was said (before the stage moves)."""
    if round.status != RoundStatus.OPEN:
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
    basis = clock_state(session, round, stage).basis
    for constituency in sorted(stage.open.get("opinion", ())):
        if Constituency(constituency) in given:
            continue
        # L2312-16 and R2312-6: two facts, both recorded: the body is deemed consulted (what the employer relies
        # on to go ahead) and deemed to have given a negative opinion.
        reasons = (f"No opinion was given by the end of the time limit ({row.deadline_at.isoformat()}): the body "
                   f"is deemed to have been consulted and to have given a negative opinion ({basis}).")
        opinion = Opinion(public_id=new_public_id("o"),
                          round_id=round.id, constituency=Constituency(constituency), section_key=OVERALL,
                          verdict=Verdict.DEEMED_NEGATIVE, reasons=reasons, is_deemed=True,
                          basis=basis, given_at=row.deadline_at)
        session.add(opinion)
        session.flush()
        append_event(session, round, "opinion.deemed", actor_id=None, audience=PARTICIPANTS,
                     payload={"opinion_id": opinion.public_id, "constituency": constituency, "section": OVERALL,
                              "verdict": Verdict.DEEMED_NEGATIVE.value, "deemed_consulted": True,
                              "deemed": ["consulted", "negative_opinion"], "reasons": reasons,
                              "basis": basis, "deadline_at": row.deadline_at.isoformat()})
