"""Two web processes with Redis and PostgreSQL: a client whose process is killed moves over and misses nothing."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import requests
from sqlalchemy import select

from consult import create_app
from consult.events.models import Event
from consult.live.client import LiveClient
from consult.migrate import upgrade
from tests.conftest import POSTGRES
from tests.factories import Factory, tripartite
from tests.processes import REDIS_URL, consult_environment, free_port, redis_answers, start_web, stop

pytestmark = [
    pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL at 127.0.0.1:5432"),
    pytest.mark.skipif(not redis_answers(), reason=f"needs Redis at {REDIS_URL}"),
]


@pytest.fixture
def deployment(postgres_factory, tmp_path):
    """A PostgreSQL database with a round, and two web processes sharing it through Redis."""
    url = postgres_factory()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "setup"), "SECRET_KEY": "s"})
    make = Factory(app)
    world = tripartite(make)
    environment = consult_environment(url, tmp_path / "instance", redis_url=REDIS_URL,
                                      CONSULT_COMMENT_RATE="100000/minute")
    ports = [free_port(), free_port()]
    processes = [start_web(port, environment) for port in ports]
    yield {"app": app, "make": make, "world": world, "ports": ports, "processes": processes}
    stop(processes)
    app.extensions["consult.db"].dispose()


def test_a_client_on_a_killed_process_reconnects_to_the_other_and_holds_every_event_once_in_order(deployment, scenario):
    scenario(done="kill -9 of one of two web processes (Redis, PostgreSQL) while 4 writers post 1,000 comments",
             checked="the client moves to the other process and, after catch-up, holds every event once, in order")
    world, make, ports = deployment["world"], deployment["make"], deployment["ports"]
    round_id = world["round"].id
    received: list[dict] = []
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    client = LiveClient(urls[0], make.token(world["secretariat"]), reconnect_urls=[urls[1]])
    client.connect()
    client.follow(round_id, received.append)
    tokens = [make.token(world[name]) for name in ("worker", "employer", "government", "worker")]
    posted = {"count": 0}
    killed = threading.Event()

    def write(token: str, writer: int) -> None:
        for number in range(250):
            body = {"section": "system", "body": f"writer {writer} comment {number}"}
            for attempt in range(50):
                url = urls[(number + attempt) % 2]
                try:
                    response = requests.post(f"{url}/api/v1/rounds/{round_id}/comments", json=body,
                                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
                    if response.status_code == 201:
                        break
                except requests.RequestException:
                    time.sleep(0.05)  # that process is gone: the next attempt goes to the other one
            posted["count"] += 1
            if posted["count"] >= 300 and not killed.is_set():
                killed.set()
                os.killpg(deployment["processes"][0].pid, signal.SIGKILL)

    writers = [threading.Thread(target=write, args=(token, n)) for n, token in enumerate(tokens)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert killed.is_set() and deployment["processes"][0].wait(timeout=10) == -signal.SIGKILL

    db = deployment["app"].extensions["consult.db"]
    with db.transaction(write=False) as session:
        logged = [tuple(row) for row in session.execute(
            select(Event.audience, Event.audience_seq).where(  # the audiences of the follower's room
                Event.round_id == round_id, Event.audience.in_(list(client.rounds[round_id].cursor)))
            .order_by(Event.seq)).all()]
    heads: dict[str, int] = {}
    for audience, number in logged:
        heads[audience] = number
    deadline = time.monotonic() + 60
    while client.rounds[round_id].cursor != heads and time.monotonic() < deadline:
        time.sleep(0.1)
    client.close()
    assert client.reconnects >= 1
    assert [(e["audience"], e["seq"]) for e in received] == logged  # every event, once, in order
    comments = [e for e in received if e["type"] == "comment.posted"]
    assert len(comments) >= 1000
