"""`consult serve` is a production server: gunicorn with one worker, no development-server warning, live
sockets that join, and the scheduler running inside it, in both worker classes (gevent, the default, and
gthread)."""

from __future__ import annotations

import subprocess
import time

import pytest
import requests
import socketio

from tests.processes import CONSULT, consult_environment, free_port, stop
from tests.timeline.test_scheduler import assert_walked_once_in_order, ready_round, stages_of, wait_for


@pytest.mark.parametrize("worker", ["gevent", "gthread"])
def test_consult_serve_runs_gunicorn_with_live_sockets_and_the_scheduler_inside(worker, database_url, make, db,
                                                                                tmp_path):
    world = ready_round(make)  # stages of one second, started now: overdue by the time the server is up
    round_id = world["round"].id
    token = make.token(world["worker"])
    port = free_port()
    environment = consult_environment(database_url, tmp_path / "serve", CONSULT_SERVER_WORKER=worker)
    server = subprocess.Popen([str(CONSULT), "serve", "--port", str(port)], env=environment, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    client = socketio.Client(reconnection=False)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        assert answer.status_code == 200
        assert answer.headers["Server"].startswith("gunicorn")
        client.connect(f"http://127.0.0.1:{port}", auth={"token": token}, transports=["websocket"], wait_timeout=20)
        joined = client.call("join", {"round_id": round_id, "last_seq": 0}, timeout=20)
        assert "error" not in joined, joined
        wait_for(lambda: stages_of(db, [round_id])[round_id] == "sign_off", 60, "the server's scheduler")
    finally:
        client.disconnect()
        stop([server])
    output = server.stdout.read()
    assert_walked_once_in_order(db, round_id)
    assert "serving at" in output
    assert "development server" not in output.lower() and "Traceback" not in output, output
