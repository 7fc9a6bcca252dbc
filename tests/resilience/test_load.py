"""Load: many sockets in one round, comments at 20 a second over HTTP, two web processes with Redis and
PostgreSQL. Short by default; `--long` runs the full scenario (300 sockets, 60 s, 6,000 deliveries a second)."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio

from consult import create_app
from consult.migrate import upgrade
from tests.conftest import POSTGRES
from tests.factories import Factory, tripartite
from tests.processes import REDIS_URL, consult_environment, free_port, redis_answers, start_web, stop

pytestmark = [pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL"),
              pytest.mark.skipif(not redis_answers(), reason="needs Redis")]


class Receiver:
    def __init__(self, url: str, token: str, round_id: int) -> None:
        self.arrivals: dict[int, float] = {}
        self.duplicates = 0
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", self._on_event)
        self.client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
        answer = self.client.call("join", {"round_id": round_id, "last_seq": 0}, timeout=30)
        assert "error" not in answer, answer

    def _on_event(self, push) -> None:
        body = ((push.get("event") or {}).get("comment") or {}).get("body", "")
        if body.startswith("load "):
            number = int(body.split()[1])
            self.duplicates += number in self.arrivals
            self.arrivals[number] = time.time()


@pytest.mark.timeout(1200)
def test_many_sockets_and_20_comments_a_second_lose_nothing(postgres_factory, tmp_path, request, scenario):
    long = request.config.getoption("--long")
    clients, seconds, rate = (300, 60, 20) if long else (60, 10, 20)
    url = postgres_factory()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "setup"), "SECRET_KEY": "s"})
    make = Factory(app)
    world = tripartite(make)
    round_id = world["round"].id
    tokens = [make.token(world[name]) for name in ("worker", "employer", "government")]
    environment = consult_environment(url, tmp_path / "instance", redis_url=REDIS_URL,
                                      CONSULT_COMMENT_RATE="1000000/minute")
    ports = [free_port(), free_port()]
    processes = [start_web(port, environment) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    receivers: list[Receiver] = []
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            receivers = list(pool.map(lambda n: Receiver(urls[n % 2], tokens[n % 3], round_id), range(clients)))
        sent: dict[int, float] = {}
        poster = requests.Session()
        poster.headers["Authorization"] = f"Bearer {tokens[0]}"
        started = time.monotonic()
        for number in range(seconds * rate):
            pause = started + number / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sent[number] = time.time()
            answer = poster.post(f"{urls[number % 2]}/api/v1/rounds/{round_id}/comments", timeout=30,
                                 json={"section": "system", "body": f"load {number}"})
            assert answer.status_code == 201, answer.text
        expected = len(sent) * clients
        deadline = time.monotonic() + 60
        while sum(len(r.arrivals) for r in receivers) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        latencies = sorted((r.arrivals[n] - sent[n]) * 1000 for r in receivers for n in r.arrivals)
        lost = expected - len(latencies)
        duplicates = sum(r.duplicates for r in receivers)
        p99 = latencies[int(0.99 * (len(latencies) - 1))]
        scenario(done=f"{clients} sockets on two web processes (Redis, PostgreSQL); {rate} comments/s over HTTP "
                      f"for {seconds} s",
                 checked="every delivery arrives, none twice",
                 figure=f"{expected} deliveries, lost {lost}, duplicated {duplicates}, p50 "
                        f"{statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms")
        assert lost == 0 and duplicates == 0
    finally:
        closer = threading.Thread(target=lambda: [r.client.disconnect() for r in receivers], daemon=True)
        closer.start()
        stop(processes)
        app.extensions["consult.db"].dispose()
