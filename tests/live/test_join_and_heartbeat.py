"""A join the server cannot serve is answered at once (error shape) and retried; the heartbeat fills a lost push."""

from __future__ import annotations

import threading
import time

import pytest
import socketio

from consult import create_app
from consult.live.client import LiveClient
from tests.factories import Factory, tripartite
from tests.live.served import served_app


@pytest.fixture
def served(database_url, tmp_path):
    """The app with a fast heartbeat, served over real HTTP and WebSocket on a free port in this process."""
    with served_app(database_url, tmp_path / "instance", LIVE_HEARTBEAT=0.3) as served:
        yield served


def _exhaust(app) -> list:
    """Check out every connection of the app's pool (as a burst of requests would), and hold them."""
    pool = app.extensions["consult.db"].engine.pool
    return [app.extensions["consult.db"].engine.connect() for _ in range(pool.size() + max(pool._max_overflow, 0))]


def test_a_join_while_the_database_is_busy_is_answered_at_once_with_the_error_shape(served):
    app, url = served
    make = Factory(app)
    world = tripartite(make)
    client = socketio.Client(reconnection=False)
    client.connect(url, auth={"token": make.token(world["worker"])}, transports=["websocket"], wait_timeout=10)
    held = _exhaust(app)
    try:
        began = time.monotonic()
        answer = client.call("join", {"round_id": world["round"].id, "last_seq": 0}, timeout=5)
        assert time.monotonic() - began < 2
        assert answer["error"]["code"] == "unavailable" and answer["error"]["message"]
    finally:
        for connection in held:
            connection.close()
    assert "error" not in client.call("join", {"round_id": world["round"].id, "last_seq": 0}, timeout=5)
    client.disconnect()


def test_the_client_retries_a_refused_join_and_reports_one_that_keeps_failing(served):
    app, url = served
    make = Factory(app)
    world = tripartite(make)
    round_id = world["round"].id
    make.comment(world["worker"], world["round"], body="Before the join")
    patient = LiveClient(url, make.token(world["employer"]))
    hasty = LiveClient(url, make.token(world["government"]), join_attempts=2)
    patient.connect()
    hasty.connect()
    events: list[dict] = []
    held = _exhaust(app)
    releaser = threading.Timer(1.5, lambda: [connection.close() for connection in held])
    try:
        refused = hasty.follow(round_id, lambda event: None)
        assert refused["error"]["code"] == "unavailable"
        assert hasty.join_errors[round_id] == refused  # told, not silently left in no room
        releaser.start()
        answer = patient.follow(round_id, events.append)
        assert "error" not in answer and round_id not in patient.join_errors
        assert [e["comment"]["body"] for e in events if e["type"] == "comment.posted"] == ["Before the join"]
    finally:
        releaser.cancel()
        for connection in held:
            connection.close()
        patient.close()
        hasty.close()


def test_a_client_that_missed_the_last_push_of_a_burst_catches_up_from_the_heartbeat(served, database_url, tmp_path):
    app, url = served
    make = Factory(app)
    world = tripartite(make)
    follower = LiveClient(url, make.token(world["employer"]))
    follower.connect()
    events: list[dict] = []
    follower.follow(world["round"].id, events.append)
    make.comment(world["worker"], world["round"], body="Pushed")
    # The last comment of the burst is committed by a process whose pushes reach nobody (no Redis between
    # them): only the heartbeat can tell the follower it exists.
    other = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "other"),
                        "SECRET_KEY": "test-secret", "TESTING": True})
    try:
        Factory(other).comment(world["government"], world["round"], body="Never pushed here")
        def bodies() -> list[str]:
            return [e["comment"]["body"] for e in events if e["type"] == "comment.posted"]

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(bodies()) < 2:
            time.sleep(0.05)
        assert bodies() == ["Pushed", "Never pushed here"]
    finally:
        follower.close()
        other.extensions["consult.pusher"].stop()
        other.extensions["consult.db"].dispose()
