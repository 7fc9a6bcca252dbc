"""Issue 29, "no counters across audiences": a worker cannot count what went to a caucus they do not read.

The attacker is a worker representative who follows the round on every path a participant has: the API's
replay of the log and the round as JSON, the round's page, a socket's join and catch-up, and every frame the
socket receives (pushes, heartbeats, presence). While they watch, the employers hold a busy caucus: comments,
an edit, a reaction, none of which the workers may read. Whatever the worker gathered before and after must be
the same: if any number moved (a sequence number, a count, an id), the worker learned that the employers'
caucus was active and how much.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import socketio

from tests.factories import Factory, log_in, tripartite
from tests.live.served import served_app

HEARTBEAT = 0.2


@pytest.fixture
def served(database_url, tmp_path):
    """The app with a fast heartbeat, served over real HTTP and WebSocket on a free port in this process."""
    with served_app(database_url, tmp_path / "instance", LIVE_HEARTBEAT=HEARTBEAT) as served:
        yield served


def _page(client, round_id: int) -> str:
    """The round's page as the worker's browser gets it, without what differs on every load by design."""
    html = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"[^>]*name="csrf_token"', "", html)


def _gather(api, browser, socket, round_id: int, held: dict) -> dict:
    """Everything the worker can ask for about the round, as text."""
    return {"events": api.get(f"/api/v1/rounds/{round_id}/events?limit=1000").get_data(as_text=True),
            "round": api.get(f"/api/v1/rounds/{round_id}").get_data(as_text=True),
            "page": _page(browser, round_id),
            "join": json.dumps(socket.call("join", {"round_id": round_id, "cursor": {}}, timeout=10)),
            "catch_up": json.dumps(socket.call("catch_up", {"round_id": round_id, "cursor": held}, timeout=10))}


def test_a_worker_learns_nothing_from_any_number_while_the_employers_caucus_is_busy(served, scenario):
    app, url = served
    make = Factory(app)
    world = tripartite(make)
    round_id = world["round"].id
    make.comment(world["worker"], world["round"], "Plenary: how are shifts scored?")
    make.comment(world["worker"], world["round"], "Workers' caucus: our line", channel="caucus")

    token = make.token(world["worker"])
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    browser = app.test_client()
    log_in(browser, world["worker"])
    frames: list[tuple[str, object]] = []
    socket = socketio.Client(reconnection=False)
    socket.on("*", lambda name, data: frames.append((name, data)))
    socket.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    joined = socket.call("join", {"round_id": round_id, "cursor": {}}, timeout=10)
    held = joined["heads"]
    assert set(held) == {"participants", "public", "caucus:workers"}  # the audiences the worker reads
    time.sleep(HEARTBEAT * 3)
    before = _gather(api, browser, socket, round_id, held)
    frames.clear()

    # The employers' caucus, busy: five comments, an edit, a reaction; the worker reads none of it.
    employer = app.test_client()
    employer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make.token(world['employer'])}"
    posted = [employer.post(f"/api/v1/rounds/{round_id}/comments", json={
        "section": "system", "body": f"Employers only {n}", "channel": "caucus"}) for n in range(5)]
    assert all(response.status_code == 201 for response in posted)
    first = posted[0].get_json()["id"]
    assert employer.put(f"/api/v1/rounds/{round_id}/comments/{first}",
                        json={"body": "Employers only, edited"}).status_code == 200
    assert employer.put(f"/api/v1/rounds/{round_id}/comments/{first}/reaction",
                        json={"kind": "agree"}).status_code == 200
    time.sleep(HEARTBEAT * 5)  # heartbeats after the caucus's activity reach the worker's socket

    after = _gather(api, browser, socket, round_id, held)
    during = list(frames)
    for path in before:
        assert after[path] == before[path], f"the {path} changed while only the employers' caucus was active"
    assert {name for name, _ in during} <= {"heartbeat", "presence"}, during  # no push at all, not even empty
    beats = [data for name, data in during if name == "heartbeat" and data["round_id"] == round_id]
    assert beats and all(beat["heads"] == held for beat in beats)

    # Then something the worker sees happens: its number follows the last one they saw, with no hole where
    # the employers' events went, on every path.
    frames.clear()
    assert api.post(f"/api/v1/rounds/{round_id}/comments",
                    json={"section": "system", "body": "Plenary: a second question"}).status_code == 201
    deadline = time.monotonic() + 10
    while not any(name == "event" for name, _ in frames) and time.monotonic() < deadline:
        time.sleep(0.05)
    pushes = [data for name, data in frames if name == "event"]
    socket.disconnect()
    expected = held["participants"] + 1
    assert [(p["audience"], p["seq"], p["event"]["seq"]) for p in pushes] == [("participants", expected, expected)]
    listed = api.get(f"/api/v1/rounds/{round_id}/events?limit=1000").get_json()
    assert listed["heads"] == {**held, "participants": expected, f"user:{world['worker'].id}": 0}
    for audience in {e["audience"] for e in listed["items"]}:  # each audience numbered 1, 2, 3... without holes
        numbers = [e["seq"] for e in listed["items"] if e["audience"] == audience]
        assert numbers == list(range(1, len(numbers) + 1)), audience
    assert set(json.dumps(listed)) and "caucus:employers" not in json.dumps(listed)
    # The log itself did move: the employers' caucus holds its seven events, and the round counts them.
    assert make.reload(type(world["round"]), round_id).audience_heads["caucus:employers"] == 7


def test_migration_0023_numbers_the_existing_log_per_audience_and_goes_back(app, make, database_url):
    """A log written before 0023 is numbered within each audience in its own order, the rounds' counts match,
    the chain still verifies, and the downgrade takes both columns away."""
    from sqlalchemy import inspect, text

    from consult.db import make_engine
    from consult.events.audit import verify_all
    from consult.migrate import downgrade, upgrade

    world = tripartite(make)
    round = world["round"]
    make.comment(world["worker"], round, "plenary 1")
    make.comment(world["worker"], round, "workers 1", channel="caucus")
    make.comment(world["employer"], round, "employers 1", channel="caucus")
    make.comment(world["worker"], round, "plenary 2")
    make.comment(world["employer"], round, "employers 2", channel="caucus")
    app.extensions["consult.db"].dispose()
    downgrade(database_url, "0022")
    engine = make_engine(database_url)
    try:
        assert "audience_seq" not in {c["name"] for c in inspect(engine).get_columns("events")}
        assert "audience_heads" not in {c["name"] for c in inspect(engine).get_columns("rounds")}
        with engine.connect() as connection:
            audiences = connection.execute(text("SELECT audience FROM events WHERE round_id = :r ORDER BY seq"),
                                           {"r": round.id}).scalars().all()
    finally:
        engine.dispose()
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            numbered = [tuple(row) for row in connection.execute(text(
                "SELECT audience, audience_seq FROM events WHERE round_id = :r ORDER BY seq"), {"r": round.id})]
    finally:
        engine.dispose()
    # By hand: each event's number is one more than the last of its audience before it, in the log's order.
    counts: dict[str, int] = {}
    expected = []
    for audience in audiences:
        counts[audience] = counts.get(audience, 0) + 1
        expected.append((audience, counts[audience]))
    assert numbered == expected
    assert [n for a, n in numbered if a == "caucus:employers"] == [1, 2]
    assert [n for a, n in numbered if a == "caucus:workers"] == [1]
    assert make.reload(type(round), round.id).audience_heads == counts
    with make.db.transaction(write=False) as session:
        assert verify_all(session)[1] == []  # the chain and the per-audience numbers hold
