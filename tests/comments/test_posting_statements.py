"""While a post holds its round's lock, it writes the comment and its event in one statement, then commits.

Every statement a writer sends while it holds the round's lock is a wait for the database; under gevent each
wait lets the rest of the process run (the push of the previous comment to hundreds of sockets) before the
writer goes on, and the round's next writer waits for all of it. So on PostgreSQL the comment's insert also
appends its event and moves the round's head (bench/post_cost.py counts the statements, bench/live.py the
effect under load).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select

from consult.comments.models import Comment
from consult.events.audit import verify_round
from consult.events.models import Event
from consult.rounds.models import Round
from tests.factories import tripartite


@pytest.fixture
def world(make):
    """A round in consultation with every constituency present."""
    return tripartite(make)


@pytest.mark.one_database("postgresql", "data-modifying WITH is PostgreSQL's (SQLite's writer holds the file)")
def test_a_post_sends_one_statement_while_it_holds_the_round_lock(api, db, world):
    round_id = world["round"].id
    here, statements = threading.get_ident(), []

    def count(_conn, _cursor, statement, *_rest) -> None:
        if threading.get_ident() == here:
            statements.append(" ".join(statement.split()))

    posted = []
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for person in ("employer", "worker", "worker", "government"):  # the worker's second: the pseudonym exists
            statements.clear()
            answer = api(world[person]).post(f"/rounds/{round_id}/comments",
                                             json={"section": "privacy", "body": f"A point from the {person}."})
            assert answer.status_code == 201, answer.get_json()
            posted.append(answer.get_json())
            locked = next(i for i, s in enumerate(statements) if s.endswith("FOR UPDATE OF rounds"))
            held = [s for s in statements[locked + 1:] if not s.startswith("SELECT round_aliases")]
            if person == "worker" and len(posted) == 2:  # the first worker's post numbers the pseudonym
                held = [s for s in held if not s.startswith("INSERT INTO round_aliases")]
            assert len(held) == 1, held
            assert "INSERT INTO events" in held[0] and "INSERT INTO comments" in held[0], held
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    with db.transaction(write=False) as session:
        comments = {c.public_id: c for c in session.scalars(select(Comment).where(Comment.round_id == round_id))}
        events = session.scalars(select(Event).where(Event.round_id == round_id, Event.type == "comment.posted")
                                 .order_by(Event.seq)).all()
        round = session.get(Round, round_id)
        assert verify_round(session, round) is None
        assert round.last_seq == max(e.seq for e in session.scalars(select(Event).where(Event.round_id == round_id)))
    assert [e.payload["comment_id"] for e in events] == [c["id"] for c in posted]
    assert all(comments[e.payload["comment_id"]].created_at == e.created_at for e in events)
