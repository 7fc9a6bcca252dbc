"""The clock of a round: its planned stages, the facts its gates are judged on, entering a stage, and when the
scheduler must next look at it.

A stage moves only by compare-and-set on the round's current stage, with the round's row locked, and
appends `stage.entered` in the same transaction: two schedulers, or a scheduler and a secretariat
clicking "advance", can never move a round twice. The features that add gate facts, act on a stage's entry or
have moments of their own are not imported here: they are the application's wiring (consult/bootstrap.py),
read through the session (`wiring_of`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from consult.events.services import append_event, next_event
from consult.policy import PARTICIPANTS
from consult.rounds.models import Round, RoundStatus, Signatory
from consult.timeline.models import PlannedStage, SentReminder
from consult.wiring import wiring_of
from consult.workflow import timeline
from consult.workflow.definitions import Stage, Workflow


def stage_durations(round: Round) -> dict[str, timedelta]:
    """The stage lengths this round agreed where they differ from its workflow's."""
    return {key: timedelta(seconds=seconds) for key, seconds in (round.stage_lengths or {}).items()}


#: Built once: every round page reads the timeline.
_PLANNED = select(PlannedStage).where(PlannedStage.round_id == bindparam("round_id")).order_by(PlannedStage.ordinal)


def planned_stages(session: Session, round: Round) -> list[PlannedStage]:
    """The round's stored timeline, in stage order."""
    return list(session.scalars(_PLANNED, {"round_id": round.id}))


#: The dates of each planned stage as pages show them: plain columns, not ORM objects (a third of the read).
_STAGE_DATES = select(PlannedStage.key, PlannedStage.starts_at, PlannedStage.deadline_at, PlannedStage.entered_at) \
    .where(PlannedStage.round_id == bindparam("round_id")).order_by(PlannedStage.ordinal)


def stage_dates(session: Session, round: Round) -> list:
    """The round's stored timeline as rows of a stage's key, planned start, deadline and entry, in stage order."""
    return list(session.execute(_STAGE_DATES, {"round_id": round.id}))


def as_plan(rows: list[PlannedStage]) -> list[timeline.PlannedStage]:
    """Stored planned stages as the engine's plan."""
    return [timeline.PlannedStage(row.key, row.starts_at, row.deadline_at) for row in rows]


def store_plan(session: Session, round: Round, workflow: Workflow, plan: list[timeline.PlannedStage], *,
               rows: dict[str, PlannedStage] | None = None) -> None:
    """Write planned starts and deadlines; stages not in `plan` keep theirs (or get none if later).

    The one writer of a round's planned starts and deadlines: the secretariat's actions and the legal clock
    (consult/opinions/clocks.py) both plan through it. `rows`: the round's stored stages by key, if the caller has
    just read them."""
    rows = rows if rows is not None else {row.key: row for row in planned_stages(session, round)}
    ordinals = {stage.key: index for index, stage in enumerate(workflow.stages)}
    for planned in plan:
        row = rows.get(planned.key)
        if row is None:
            row = PlannedStage(round_id=round.id, key=planned.key, ordinal=ordinals[planned.key])
            session.add(row)
        row.starts_at, row.deadline_at = planned.starts_at, planned.deadline_at
    session.flush()


def current_row(session: Session, round: Round) -> PlannedStage | None:
    """The stored timeline's row of the stage the round stands in."""
    return session.scalar(select(PlannedStage).where(PlannedStage.round_id == round.id,
                                                     PlannedStage.key == round.stage))


def gate_facts(session: Session, round: Round, gates: Iterable[str]) -> dict[str, Any]:
    """What these gates of a round are judged on: who must sign, who is named, what is missing."""
    return gate_facts_many(session, [(round, set(gates))])[round.id]


def gate_facts_many(session: Session, wanted: list[tuple[Round, set[str]]]) -> dict[int, dict[str, Any]]:
    """Gate facts of many rounds: the signatories in one query; a feature's facts only where its gates are judged."""
    ids = [round.id for round, _gates in wanted]
    named: dict[int, list[str]] = {round_id: [] for round_id in ids}
    if ids:
        for round_id, constituency in session.execute(select(Signatory.round_id, Signatory.constituency)
                                                      .where(Signatory.round_id.in_(ids))):
            named[round_id].append(constituency.value)
    facts: dict[int, dict[str, Any]] = {round.id: {"required_constituencies": list(round.required_constituencies),
                                                   "signatories": sorted(named[round.id])} for round, _gates in wanted}
    for provider in wiring_of(session).gate_facts:
        concerned = [round for round, gates in wanted if provider.gates & gates]
        if not concerned:
            continue
        many = provider.many  # a provider may read its facts for many rounds in one query
        found = many(session, concerned) if many else {r.id: provider.read(session, r) for r in concerned}
        for round_id, extra in found.items():
            facts[round_id].update(extra)
    return facts


@dataclass
class RoundClock:
    """A round's planned stages and the reminders already sent, read once per unit of work."""

    rows: dict[str, timeline.PlannedStage]
    sent: set[tuple[str, int]]
    #: Reminders (or deadlines, offset 0) marked in this unit of work and not yet written: (stage, offset, at).
    marks: list[tuple[str, int, datetime]] = field(default_factory=list)

    @classmethod
    def read(cls, session: Session, round: Round) -> RoundClock:
        """Two queries: the timeline and the reminders sent."""
        return cls.read_many(session, [round])[round.id]

    @classmethod
    def read_many(cls, session: Session, rounds: list[Round]) -> dict[int, RoundClock]:
        """The clocks of many rounds in two queries."""
        clocks = {round.id: cls({}, set()) for round in rounds}
        if not clocks:
            return clocks
        for round_id, key, starts_at, deadline_at in session.execute(
                select(PlannedStage.round_id, PlannedStage.key, PlannedStage.starts_at, PlannedStage.deadline_at)
                .where(PlannedStage.round_id.in_(list(clocks)))):
            clocks[round_id].rows[key] = timeline.PlannedStage(key, starts_at, deadline_at)
        for round_id, stage, offset in session.execute(
                select(SentReminder.round_id, SentReminder.stage, SentReminder.offset_seconds)
                .where(SentReminder.round_id.in_(list(clocks)))):
            clocks[round_id].sent.add((stage, offset))
        return clocks

    def mark(self, round: Round, offset_seconds: int, now: datetime) -> bool:
        """Mark a reminder (or the deadline, offset 0) of the current stage once; False if it was already."""
        if (round.stage, offset_seconds) in self.sent:
            return False
        self.sent.add((round.stage, offset_seconds))
        self.marks.append((round.stage, offset_seconds, now))
        return True


def enter_stage(session: Session, round: Round, workflow: Workflow, *, at: datetime, actor_id: int | None,
                reason: str | None, planned_at: datetime | None) -> bool:
    """Move a locked round to its next stage by compare-and-set; False if someone else already moved it."""
    following = workflow.next_stage(round.stage)
    if following is None:
        return False
    previous = round.stage
    moved = session.execute(
        update(Round).where(Round.id == round.id, Round.stage == previous)
        .values(stage=following.key, stage_entered_at=at, status=RoundStatus.OPEN, status_reason=None, paused_at=None)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if moved != 1:
        return False
    row = session.scalar(select(PlannedStage).where(PlannedStage.round_id == round.id,
                                                    PlannedStage.key == following.key))
    if row is not None:
        row.entered_at = at
    record_entry(session, round, following, previous, at=at, actor_id=actor_id, reason=reason,
                 planned_at=planned_at)
    return True


def record_entry(session: Session, round: Round, stage: Stage, previous: str, *, at: datetime,
                 actor_id: int | None, reason: str | None, planned_at: datetime | None,
                 buffer: list[dict[str, Any]] | None = None) -> None:
    """The event of entering a stage (kept in `buffer` for a bulk insert if one is given), then the features' hooks."""
    values: dict[str, Any] = {
        "actor_id": actor_id, "audience": PARTICIPANTS,
        "payload": {"stage": stage.key, "title": stage.title, "from": previous, "entered_at": at.isoformat(),
                    "planned_at": planned_at.isoformat() if planned_at else None,
                    "by": "secretariat" if actor_id else "scheduler", "reason": reason}}
    if buffer is None:
        append_event(session, round, "stage.entered", **values)
    else:
        buffer.append(next_event(round, "stage.entered", **values))
    for hook in wiring_of(session).stage_hooks:
        hook(session, round, actor_id)


def rearm(session: Session, round: Round, workflow: Workflow, clock: RoundClock | None = None) -> None:
    """Set when the scheduler must next look at the round: its next reminder or deadline, or anything a
    due kind of the wiring asks for (legal clocks, the expert's dates, commitment reviews after the round)."""
    moments: list[datetime] = []
    clock = clock or RoundClock.read(session, round)
    row = clock.rows.get(round.stage)
    if round.status == RoundStatus.OPEN and row is not None and row.deadline_at is not None:
        stage = workflow.stage(round.stage)
        sent = {offset for key, offset in clock.sent if key == round.stage}
        moments = [row.deadline_at - offset for offset in stage.reminders
                   if int(offset.total_seconds()) not in sent]
        if stage.on_deadline in ("advance", "hold") and 0 not in sent:
            moments.append(row.deadline_at)
    for kind in wiring_of(session).due_kinds:
        moments.extend(kind.wake(session, round))
    round.wake_at = min(moments) if moments else None
