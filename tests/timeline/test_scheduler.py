"""The scheduler: walks rounds through their stages by itself, catches up after downtime, never moves a round twice."""

from __future__ import annotations

import os
import signal
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.events.models import Event
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from consult.scheduler.runner import Scheduler
from consult.timeline.models import PlannedStage
from consult.timeline.services import start_round
from tests.processes import REDIS_URL, consult_environment, redis_answers, start_scheduler, stop
from tests.timeline.test_timeline import draft_world

WALK = ["information", "consultation", "caucus", "drafting", "sign_off"]
SECONDS = {key: "1s" for key in WALK}


def ready_round(make, lengths=SECONDS, *, start: bool = True):
    """A round with its signatories named (so the drafting gate holds), started now, stages of seconds."""
    world = draft_world(make, stage_lengths=lengths)
    for key in ("employer", "worker", "government"):
        make.signatory(world["secretariat"], world["round"], world[key].constituency.value, world[key])
    if start:
        with make.db.transaction() as session:
            start_round(session, session.get(type(world["employer"]), world["employer"].id), world["round"].id,
                        "Ready.")
    return world


def entered(db, round_id: int) -> list[tuple[str, str]]:
    """(stage, entered_at) of every stage.entered event of a round, in sequence order."""
    with db.transaction(write=False) as session:
        events = session.scalars(select(Event).where(Event.round_id == round_id, Event.type == "stage.entered")
                                 .order_by(Event.seq))
        return [(e.payload["stage"], e.payload["entered_at"]) for e in events]


def planned(db, round_id: int) -> dict[str, tuple]:
    with db.transaction(write=False) as session:
        rows = session.scalars(select(PlannedStage).where(PlannedStage.round_id == round_id))
        return {row.key: (row.starts_at, row.deadline_at) for row in rows}


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def stages_of(db, round_ids) -> dict[int, str]:
    with db.transaction(write=False) as session:
        return dict(session.execute(select(Round.id, Round.stage).where(Round.id.in_(list(round_ids)))).all())


def assert_walked_once_in_order(db, round_id: int) -> None:
    """Every stage entered exactly once, in order, each at the planned deadline of the stage before."""
    steps = entered(db, round_id)
    assert [stage for stage, _ in steps] == WALK, (round_id, steps)
    plan = planned(db, round_id)
    for (stage, at), previous in zip(steps[1:], WALK, strict=False):
        assert at == plan[previous][1].isoformat(), (round_id, stage, at, plan[previous][1])


def test_a_round_with_stages_of_seconds_walks_all_of_standard_by_the_scheduler_alone(app, make, db):
    world = ready_round(make)
    round_id = world["round"].id
    scheduler = Scheduler(app)
    scheduler.start()
    try:
        wait_for(lambda: stages_of(db, [round_id])[round_id] == "sign_off", 30, "the round to reach sign-off")
        wait_for(lambda: "stage.deadline_passed" in types_of(db, round_id), 10, "sign-off's deadline")
    finally:
        scheduler.shutdown()
    assert_walked_once_in_order(db, round_id)
    types = types_of(db, round_id)
    assert types.count("stage.deadline_passed") == 1
    # At most one reminder per stage, even when a stage is shorter than its reminders' offsets.
    reminders = [e for e in types if e == "stage.reminder"]
    assert 1 <= len(reminders) <= len(WALK)
    round = make.reload(Round, round_id)
    assert round.stage == "sign_off" and round.wake_at is None  # sign-off holds: the clock never concludes


def types_of(db, round_id: int) -> list[str]:
    with db.transaction(write=False) as session:
        return list(session.scalars(select(Event.type).where(Event.round_id == round_id).order_by(Event.seq)))


def test_after_downtime_every_overdue_round_catches_up_stage_by_stage_at_its_planned_times(make, db):
    rounds = [ready_round(make, lengths={})["round"].id for _ in range(3)]  # the workflow's own lengths (days)
    before = {round_id: planned(db, round_id) for round_id in rounds}
    handled, moved = process_due(db, utcnow() + timedelta(days=40))  # 40 days of downtime, moved by the test
    assert (handled, moved) == (3, 12)
    for round_id in rounds:
        assert_walked_once_in_order(db, round_id)
        assert planned(db, round_id) == before[round_id]  # catching up does not shift the timeline
    assert process_due(db, utcnow() + timedelta(days=40)) == (0, 0)


def environment_for(database_url: str, tmp_path, **extra: str) -> dict[str, str]:
    return consult_environment(database_url, tmp_path / "scheduler", **extra)


def test_a_scheduler_killed_mid_walk_and_restarted_skips_no_stage_and_enters_none_twice(database_url, make, db,
                                                                                          tmp_path, scenario):
    scenario(done="a consult scheduler process killed with SIGKILL mid-walk of 12 rounds, then restarted",
             checked="no stage skipped, none entered twice, each at its planned time")
    lengths = {key: "2s" for key in WALK}
    rounds = [ready_round(make, lengths=lengths)["round"].id for _ in range(12)]
    environment = environment_for(database_url, tmp_path)
    first = start_scheduler(environment)
    try:
        wait_for(lambda: any(stage in ("caucus", "drafting") for stage in stages_of(db, rounds).values()), 30,
                 "the first scheduler to move rounds")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        stalled = stages_of(db, rounds)
        time.sleep(3)  # down while deadlines pass
        assert stages_of(db, rounds) == stalled
        assert any(stage != "sign_off" for stage in stalled.values()), "the kill came too late to prove anything"
        second = start_scheduler(environment)
        try:
            wait_for(lambda: set(stages_of(db, rounds).values()) == {"sign_off"}, 60, "every round to reach sign-off")
        finally:
            stop([second])
    finally:
        stop([first])
    for round_id in rounds:
        assert_walked_once_in_order(db, round_id)


@pytest.mark.postgres_only
@pytest.mark.skipif(not redis_answers(), reason=f"needs Redis at {REDIS_URL}")
def test_two_scheduler_processes_move_every_round_exactly_once_per_stage(backend, database_url, app, make, db,
                                                                         tmp_path, scenario):
    scenario(done="two consult scheduler processes walk 40 rounds on one PostgreSQL database",
             checked="every round moved exactly once per stage")
    if backend != "postgresql":
        pytest.skip("by design: two scheduler processes share work through PostgreSQL row locks")
    channel = f"test-{uuid.uuid4().hex[:8]}"
    environment = environment_for(database_url, tmp_path, redis_url=REDIS_URL, CONSULT_REDIS_CHANNEL=channel)
    processes = [start_scheduler(environment), start_scheduler(environment)]
    try:
        time.sleep(2)  # both running and armed with nothing to do
        # Rounds opened while the schedulers run: the web side announces each new deadline on Redis.
        from consult import create_app

        web = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "web"),
                          "SECRET_KEY": "s", "REDIS_URL": REDIS_URL, "REDIS_CHANNEL": channel})
        from tests.factories import Factory

        lengths = {key: "1s" for key in WALK}
        rounds = [ready_round(Factory(web), lengths=lengths)["round"].id for _ in range(40)]
        wait_for(lambda: set(stages_of(db, rounds).values()) == {"sign_off"}, 90, "every round to reach sign-off")
        assert all(process.poll() is None for process in processes)
    finally:
        stop(processes)
    for round_id in rounds:
        assert_walked_once_in_order(db, round_id)
    web.extensions["consult.db"].dispose()
