"""Faults with real services: PostgreSQL stopped for 10 s, Redis restarted mid-load, an export killed mid-render.

These stop and start the machine's own PostgreSQL and Redis, so they run last (marker `faults`) and always
start the service again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import func, select

from consult import create_app
from consult.comments.models import Comment
from consult.events.audit import verify_all
from consult.events.models import Event
from consult.live.client import LiveClient
from consult.migrate import upgrade
from consult.outcomes.models import ExportJob
from consult.rounds.models import Round
from tests.conftest import POSTGRES
from tests.factories import Factory, tripartite
from tests.processes import REDIS_URL, consult_environment, free_port, redis_answers, start_scheduler, start_web, stop

pytestmark = [pytest.mark.faults,
              pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL at 127.0.0.1:5432")]

PG_CLUSTER = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else None


def postgres(action: str) -> None:
    """Stop or start the machine's PostgreSQL cluster."""
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_CLUSTER, "main", action]
    subprocess.run(command + (["-m", "fast"] if action == "stop" else []), check=True, timeout=120,
                   capture_output=True)


def wait_postgres() -> None:
    import psycopg

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=2).close()
            return
        except psycopg.Error:
            time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come back")


def restart_redis(down_seconds: float) -> None:
    """Shut Redis down (keeping nothing, as it is configured here), wait, start it again."""
    try:
        redis.Redis.from_url(REDIS_URL).shutdown(nosave=True)
    except redis.ConnectionError:
        pass  # the answer to a shutdown is the connection closing
    time.sleep(down_seconds)
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                    "--appendonly", "no"], check=True, timeout=30, capture_output=True)
    deadline = time.monotonic() + 30
    while not redis_answers():
        if time.monotonic() > deadline:
            raise RuntimeError("Redis did not come back")
        time.sleep(0.2)


@pytest.fixture
def site(postgres_factory, tmp_path):
    """A PostgreSQL database with a round, set up through the services, and the environment of its processes."""
    url = postgres_factory()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "setup"), "SECRET_KEY": "s"})
    make = Factory(app)
    world = tripartite(make)
    environment = consult_environment(url, tmp_path / "instance", CONSULT_COMMENT_RATE="100000/minute")
    processes: list[subprocess.Popen] = []
    yield {"app": app, "make": make, "world": world, "environment": environment, "processes": processes}
    stop(processes)
    app.extensions["consult.db"].dispose()


@pytest.mark.skipif(PG_CLUSTER is None or shutil.which("pg_ctlcluster") is None, reason="no pg_ctlcluster here")
def test_postgresql_stopped_for_10_seconds_answers_503_writes_nothing_half_and_recovers(site, scenario):
    world, make = site["world"], site["make"]
    port = free_port()
    site["processes"].append(start_web(port, site["environment"]))
    token = make.token(world["worker"])
    post = lambda body: requests.post(  # noqa: E731
        f"http://127.0.0.1:{port}/api/v1/rounds/{world['round'].id}/comments", json={"section": "system",
                                                                                   "body": body},
        headers={"Authorization": f"Bearer {token}"}, timeout=20)
    assert post("before").status_code == 201
    site["app"].extensions["consult.db"].dispose()
    postgres("stop")
    statuses: list[int] = []
    try:
        began = time.monotonic()
        while time.monotonic() - began < 10:
            answer = post("during the outage")
            statuses.append(answer.status_code)
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "unavailable" and answer.json()["error"]["message"]
            time.sleep(0.5)
    finally:
        postgres("start")
        wait_postgres()
    started = time.monotonic()
    while post("after").status_code != 201:
        assert time.monotonic() - started < 30, "the service did not resume by itself"
        time.sleep(0.5)
    recovery = time.monotonic() - started
    with site["app"].extensions["consult.db"].transaction(write=False) as session:
        bodies = sorted(session.scalars(select(Comment.body)))
        checked, breaks = verify_all(session)
    assert bodies == ["after", "before"] and breaks == []
    scenario(done="PostgreSQL stopped for 10 s under a web process; comments posted every 0.5 s throughout",
             checked="every request 503 in the error shape; nothing saved during the outage; chain intact; "
                     "service resumes without a restart",
             figure=f"{len(statuses)} requests refused, first success {recovery:.1f} s after PostgreSQL returned")


@pytest.mark.skipif(not redis_answers() or shutil.which("redis-server") is None, reason="needs Redis here")
def test_redis_restarted_mid_load_pushes_resume_and_clients_catch_up_from_the_log(site, scenario):
    world, make = site["world"], site["make"]
    environment = {**site["environment"], "CONSULT_REDIS_URL": REDIS_URL}
    ports = [free_port(), free_port()]
    site["processes"].extend(start_web(port, environment) for port in ports)
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    round_id = world["round"].id
    received: list[dict] = []
    follower = LiveClient(urls[0], make.token(world["government"]), reconnect_urls=[urls[1]])
    follower.connect()
    follower.follow(round_id, received.append)
    token = make.token(world["worker"])
    restarted = threading.Thread(target=restart_redis, args=(3,))
    for number in range(150):
        if number == 50:
            restarted.start()
        response = requests.post(f"{urls[1]}/api/v1/rounds/{round_id}/comments", timeout=20,
                                 json={"section": "system", "body": f"comment {number}"},
                                 headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.text  # posting never depends on Redis
        time.sleep(0.05)
    restarted.join(60)
    # Redis is back. A web process re-subscribes after a back-off of a few seconds; comments posted from then
    # on reach the follower, which notices the gap they leave and catches up from the log.
    db = site["app"].extensions["consult.db"]
    posted, deadline = 150, time.monotonic() + 60
    while time.monotonic() < deadline:
        with db.transaction(write=False) as session:
            heads = session.scalar(select(Round.audience_heads).where(Round.id == round_id))
        if follower.rounds[round_id].holds(heads):
            break
        response = requests.post(f"{urls[1]}/api/v1/rounds/{round_id}/comments", timeout=20,
                                 json={"section": "system", "body": f"comment {posted}"},
                                 headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.text
        posted += 1
        time.sleep(0.5)
    with db.transaction(write=False) as session:
        logged = [tuple(row) for row in session.execute(
            select(Event.audience, Event.audience_seq).where(  # the audiences of the follower's room
                Event.round_id == round_id, Event.audience.in_(list(follower.rounds[round_id].cursor)))
            .order_by(Event.seq)).all()]
    follower.close()
    assert [(e["audience"], e["seq"]) for e in received] == logged
    bodies = [e["comment"]["body"] for e in received if e["type"] == "comment.posted"]
    assert bodies == [f"comment {n}" for n in range(posted)]
    scenario(done="Redis shut down for 3 s and restarted while 150 comments were posted to one of two web "
                  "processes; a client followed on the other",
             checked="every event once, in order, after catch-up from the log; no request failed",
             figure=f"{len(received)} events received")


def test_an_export_killed_mid_render_is_taken_again_and_completes_once(site, scenario):
    from tests.outcomes.helpers import outcome_world
    from tests.registry.test_registry import conclude

    make = site["make"]
    world = outcome_world(make)
    round_id = world["round"].id
    for number in range(400):  # a long annex, so the render takes a while
        make.comment(world["worker"], world["round"], f"Remark {number}: " + "a long plenary remark " * 20)
    from tests.factories import ApiClient

    clients = {}

    def client_of(person):
        if person.id not in clients:
            clients[person.id] = ApiClient(site["app"].test_client(), make.token(person))
        return clients[person.id]

    conclude(client_of, world)
    environment = {**site["environment"], "CONSULT_EXPORT_LEASE_SECONDS": "3"}
    port = free_port()
    first = start_web(port, environment)
    site["processes"].append(first)
    token = make.token(world["worker"])
    requested = requests.post(f"http://127.0.0.1:{port}/api/v1/rounds/{round_id}/exports", timeout=20,
                              json={"kind": "pdf_annex"}, headers={"Authorization": f"Bearer {token}"})
    assert requested.status_code == 202
    db = site["app"].extensions["consult.db"]

    def events(kind: str) -> list[Event]:
        with db.transaction(write=False) as session:
            return list(session.scalars(select(Event).where(Event.round_id == round_id, Event.type == kind)))

    deadline = time.monotonic() + 60
    while not events("export.progress"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)  # the web process and its render die mid-render
    first.wait(timeout=10)
    assert events("export.ready") == []
    time.sleep(3.5)  # the lease runs out
    scheduler = start_scheduler(environment)
    site["processes"].append(scheduler)
    deadline = time.monotonic() + 120
    while not events("export.ready"):
        assert time.monotonic() < deadline, "the export was not taken again"
        time.sleep(0.2)
    time.sleep(1)
    assert len(events("export.ready")) == 1 and len(events("export.progress")) == 2
    with db.transaction(write=False) as session:
        job = session.scalar(select(ExportJob))
        assert session.scalar(select(func.count(ExportJob.id))) == 1
    assert job.status == "ready" and job.attempts == 2 and Path(job.path).read_bytes().startswith(b"%PDF-")
    scenario(done="An export's web process killed with SIGKILL mid-render; a scheduler process started",
             checked="the job is claimed again after its lease, renders once more and is ready exactly once",
             figure=f"attempts {job.attempts}, {job.size} bytes")
