"""The clock's work on due rounds, a batch at a time: reminders, catch-up through overdue stages, blocks.

The scheduler locks a batch of due rounds; what they need is read in a few queries for the whole batch
(timelines, reminders sent, signatories), each round is walked in memory, and the batch is written at
once: a compare-and-set per round on the stage and sequence number it was read at (one statement for the
batch), then its events, timeline stamps and reminder marks in one flush. Each stage entered is stamped
with its planned time, and the timeline is never shifted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from consult.events.services import append_event
from consult.policy import PARTICIPANTS, SECRETARIAT
from consult.rounds.models import Round
from consult.timeline.models import PlannedStage, SentReminder
from consult.timeline.rules import workflow_of
from consult.timeline.services import (
    BLOCKED,
    DUE_HANDLERS,
    OPEN,
    RoundClock,
    gate_facts,
    gate_facts_many,
    rearm,
    record_entry,
)
from consult.workflow import engine
from consult.workflow.definitions import Workflow


class StaleRound(RuntimeError):
    """A round of the batch changed after it was read: the whole batch is rolled back, nothing is written."""


def run_due(session: Session, rounds: list[Round], now: datetime) -> int:
    """Everything the clock asks of these locked rounds, written together; how many stages they moved in all."""
    workflows = {round.id: workflow_of(session, round) for round in rounds}
    for round in rounds:
        for handler in DUE_HANDLERS:
            handler(session, round, now)
    clocks = RoundClock.read_many(session, rounds)
    wanted = [(round, gates) for round in rounds
              if (gates := _gates_ahead(round, workflows[round.id], clocks[round.id], now))]
    facts = gate_facts_many(session, wanted)
    moves: list[dict[str, Any]] = []
    moved = 0
    with session.no_autoflush:  # everything the walk writes goes out in one flush, after the compare-and-set
        for round in rounds:
            read_at = {"round_id": round.id, "from_stage": round.stage, "from_seq": round.last_seq}
            moved += _walk(session, round, workflows[round.id], clocks[round.id], now, facts.get(round.id))
            rearm(session, round, workflows[round.id], clocks[round.id])
            if (round.stage, round.last_seq) != (read_at["from_stage"], read_at["from_seq"]):
                moves.append({**read_at, "to_stage": round.stage, "to_seq": round.last_seq})
        _compare_and_set(session, moves)
        _write_marks(session, rounds, clocks)
    session.flush()
    return moved


def _gates_ahead(round: Round, workflow: Workflow, clock: RoundClock, now: datetime) -> set[str]:
    """The gates the walk may judge: those of the overdue stages that advance at their deadline, from here on."""
    gates: set[str] = set()
    key = round.stage if round.status == OPEN else None
    while key is not None:
        stage, row = workflow.stage(key), clock.rows.get(key)
        if row is None or row.deadline_at is None or row.deadline_at > now or stage.on_deadline != "advance":
            break
        gates.update(stage.gates)
        following = workflow.next_stage(key)
        key = following.key if following else None
    return gates


def _walk(session: Session, round: Round, workflow: Workflow, clock: RoundClock, now: datetime,
          facts: dict[str, Any] | None) -> int:
    """Walk one round through its overdue stages in memory; how many it entered."""
    moved = 0
    while round.status == OPEN:
        row = clock.rows.get(round.stage)
        if row is None or row.deadline_at is None:
            break
        _send_reminders(session, round, workflow, row, now, clock)
        if row.deadline_at > now:
            break
        stage = workflow.stage(round.stage)
        if stage.on_deadline == "hold":
            if clock.mark(round, 0, now):
                append_event(session, round, "stage.deadline_passed", actor_id=None, audience=PARTICIPANTS,
                             payload={"stage": round.stage, "deadline_at": row.deadline_at.isoformat(),
                                      "message": "The deadline has passed; the round waits for the secretariat."})
            break
        following = workflow.next_stage(round.stage)
        if stage.on_deadline != "advance" or following is None:
            break
        if stage.gates:
            unmet = engine.unmet_gates(workflow, round.stage,
                                       facts if facts is not None else gate_facts(session, round, stage.gates))
            if unmet:
                _block(session, round, unmet, row.deadline_at)
                break
        next_row = clock.rows.get(following.key)
        previous, at = round.stage, row.deadline_at
        round.stage, round.stage_entered_at, round.status, round.status_reason, round.paused_at = (
            following.key, at, OPEN, None, None)
        record_entry(session, round, following, previous, next_row, at=at, actor_id=None, reason=None,
                     planned_at=next_row.starts_at if next_row else at)
        moved += 1
    return moved


def _send_reminders(session: Session, round: Round, workflow: Workflow, row: PlannedStage, now: datetime,
                    clock: RoundClock) -> None:
    """Send one reminder for the reminders now due in the current stage; each is marked so it is never sent twice."""
    due = [offset for offset in workflow.stage(round.stage).reminders
           if row.deadline_at - offset <= now and clock.mark(round, int(offset.total_seconds()), now)]
    if due and now < row.deadline_at:  # a reminder after the deadline says nothing: it is only marked
        append_event(session, round, "stage.reminder", actor_id=None, audience=PARTICIPANTS,
                     payload={"stage": round.stage, "deadline_at": row.deadline_at.isoformat(),
                              "seconds_left": int((row.deadline_at - now).total_seconds())})


def _block(session: Session, round: Round, unmet: list[str], deadline: datetime) -> None:
    round.status, round.status_reason = BLOCKED, " ".join(unmet)
    append_event(session, round, "round.blocked", actor_id=None, audience=SECRETARIAT,
                 payload={"stage": round.stage, "deadline_at": deadline.isoformat(), "reasons": unmet})


def _write_marks(session: Session, rounds: list[Round], clocks: dict[int, RoundClock]) -> None:
    """Write the reminder marks of the stage each round stands in, in one statement.

    Marks made in a stage the walk then left are dropped: no stage is entered twice, so nothing reads them.
    """
    rows = [{"round_id": round.id, "stage": stage, "offset_seconds": offset, "sent_at": at}
            for round in rounds for stage, offset, at in clocks[round.id].marks if stage == round.stage]
    if rows:
        session.execute(insert(SentReminder.__table__), rows)  # Core: an ORM bulk insert would flush first


def _compare_and_set(session: Session, moves: list[dict[str, Any]]) -> None:
    """Move each round's stage and log head only if they are still what the walk read; else roll it all back."""
    if not moves:
        return
    table = Round.__table__
    statement = (update(table).where(table.c.id == bindparam("round_id"), table.c.stage == bindparam("from_stage"),
                                     table.c.last_seq == bindparam("from_seq"))
                 .values(stage=bindparam("to_stage"), last_seq=bindparam("to_seq")))
    changed = session.execute(statement, moves).rowcount
    if changed != len(moves):
        raise StaleRound(f"{len(moves) - changed} of {len(moves)} rounds changed under the scheduler")
