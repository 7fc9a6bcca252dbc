"""Moving rounds through their stages: start, the scheduler's advance at a deadline, and secretariat actions.

A stage moves only by compare-and-set on the round's current stage, with the round's row locked, and
appends `stage.entered` in the same transaction: two schedulers, or a scheduler and a secretariat
clicking "advance", can never move a round twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.errors import Conflict
from consult.events.services import append_event, next_event
from consult.policy import PARTICIPANTS, RoundView
from consult.rounds import governance
from consult.rounds.models import Round, Signatory
from consult.rounds.services import get_visible_round
from consult.timeline import messages
from consult.timeline.models import PlannedStage, SentReminder
from consult.timeline.rules import workflow_of
from consult.web.labels import stage_name
from consult.workflow import engine, timeline
from consult.workflow.definitions import Duration, Stage, Workflow

#: Round statuses: the clock runs only while a round is open.
OPEN, PAUSED, HELD, BLOCKED = "open", "paused", "held", "blocked"


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


def _as_plan(rows: list[PlannedStage]) -> list[timeline.PlannedStage]:
    return [timeline.PlannedStage(row.key, row.starts_at, row.deadline_at) for row in rows]


def _store(session: Session, round: Round, workflow: Workflow, plan: list[timeline.PlannedStage]) -> None:
    """Write planned starts and deadlines; stages not in `plan` keep theirs (or get none if later)."""
    rows = {row.key: row for row in planned_stages(session, round)}
    ordinals = {stage.key: index for index, stage in enumerate(workflow.stages)}
    for planned in plan:
        row = rows.get(planned.key)
        if row is None:
            row = PlannedStage(round_id=round.id, key=planned.key, ordinal=ordinals[planned.key])
            session.add(row)
        row.starts_at, row.deadline_at = planned.starts_at, planned.deadline_at
    session.flush()


def _current_row(session: Session, round: Round) -> PlannedStage | None:
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
    for provided_for, provider in GATE_FACT_PROVIDERS:
        concerned = [round for round, gates in wanted if provided_for & gates]
        many = getattr(provider, "many", None)  # a provider may read its facts for many rounds in one query
        found = many(session, concerned) if many and concerned else {r.id: provider(session, r) for r in concerned}
        for round_id, extra in found.items():
            facts[round_id].update(extra)
    return facts


#: Features that add gate facts (stances, signatures) register (gates they serve, (session, round) -> dict).
GATE_FACT_PROVIDERS: list[tuple[frozenset[str], Callable[[Session, Round], dict[str, Any]]]] = []
#: Features that act when a round enters a stage (in the same transaction) register (session, round, actor_id).
STAGE_HOOKS: list = []
#: Features with moments of their own register (session, round) -> [datetime] here ...
WAKE_PROVIDERS: list = []
#: ... and (session, round, now) -> None here, called when the round is due.
DUE_HANDLERS: list = []


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
        .values(stage=following.key, stage_entered_at=at, status=OPEN, status_reason=None, paused_at=None)
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
    for hook in STAGE_HOOKS:
        hook(session, round, actor_id)


def rearm(session: Session, round: Round, workflow: Workflow, clock: RoundClock | None = None) -> None:
    """Set when the scheduler must next look at the round: its next reminder or deadline, or anything a
    feature registered in WAKE_PROVIDERS (commitment reviews after the round)."""
    moments: list[datetime] = []
    clock = clock or RoundClock.read(session, round)
    row = clock.rows.get(round.stage)
    if round.status == OPEN and row is not None and row.deadline_at is not None:
        stage = workflow.stage(round.stage)
        sent = {offset for key, offset in clock.sent if key == round.stage}
        moments = [row.deadline_at - offset for offset in stage.reminders
                   if int(offset.total_seconds()) not in sent]
        if stage.on_deadline in ("advance", "hold") and 0 not in sent:
            moments.append(row.deadline_at)
    for provider in WAKE_PROVIDERS:
        moments.extend(provider(session, round))
    round.wake_at = min(moments) if moments else None


# Secretariat (and employer) actions -------------------------------------------------------------------


def _managed(session: Session, actor: User, round_id: int, action: str) -> RoundView:
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, action)  # the table's row: who runs the timeline, and when
    return view


def _statuses_for(action: str) -> set[str]:
    """The round statuses from which the secretariat may take a timeline action."""
    return {"extend": {OPEN, HELD, BLOCKED, PAUSED}, "pause": {OPEN, HELD, BLOCKED},
            "resume": {PAUSED, HELD, BLOCKED}, "hold": {OPEN, BLOCKED}, "advance": {OPEN, HELD, BLOCKED}}[action]


def may_take(round: Round, action: str) -> bool:
    """Whether the round's status allows a timeline action now (pages offer only these)."""
    return round.status in _statuses_for(action)


def _refuse_unless(round: Round, statuses: set[str], action: str) -> None:
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
    _store(session, round, workflow, timeline.plan_timeline(workflow, now, round.time_zone, following.key,
                                                            stage_durations(round)))
    enter_stage(session, round, workflow, at=now, actor_id=actor.id, reason=reason, planned_at=now)
    rearm(session, round, workflow)
    return round


def extend_stage(session: Session, actor: User, round_id: int, by: Duration, reason: str) -> Round:
    """Give the current stage more time; every later deadline moves by the same amount."""
    round = _managed(session, actor, round_id, "extend_stage").round
    workflow = workflow_of(session, round)
    row = _current_row(session, round)
    if row is None or row.deadline_at is None:
        raise Conflict(gettext("The %(stage)s stage has no deadline to extend.",
                               stage=stage_name(round.stage, workflow.stage(round.stage).title)),
                       stage=round.stage)
    _refuse_unless(round, _statuses_for("extend"), "extended")
    old_deadline = row.deadline_at
    new_deadline = timeline.add_duration(old_deadline, by, round.time_zone)
    plan = timeline.shift_from(_as_plan(planned_stages(session, round)), round.stage, new_deadline - old_deadline)
    _store(session, round, workflow, plan)
    # Reminders of the extended stage count again from the new deadline.
    for reminder in session.scalars(select(SentReminder).where(SentReminder.round_id == round.id,
                                                               SentReminder.stage == round.stage)):
        session.delete(reminder)
    if round.status == BLOCKED:
        round.status, round.status_reason = OPEN, None
    _timeline_event(session, round, "stage.extended", actor, reason, deadline_was=old_deadline.isoformat(),
                    deadline_at=new_deadline.isoformat())
    session.flush()
    rearm(session, round, workflow)
    return round


def pause_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Stop the clock: nothing is open and no deadline runs until the round resumes."""
    round = _managed(session, actor, round_id, "pause_round").round
    _refuse_unless(round, _statuses_for("pause"), "paused")
    round.status, round.status_reason, round.paused_at, round.wake_at = PAUSED, reason, utcnow(), None
    _timeline_event(session, round, "round.paused", actor, reason)
    return round


def resume_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Restart the clock; after a pause every remaining deadline moves by the time the round stood still."""
    round = _managed(session, actor, round_id, "resume_round").round
    workflow = workflow_of(session, round)
    _refuse_unless(round, _statuses_for("resume"), "resumed")
    shifted = None
    if round.status == PAUSED and round.paused_at is not None:
        shifted = utcnow() - round.paused_at
        _store(session, round, workflow,
               timeline.shift_from(_as_plan(planned_stages(session, round)), round.stage, shifted))
    round.status, round.status_reason, round.paused_at = OPEN, None, None
    _timeline_event(session, round, "round.resumed", actor, reason,
                    shifted_seconds=int(shifted.total_seconds()) if shifted else 0)
    session.flush()
    rearm(session, round, workflow)
    return round


def hold_round(session: Session, actor: User, round_id: int, reason: str) -> Round:
    """Keep the round in its stage past the deadline until the secretariat advances or resumes it."""
    round = _managed(session, actor, round_id, "hold_round").round
    _refuse_unless(round, _statuses_for("hold"), "held")
    round.status, round.status_reason, round.wake_at = HELD, reason, None
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
    _refuse_unless(round, _statuses_for("advance"), "advanced")
    facts = gate_facts(session, round, stage.gates)
    unmet = messages.gate_reasons(workflow, round.stage, facts)  # for people; `reasons` stays the engine's codes
    if unmet:
        raise Conflict(gettext("The %(stage)s stage cannot end yet.", stage=stage_name(stage.key, stage.title))
                       + " " + " ".join(unmet), stage=round.stage,
                       reasons=engine.unmet_gates(workflow, round.stage, facts))
    now = utcnow()
    _store(session, round, workflow, timeline.plan_timeline(workflow, now, round.time_zone, following.key,
                                                            stage_durations(round)))
    enter_stage(session, round, workflow, at=now, actor_id=actor.id, reason=reason, planned_at=now)
    session.flush()
    rearm(session, round, workflow)
    return round
