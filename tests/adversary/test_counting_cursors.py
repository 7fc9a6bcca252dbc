"""Issue 29 against crafted cursors: a worker who names the employers' caucus in a cursor learns nothing.

The replay takes a cursor (`participants:12,caucus:workers:3`) on the API and in a socket's join and catch-up.
A worker forges one that names the employers' caucus at 0, 1, 2, 3, 5 and 50, or its own audiences far ahead,
hoping that an answer differs (an error, a length, a head) once the number passes the caucus's real head, which
would let it count that caucus's events by bisection. Every answer is the same before and after the employers'
caucus works.
"""

from __future__ import annotations

import json
import time

import socketio

from tests.adversary.test_counting_caucus_events import served  # noqa: F401 (a fixture)
from tests.factories import ApiClient, Factory, tripartite

GUESSES = (0, 1, 2, 3, 5, 50)


def _answers(api, socket, round_id: int, held: dict) -> dict:
    """What the forged cursors bring back, as text."""
    found = {}
    for guess in GUESSES:
        cursor = {**held, "caucus:employers": guess}
        listed = api.get(f"/rounds/{round_id}/events?after=caucus:employers:{guess}&limit=1000")
        found[f"api {guess}"] = (listed.status_code, listed.get_data(as_text=True))
        found[f"catch_up {guess}"] = json.dumps(socket.call("catch_up", {"round_id": round_id, "cursor": cursor},
                                                            timeout=10), sort_keys=True)
        found[f"join {guess}"] = json.dumps(socket.call("join", {"round_id": round_id, "cursor": cursor},
                                                        timeout=10), sort_keys=True)
    for ahead in (5, 100):
        cursor = {**held, "participants": held["participants"] + ahead}
        listed = api.get(f"/rounds/{round_id}/events?after=participants:{cursor['participants']}&limit=1000")
        found[f"api ahead {ahead}"] = (listed.status_code, listed.get_data(as_text=True))
        found[f"catch_up ahead {ahead}"] = json.dumps(socket.call(
            "catch_up", {"round_id": round_id, "cursor": cursor}, timeout=10), sort_keys=True)
    return found


def test_a_cursor_naming_the_employers_caucus_answers_the_same_whatever_that_caucus_did(served):  # noqa: F811
    app, url = served
    make = Factory(app)
    world = tripartite(make)
    round_id = world["round"].id
    token = make.token(world["worker"])
    api = ApiClient(app.test_client(), token)
    employer = ApiClient(app.test_client(), make.token(world["employer"]))
    socket = socketio.Client(reconnection=False)
    socket.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        held = socket.call("join", {"round_id": round_id, "cursor": {}}, timeout=10)["heads"]
        assert "caucus:employers" not in held
        before = _answers(api, socket, round_id, held)
        for n in range(3):
            assert employer.post(f"/rounds/{round_id}/comments", json={
                "section": "system", "body": f"Employers only {n}", "channel": "caucus"}).status_code == 201
        time.sleep(0.5)
        after = _answers(api, socket, round_id, held)
    finally:
        socket.disconnect()
    assert {key for key in before if after[key] != before[key]} == set()
    assert "caucus:employers" not in json.dumps(after)
