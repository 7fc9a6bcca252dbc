"""The write path's economies keep its guarantees: the round's head as the log ends, the lock waits each caller
asked for, and on PostgreSQL one connection and one transaction per post."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select, text

from consult.db import Database, lock_wait
from consult.events.models import Event
from consult.rounds.models import Round
from tests.factories import tripartite


def test_the_rounds_head_in_the_database_is_where_its_log_ends_after_posts(make, api, db):
    world = tripartite(make)
    round_id = world["round"].id
    for user, channel in ((world["worker"], "plenary"), (world["worker"], "caucus"), (world["employer"], "plenary"),
                          (world["employer"], "caucus"), (world["worker"], "plenary")):
        answer = api(user).post(f"/rounds/{round_id}/comments",
                                json={"section": "system", "body": f"{channel} words", "channel": channel})
        assert answer.status_code == 201, answer.get_json()
    with db.transaction(write=False) as session:
        round = session.scalars(select(Round).where(Round.id == round_id)).unique().one()
        last = session.scalars(select(Event).where(Event.round_id == round_id).order_by(Event.seq.desc())).first()
        heads = dict(session.execute(select(Event.audience, func.max(Event.audience_seq))
                                     .where(Event.round_id == round_id).group_by(Event.audience)).all())
        seqs = session.scalars(select(Event.seq).where(Event.round_id == round_id).order_by(Event.seq)).all()
    assert (round.last_seq, round.last_event_hash) == (last.seq, last.hash)
    assert round.audience_heads == heads and heads["caucus:workers"] == 1 and heads["caucus:employers"] == 1
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.one_database("postgresql", "SQLite reads who is asking in a transaction of its own (consult/app.py)")
def test_a_post_on_postgresql_takes_one_connection_and_one_transaction(make, api, db):
    world = tripartite(make)
    client = api(world["employer"])
    taken, begun, here = [], [], threading.get_ident()  # this thread's: a sender thread may wake meanwhile
    event.listen(db.engine, "checkout", lambda *args: taken.append(threading.get_ident() == here))
    event.listen(db.engine, "begin", lambda *args: begun.append(threading.get_ident() == here))
    answer = client.post(f"/rounds/{world['round'].id}/comments", json={"section": "system", "body": "once"})
    assert answer.status_code == 201
    assert (sum(taken), sum(begun)) == (1, 1)


@pytest.mark.one_database("postgresql", "SQLite's busy timeout is set per transaction already (consult/db.py)")
def test_each_transaction_waits_for_locks_as_long_as_its_caller_asked(app, db):

    def lock_timeout(session_factory, wait) -> str:
        token = lock_wait.set(wait)
        try:
            with session_factory() as session, session.begin():
                return session.execute(text("SHOW lock_timeout")).scalar_one()
        finally:
            lock_wait.reset(token)

    assert app.config["DB_LOCK_WAIT"] == 1.0
    assert lock_timeout(db.factory, 1.0) == "1s"  # a request: the connection's own setting
    assert lock_timeout(db.factory, 0.25) == "250ms"  # a reading mark
    assert lock_timeout(db.factory, None) == "0"  # the CLI, the scheduler: no limit
    assert lock_timeout(db.factory, 1.0) == "1s"  # what a transaction set ends with it
    assert lock_timeout(db.dedicated_factory(), None) == "0"  # the live push
    pooled = Database(db.url, usual_lock_wait=None)  # behind PgBouncer (DB_BEHIND_POOLER): set per transaction
    try:
        assert lock_timeout(pooled.factory, 1.0) == "1s" and lock_timeout(pooled.factory, None) == "0"
    finally:
        pooled.dispose()
