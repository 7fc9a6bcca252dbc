"""The push renders only rounds someone follows, on any process: one followed elsewhere is still pushed live.

Two web processes share Redis and PostgreSQL. A client follows a round on the first; every comment is posted
to the second, which has no socket of its own in that round. Heartbeats are set an hour apart, so whatever
the client holds reached it as a push, not by catching up.
"""

from __future__ import annotations

import time

import pytest
import requests

from consult import create_app
from consult.live.client import LiveClient
from consult.live.registry import MemoryRegistry, RedisRegistry
from consult.migrate import upgrade
from tests.conftest import POSTGRES
from tests.factories import Factory, tripartite
from tests.processes import REDIS_URL, consult_environment, free_port, redis_answers, start_web, stop

needs_redis = pytest.mark.skipif(not redis_answers(), reason=f"needs Redis at {REDIS_URL}")


def test_a_process_tells_the_rounds_its_own_sockets_follow():
    registry = MemoryRegistry()
    registry.join("a", 5, "workers")
    assert registry.followed({5, 6}) == {5}
    registry.leave("a", 5)
    assert registry.followed({5, 6}) == set()


def test_a_round_a_socket_is_being_admitted_to_counts_as_followed_and_is_not_in_presence_yet():
    # A join reads what it answers before its socket enters the room: meanwhile the round's pushes must go out.
    registry = MemoryRegistry()
    with registry.arriving("a", 5):
        assert registry.followed({5, 6}) == {5}
        assert registry.presence(5) == {}
    assert registry.followed({5, 6}) == set()  # refused: nothing is left behind
    with registry.arriving("a", 5):
        registry.join("a", 5, "workers")
    assert registry.followed({5, 6}) == {5}
    assert registry.presence(5) == {"workers": 1}


@needs_redis
def test_a_round_being_joined_on_one_process_counts_as_followed_on_the_others():
    channel = f"arriving-{time.monotonic_ns()}"
    here, there = RedisRegistry(REDIS_URL, channel), RedisRegistry(REDIS_URL, channel)
    with here.arriving("a", 7):
        assert there.followed({7, 8}) == {7}
        assert there.presence(7) == {}
    assert there.followed({7, 8}) == set()
    with here.arriving("a", 7):
        here.join("a", 7, "workers")
    assert there.followed({7, 8}) == {7}
    assert there.presence(7) == {"workers": 1}
    here.disconnect("a")


@needs_redis
def test_every_process_sees_the_rounds_followed_on_the_others():
    channel = f"followed-{time.monotonic_ns()}"
    here, there = RedisRegistry(REDIS_URL, channel), RedisRegistry(REDIS_URL, channel)
    here.join("a", 7, "workers")
    assert there.followed({7, 8}) == {7}
    here.disconnect("a")
    assert there.followed({7, 8}) == set()


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL at 127.0.0.1:5432")
@needs_redis
def test_comments_written_on_a_process_without_followers_reach_a_follower_on_another_live(postgres_factory,
                                                                                            tmp_path):
    url = postgres_factory()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "setup"), "SECRET_KEY": "s"})
    make = Factory(app)
    world = tripartite(make)
    environment = consult_environment(url, tmp_path / "instance", redis_url=REDIS_URL,
                                      CONSULT_COMMENT_RATE="100000/minute", CONSULT_LIVE_HEARTBEAT="3600")
    ports = [free_port(), free_port()]
    processes = [start_web(port, environment) for port in ports]
    try:
        round_id, received = world["round"].id, []
        client = LiveClient(f"http://127.0.0.1:{ports[0]}", make.token(world["government"]))
        client.connect()
        client.follow(round_id, received.append)
        token = make.token(world["employer"])
        for number in range(20):
            response = requests.post(f"http://127.0.0.1:{ports[1]}/api/v1/rounds/{round_id}/comments",
                                     json={"section": "system", "body": f"comment {number}"},
                                     headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert response.status_code == 201
        deadline = time.monotonic() + 15
        while sum(e["type"] == "comment.posted" for e in received) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        client.close()
        # In the order they were posted (comment ids are opaque: the bodies say the order).
        assert [e["comment"]["body"] for e in received if e["type"] == "comment.posted"] == \
            [f"comment {number}" for number in range(20)]
        assert sum(e["type"] == "comment.posted" for e in received) == 20
    finally:
        stop(processes)
        app.extensions["consult.db"].dispose()
