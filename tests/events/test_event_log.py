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


def test_preparers_see_the_transaction_as_it_commits_once_and_only_when_it_commits(make, db):
    from consult.comments.models import Comment
    from consult.public_ids import by_reference

    world = tripartite(make)
    seen: list[list[tuple[int, str]]] = []

    def prepare(session, events):  # what each comment reads as at the commit, after every change
        seen.append([(e.seq, by_reference(session, Comment, None, e.payload["comment_id"]).body) for e in events])
        for e in events:
            e.prepared["body"] = by_reference(session, Comment, None, e.payload["comment_id"]).body

    db.dispatcher.subscribe_prepared(prepare)
    delivered: list = []
    db.dispatcher.subscribe(lambda events: delivered.append([e.prepared.get("body") for e in events]))
    with db.transaction() as session:
        worker = session.get(User, world["worker"].id)
        def post(body: str):
            return post_comment(session, worker, world["round"].id,
                                {"section": "system", "body": body, "channel": Channel.PLENARY, "parent_id": None})

        first = post("one")
        with session.begin_nested():  # a savepoint's release is not the commit
            post("two")
        post("three")  # its event is not flushed until the commit
        assert seen == [] and delivered == []
        first.body = "one, reworded"  # changed after its event was written
    assert [[body for _, body in batch] for batch in seen] == [["one, reworded", "two", "three"]]
    assert delivered == [["one, reworded", "two", "three"]]
    with pytest.raises(RuntimeError), db.transaction() as session:
        post_comment(session, session.get(User, world["worker"].id), world["round"].id,
                     {"section": "system", "body": "lost", "channel": Channel.PLENARY, "parent_id": None})
        raise RuntimeError("the request failed")
    assert len(seen) == 1


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
