"""The event log: sequence, hash chain, and after-commit dispatch in order (nothing for a rollback)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.accounts.models import User
from consult.comments.models import Channel
from consult.comments.services import post_comment
from consult.events.chain import event_hash
from consult.events.models import Event
from consult.rounds.models import Round
from tests.factories import tripartite


def test_committed_events_reach_subscribers_in_sequence_order_after_commit(make, db):
    world = tripartite(make)
    seen: list[list[tuple[int, str]]] = []
    db.dispatcher.subscribe(lambda events: seen.append([(e.seq, e.type) for e in events]))
    before = make.reload(Round, world["round"].id).last_seq
    with db.transaction() as session:
        worker = session.get(User, world["worker"].id)
        for body in ("one", "two", "three"):
            post_comment(session, worker, world["round"].id,
                         {"section": "system", "body": body, "channel": Channel.PLENARY, "parent_id": None})
        assert seen == []  # nothing before the commit
    assert seen == [[(before + 1, "comment.posted"), (before + 2, "comment.posted"), (before + 3, "comment.posted")]]


def test_what_a_writer_prepared_from_a_flush_is_dropped_when_the_transaction_writes_again(make, db):
    world = tripartite(make)
    kept: list[list[tuple[str, bool]]] = []
    db.dispatcher.subscribe_written(lambda _session, events: [e.prepared.update(made=True) for e in events])
    db.dispatcher.subscribe(lambda events: kept.append([(e.type, "made" in e.prepared) for e in events]))
    for bodies in (["alone"], ["one", "two", "three"]):
        with db.transaction() as session:
            worker = session.get(User, world["worker"].id)
            for body in bodies:
                post_comment(session, worker, world["round"].id,
                             {"section": "system", "body": body, "channel": Channel.PLENARY, "parent_id": None})
    # Each later comment's flush may change what an earlier event was prepared from: only the last one keeps it.
    assert kept == [[("comment.posted", True)], [("comment.posted", False)] * 2 + [("comment.posted", True)]]


def test_a_rolled_back_transaction_dispatches_nothing_and_leaves_no_gap(make, db):
    world = tripartite(make)
    seen: list = []
    db.dispatcher.subscribe(seen.append)
    with pytest.raises(RuntimeError), db.transaction() as session:
        post_comment(session, session.get(User, world["worker"].id), world["round"].id,
                     {"section": "system", "body": "lost", "channel": Channel.PLENARY, "parent_id": None})
        session.flush()
        raise RuntimeError("the request failed after the flush")
    assert seen == []
    make.comment(world["worker"], world["round"], "kept")
    with db.transaction(write=False) as session:
        seqs = session.scalars(select(Event.seq).where(Event.round_id == world["round"].id).order_by(Event.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seen) == 1 and seen[0][0].payload["section"] == "system"


def test_each_event_chains_onto_the_hash_of_the_one_before(make, db):
    world = tripartite(make)
    make.comment(world["worker"], world["round"])
    with db.transaction(write=False) as session:
        events = session.scalars(select(Event).where(Event.round_id == world["round"].id).order_by(Event.seq)).all()
    previous = ""
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == event_hash(previous, round_id=event.round_id, seq=event.seq, type=event.type,
                                        actor_id=event.actor_id, audience=event.audience, payload=event.payload,
                                        created_at=event.created_at)
        previous = event.hash
    # opened, three invitations, two stages entered (information, consultation), the comment
    assert [e.seq for e in events] == list(range(1, 8))
