"""The clock's work on due rounds, a batch at a time: reminders, catch-up through overdue stages, blocks.

The scheduler locks a batch of due rounds; what they need is read in a few queries for the whole batch
(timelines, reminders sent, signatories), each round is walked in memory, and the batch is written at
once: a compare-and-set per round on the stage and sequence number it was read at (one statement for the
batch), then its events, timeline stamps and reminder marks in one flush. Each stage entered is stamped
with its planned time, and the timeline is never shifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, get_history, set_committed_value

from consult.bulk import insert_many, update_many
from consult.events.services import insert_events, next_event
from consult.policy import PARTICIPANTS, SECRETARIAT
from consult.rounds.models import Round, RoundStatus
from consult.timeline.clock import RoundClock, gate_facts, gate_facts_many, rearm, record_entry
from consult.timeline.models import PlannedStage, SentReminder
from consult.timeline.rules import workflow_of
from consult.wiring import wiring_of
from consult.workflow import engine, timeline
from consult.workflow.definitions import Workflow


class StaleRound(RuntimeError):
    """A round of the batch changed after it was read: the whole batch is rolled back, nothing is written."""


#: The round's columns the clock moves, written by the compare-and-set.
HEAD = ("stage", "stage_entered_at", "status", "status_reason", "paused_at", "wake_at", "last_seq",
        "audience_heads", "last_event_hash")


@dataclass
class _Writes:
    """What a batch writes in bulk at its end: events, timeline stamps."""

    events: list[dict[str, Any]] = field(default_factory=list)
    stamps: list[dict[str, Any]] = field(default_factory=list)

    def event(self, round: Round, type: str, audience: str, payload: dict[str, Any]) -> None:
        """Number and chain a scheduler event of a round, to be written with the batch."""
        self.events.append(next_event(round, type, actor_id=None, audience=audience, payload=payload))


def run_due(session: Session, rounds: list[Round], now: datetime) -> int:
    """Everything the clock asks of these locked rounds, written together; how many stages they moved in all."""
    workflows = {round.id: workflow_of(session, round) for round in rounds}
    due_kinds = wiring_of(session).due_kinds
    for round in rounds:
        for kind in due_kinds:
            kind.handle(session, round, now)
    clocks = RoundClock.read_many(session, rounds)
    wanted = [(round, gates) for round in rounds
              if (gates := _gates_ahead(round, workflows[round.id], clocks[round.id], now))]
    facts = gate_facts_many(session, wanted)
    writes = _Writes()
    moved = 0
    with session.no_autoflush:  # the batch is written in bulk at the end, after the compare-and-set
        for round in rounds:
            moved += _walk(session, round, workflows[round.id], clocks[round.id], now, facts.get(round.id), writes)
            rearm(session, round, workflows[round.id], clocks[round.id])
        _compare_and_set(session, rounds)
        insert_events(session, writes.events)
        _write_stamps(session, writes.stamps)
        _write_marks(session, rounds, clocks)
    session.flush()  # whatever the features' hooks changed
    return moved


def _gates_ahead(round: Round, workflow: Workflow, clock: RoundClock, now: datetime) -> set[str]:
    """The gates the walk may judge: those of the overdue stages that advance at their deadline, from here on."""
    gates: set[str] = set()
    key = round.stage if round.status == RoundStatus.OPEN else None
    while key is not None:
        stage, row = workflow.stage(key), clock.rows.get(key)
        if row is None or row.deadline_at is None or row.deadline_at > now or stage.on_deadline != "advance":
            break
        gates.update(stage.gates)
        following = workflow.next_stage(key)
        key = following.key if following else None
    return gates


def _walk(session: Session, round: Round, workflow: Workflow, clock: RoundClock, now: datetime,
          facts: dict[str, Any] | None, writes: _Writes) -> int:
    """Walk one round through its overdue stages in memory; how many it entered."""
    moved = 0
    while round.status == RoundStatus.OPEN:
        row = clock.rows.get(round.stage)
        if row is None or row.deadline_at is None:
            break
        _send_reminders(round, workflow, row, now, clock, writes)
        if row.deadline_at > now:
            break
        stage = workflow.stage(round.stage)
        if stage.on_deadline == "hold":
            if clock.mark(round, 0, now):
                writes.event(round, "stage.deadline_passed", PARTICIPANTS,
                             {"stage": round.stage, "deadline_at": row.deadline_at.isoformat(),
                              "message": "The deadline has passed; the round waits for the secretariat."})
            break
        following = workflow.next_stage(round.stage)
        if stage.on_deadline != "advance" or following is None:
            break
        if stage.gates:
            unmet = engine.unmet_gates(workflow, round.stage,
                                       facts if facts is not None else gate_facts(session, round, stage.gates))
            if unmet:
                round.status, round.status_reason = RoundStatus.BLOCKED, " ".join(unmet)
                writes.event(round, "round.blocked", SECRETARIAT,
                             {"stage": round.stage, "deadline_at": row.deadline_at.isoformat(), "reasons": unmet})
                break
        next_row = clock.rows.get(following.key)
        previous, at = round.stage, row.deadline_at
        round.stage, round.stage_entered_at, round.status, round.status_reason, round.paused_at = (
            following.key, at, RoundStatus.OPEN, None, None)
        if next_row is not None:
            writes.stamps.append({"s_round": round.id, "s_key": following.key, "s_at": at})
        record_entry(session, round, following, previous, at=at, actor_id=None, reason=None,
                     planned_at=next_row.starts_at if next_row else at, buffer=writes.events)
        moved += 1
    return moved


def _send_reminders(round: Round, workflow: Workflow, row: timeline.PlannedStage, now: datetime,
                    clock: RoundClock, writes: _Writes) -> None:
    """Send one reminder for the reminders now due in the current stage; each is marked so it is never sent twice."""
    due = [offset for offset in workflow.stage(round.stage).reminders
           if row.deadline_at - offset <= now and clock.mark(round, int(offset.total_seconds()), now)]
    if due and now < row.deadline_at:  # a reminder after the deadline says nothing: it is only marked
        writes.event(round, "stage.reminder", PARTICIPANTS,
                     {"stage": round.stage, "deadline_at": row.deadline_at.isoformat(),
                      "seconds_left": int((row.deadline_at - now).total_seconds())})


def _compare_and_set(session: Session, rounds: list[Round]) -> None:
    """Write each round's new head only where the row still holds the stage and sequence number read; one statement.

    A row that changed under the batch (another writer without the lock) matches nothing: the batch is rolled
    back whole, so no event of it is written on a stale head.
    """
    moves = []
    for round in rounds:
        histories = {key: get_history(round, key, passive=PASSIVE_NO_INITIALIZE) for key in HEAD}
        if any(history.has_changes() for history in histories.values()):
            was = {key: (histories[key].deleted or histories[key].unchanged or [None])[0]
                   for key in ("stage", "last_seq")}
            moves.append({"h_id": round.id, "was_stage": was["stage"], "was_seq": was["last_seq"],
                          **{f"h_{key}": getattr(round, key) for key in HEAD}})
    if not moves:
        return
    changed = update_many(session, Round.__table__, moves, match={"id": "h_id", "stage": "was_stage",
                                                                  "last_seq": "was_seq"},
                          values={key: f"h_{key}" for key in HEAD})
    if changed != len(moves):
        raise StaleRound(f"{len(moves) - changed} of {len(moves)} rounds changed under the scheduler")
    for round in rounds:
        for key in HEAD:
            set_committed_value(round, key, getattr(round, key))


def _write_stamps(session: Session, stamps: list[dict[str, Any]]) -> None:
    """Stamp each stage entered with its time on the round's timeline, in one statement."""
    update_many(session, PlannedStage.__table__, stamps, match={"round_id": "s_round", "key": "s_key"},
                values={"entered_at": "s_at"})


def _write_marks(session: Session, rounds: list[Round], clocks: dict[int, RoundClock]) -> None:
    """Write the reminder marks of the stage each round stands in, in one statement.

    Marks made in a stage the walk then left are dropped: no stage is entered twice, so nothing reads them.
    """
    rows = [{"round_id": round.id, "stage": stage, "offset_seconds": offset, "sent_at": at}
            for round in rounds for stage, offset, at in clocks[round.id].marks if stage == round.stage]
    if rows:
        insert_many(session, SentReminder.__table__, rows)  # Core: an ORM bulk insert would flush first
