"""A join's replay is shared by the sockets of one lens, and by nobody else (consult/live/replay.py).

DESIGN.md: caucus content never reaches the wrong room; every committed event reaches each follower exactly
once, in order. The shared replay must show each joining socket exactly what its own lens may see: another
constituency's caucus never, a person's own events to that person only, and an event logged after a
replay was kept in the next join's answer.
"""

from __future__ import annotations

from consult.events.services import append_event, lock_round
from consult.policy import user_audience
from tests.factories import Factory, tripartite


def _join(app, make, user, round_id: int, last_seq: int = 0) -> dict:
    client = app.extensions["socketio"].test_client(app, auth={"token": make.token(user)})
    answer = client.emit("join", {"round_id": round_id, "last_seq": last_seq}, callback=True)
    client.disconnect()
    assert "error" not in answer, answer
    return answer


def _bodies(answer: dict) -> list[str]:
    return [e["comment"]["body"] for e in answer["events"] if e.get("comment") and e["comment"]["body"]]


def test_the_shared_replay_keeps_caucuses_and_personal_events_to_their_own_sockets(app):
    make = Factory(app)
    world = tripartite(make)
    round = world["round"]
    second_worker = make.user(world["worker"].organisation, name="Walt Worker")
    make.comment(world["worker"], round, body="Plenary: open to all")
    make.comment(world["worker"], round, body="Caucus: workers only", channel="caucus")
    with make.db.transaction() as session:  # an event addressed to one person (as a caucus draft's is)
        locked = lock_round(session, round.id)
        append_event(session, locked, "package.document_added", actor_id=world["worker"].id,
                     audience=user_audience(world["worker"].id), payload={"document_id": 0})

    worker = _join(app, make, world["worker"], round.id)
    employer = _join(app, make, world["employer"], round.id)
    government = _join(app, make, world["government"], round.id)
    walt = _join(app, make, second_worker, round.id)

    assert _bodies(worker) == ["Plenary: open to all", "Caucus: workers only"]
    assert _bodies(walt) == ["Plenary: open to all", "Caucus: workers only"]
    for other in (employer, government):
        assert _bodies(other) == ["Plenary: open to all"]
        assert all(e.get("comment", {}).get("caucus") is None for e in other["events"])
    personal = [e for e in worker["events"] if e["type"] == "package.document_added"]
    assert len(personal) == 1  # the person it is addressed to gets it ...
    for other in (walt, employer, government):  # ... and nobody else, though Walt shares Wanda's lens
        assert not [e for e in other["events"] if e["type"] == "package.document_added"]
    for answer in (worker, employer, government, walt):  # in order, each once, through the head of the log
        seqs = [e["seq"] for e in answer["events"]]
        assert seqs == sorted(set(seqs)) and answer["through"] >= seqs[-1]
    assert app.extensions["consult.replays"].hits >= 1  # Walt's join was served from Wanda's lens

    make.comment(world["employer"], round, body="Posted after the replays were kept")
    later = _join(app, make, second_worker, round.id)
    assert _bodies(later)[-1] == "Posted after the replays were kept"
    assert later["through"] == walt["through"] + 1
    resumed = _join(app, make, world["government"], round.id, last_seq=government["through"])
    assert _bodies(resumed) == ["Posted after the replays were kept"]
