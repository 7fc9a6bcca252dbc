"""A join's replay is shared by the sockets of one lens, and by nobody else (consult/live/replay.py).

DESIGN.md: caucus content never reaches the wrong room; every committed event reaches each follower exactly
once, in order. The shared replay must show each joining socket exactly what its own lens may see: another
constituency's caucus never, a person's own events to nobody else (the feed carries whole audiences; the
person's own come as notices and from the API), and an event logged after a replay was kept in the next
join's answer.
"""

from __future__ import annotations

from consult.accounts.models import Constituency
from consult.events.cursor import heads_of
from consult.events.services import append_event, lock_round
from consult.live.admission import RoundLens
from consult.live.replay import ReplayCache, replayed, room_audiences
from consult.policy import RoundView, user_audience
from consult.rounds.models import Round
from tests.factories import Factory, tripartite


def _join(app, make, user, round_id: int, cursor: dict | None = None) -> dict:
    client = app.extensions["socketio"].test_client(app, auth={"token": make.token(user)})
    answer = client.emit("join", {"round_id": round_id, "cursor": cursor or {}}, callback=True)
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
        append_event(session, locked, "document.attached", actor_id=world["worker"].id,
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
    for answer in (worker, walt, employer, government):  # a person's own events are not the room's
        assert not [e for e in answer["events"] if e["type"] == "document.attached"]
    listed = app.test_client().get(f"/api/v1/rounds/{round.id}/events",
                                   headers={"Authorization": f"Bearer {make.token(world['worker'])}"}).get_json()
    assert [e["audience"] for e in listed["items"] if e["type"] == "document.attached"] == [
        user_audience(world["worker"].id)]  # the API lists it to the person it is addressed to
    for answer in (worker, employer, government, walt):  # each audience in order, each once, up to its head
        for audience in {e["audience"] for e in answer["events"]}:
            seqs = [e["seq"] for e in answer["events"] if e["audience"] == audience]
            assert seqs == list(range(1, len(seqs) + 1)) and answer["heads"][audience] == seqs[-1]
        assert not any(audience.startswith("user:") for audience in answer["heads"])
    assert "caucus:workers" in worker["heads"] and "caucus:workers" not in employer["heads"]
    assert app.extensions["consult.replays"].hits >= 1  # Walt's join was served from Wanda's lens

    make.comment(world["employer"], round, body="Posted after the replays were kept")
    later = _join(app, make, second_worker, round.id)
    assert _bodies(later)[-1] == "Posted after the replays were kept"
    assert later["heads"]["participants"] == walt["heads"]["participants"] + 1
    resumed = _join(app, make, world["government"], round.id, cursor=government["heads"])
    assert _bodies(resumed) == ["Posted after the replays were kept"]


def test_a_replay_presented_on_a_round_changed_since_its_view_was_read_is_not_kept(app, make):
    world = tripartite(make, identity_policy="named")
    round = world["round"]
    make.comment(world["worker"], round, body="Plenary by a worker")
    read = RoundLens(round.id, round.identity_policy, round.secretariat_sees_caucus)  # as a join read it
    make.identity_policy(round, "pseudonymous")  # committed before the join presents the events
    view = RoundView(read, None, Constituency.EMPLOYERS)
    cache, key = ReplayCache(), (round.id, "the rest of the key")
    with app.test_request_context(), make.db.transaction(write=False) as session:
        heads = heads_of(session.get(Round, round.id), room_audiences(view))
        shown = replayed(session, cache, view, key, dict.fromkeys(heads, 0), heads, 100)
    authors = [e["comment"]["author"] for e in shown if e.get("comment")]
    assert authors and all(a["id"] is None and "Wanda" not in a["name"] for a in authors)  # as the round is now
    assert cache.get(key) is None  # the next join, which reads the round as it is now, presents it afresh
