"""Catching up after downtime, a batch of rounds per transaction: each stage entered once, in order, at its
planned time, by any number of schedulers at once; a failing gate blocks its own round and no other."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import event, func, select

from consult import create_app
from consult.accounts.models import User
from consult.db import utcnow
from consult.events.audit import verify_all
from consult.events.models import Event
from consult.rounds.models import Round
from consult.rounds.schemas import RoundIn
from consult.rounds.services import invite_organisation, name_signatory, open_round
from consult.scheduler import jobs
from consult.scheduler.jobs import process_due
from consult.timeline.services import start_round
from tests.factories import round_payload, tripartite
from tests.timeline.test_scheduler import WALK, assert_walked_once_in_order, entered, planned, types_of

#: Rounds of the two schedulers' catch-up, taken in transactions of BATCH_OF: three batches, so the schedulers
#: meet within a batch and across batches (the product's batch is 200; its size changes no rule, and building
#: 200 rounds through the services took most of this file's time).
ROUNDS, BATCH_OF = 60, 20
#: The round in the middle of the second batch that names no signatories, so the drafting gate fails there.
UNSIGNED = 30


def overdue_rounds(make, count: int, unsigned: set[int]) -> list[int]:
    """`count` started tripartite rounds with the workflow's own stage lengths; those in `unsigned` name no one."""
    world = tripartite(make, stage="draft")
    ids = []
    with make.db.transaction() as session:
        employer, secretariat = (session.get(User, world[key].id) for key in ("employer", "secretariat"))
        for index in range(count):
            round = open_round(session, employer, RoundIn().load(round_payload()))
            for key in ("worker", "government", "secretariat"):
                invite_organisation(session, employer, round.id, world[key].organisation_id)
            if index not in unsigned:
                for key in ("employer", "worker", "government"):
                    name_signatory(session, secretariat, round.id, world[key].constituency.value, world[key].id)
            start_round(session, employer, round.id, "Ready.")
            ids.append(round.id)
    return ids


def test_two_schedulers_catching_up_the_same_rounds_in_batches_enter_every_stage_once_and_a_gate_blocks_only_its_round(
        database_url, app, make, db, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "PER_TRANSACTION", BATCH_OF)
    ids = overdue_rounds(make, ROUNDS, {UNSIGNED})
    blocked = ids[UNSIGNED]
    before = {round_id: planned(db, round_id) for round_id in (ids[0], blocked, ids[-1])}
    second = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "second"), "SECRET_KEY": "s"})
    now = utcnow() + timedelta(days=60)  # 60 days of downtime: every round is due through sign-off's deadline
    start, results, failures = threading.Barrier(2), [], []

    def scheduler(database) -> None:
        try:
            start.wait()
            results.append(process_due(database, now))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=scheduler, args=(database,))
               for database in (db, second.extensions["consult.db"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    second.extensions["consult.db"].dispose()
    assert not failures and len(results) == 2
    # Between them the two handled each round once: all but one walked four stages, the unsigned one three.
    assert sum(handled for handled, _ in results) == ROUNDS
    assert sum(moved for _, moved in results) == 4 * (ROUNDS - 1) + 3
    for round_id in ids:
        if round_id != blocked:
            assert_walked_once_in_order(db, round_id)
            assert types_of(db, round_id).count("stage.deadline_passed") == 1
    steps = entered(db, blocked)
    assert [stage for stage, _ in steps] == WALK[:4]
    plan = planned(db, blocked)
    assert [at for _, at in steps[1:]] == [plan[stage][1].isoformat() for stage in WALK[:3]]
    assert types_of(db, blocked).count("round.blocked") == 1
    with db.transaction(write=False) as session:
        statuses = dict(session.execute(select(Round.id, Round.status).where(Round.id.in_(ids))).all())
        assert {round_id for round_id, status in statuses.items() if status == "blocked"} == {blocked}
        assert session.get(Round, blocked).status_reason.startswith("No signatory named")
        assert session.scalar(select(func.count()).select_from(Event).where(
            Event.round_id.in_(ids), Event.type == "stage.entered")) == 5 * (ROUNDS - 1) + 4
        checked, breaks = verify_all(session)
        # with the people's draft round; each chain numbered 1..n, hashes linked
        assert checked == ROUNDS + 1 and breaks == []
    for round_id, plan in before.items():
        assert planned(db, round_id) == plan  # catching up never shifts the timeline
    assert process_due(db, now) == (0, 0)


def test_a_batch_of_overdue_rounds_is_written_in_a_few_statements_whatever_its_size(make, db, monkeypatch):
    monkeypatch.setattr(jobs, "PER_TRANSACTION", 40)  # a batch of 40 takes as many statements as one of 200
    ids = overdue_rounds(make, jobs.PER_TRANSACTION, set())
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        handled, moved = process_due(db, utcnow() + timedelta(days=60))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert (handled, moved) == (len(ids), 4 * len(ids))
    # One compare-and-set for the rounds' heads, one insert of the events, one of the timeline stamps, one of
    # the reminder marks, where one round at a time took about 14 writes each (560 for these 40 rounds).
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) <= 6, writes
