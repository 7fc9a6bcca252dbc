"""A burst of arrivals is announced once it ends, with the counts of that moment (consult/live/presence.py)."""

from __future__ import annotations

import time

from tests.factories import tripartite
from tests.live.test_live import wait_until


def _presences(client) -> list[dict]:
    return [m["args"][0]["counts"] for m in client.get_received() if m["name"] == "presence"]


def test_a_burst_of_joins_sends_each_follower_a_few_presence_messages_ending_with_the_final_counts(app, make):
    world = tripartite(make)
    round_id, server = world["round"].id, app.extensions["socketio"]
    tokens = {name: make.token(world[name]) for name in ("worker", "employer", "government")}
    clients = []
    for index in range(30):
        name = ("worker", "employer", "government")[index % 3]
        client = server.test_client(app, auth={"token": tokens[name]})
        assert "error" not in client.emit("join", {"round_id": round_id, "cursor": {}}, callback=True)
        clients.append(client)
        time.sleep(0.1)  # arrivals over three seconds and more, as a plenary's do
    final = {"workers": 10, "employers": 10, "government": 10}
    seen: list[dict] = []
    assert wait_until(lambda: (seen.extend(_presences(clients[0])) or seen) and seen[-1] == final), seen
    # One at the first arrival, then one when the burst paused (or every few seconds while it lasts): not
    # one per arrival, nor one per second of the burst (four and more).
    assert len(seen) <= 3, seen
    clients[-1].disconnect()  # a leave after a pause is announced too
    assert wait_until(lambda: (seen.extend(_presences(clients[0])) or seen)[-1] == {**final, "government": 9})
