"""Without CONSULT_BASE_URL, links follow the address `consult serve` was given; its origin may open sockets."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest
import requests
import socketio

from consult.config import load_config, served_base_url
from consult.live.server import allowed_origins
from tests.processes import CONSULT, consult_environment, free_port


def test_the_base_url_follows_the_served_address_unless_it_is_set():
    assert served_base_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert served_base_url("::1", 8123) == "http://[::1]:8123"
    assert load_config({"INSTANCE_PATH": "/tmp/consult-base-url"}, environ={})["BASE_URL"] == "http://127.0.0.1:5000"
    settings = load_config({"INSTANCE_PATH": "/tmp/consult-base-url"},
                           environ={"CONSULT_BASE_URL": "https://consult.example.org/",
                                    "CONSULT_ALLOWED_ORIGINS": "https://a.example.org, https://b.example.org:8443"})
    assert allowed_origins(settings) == {"https://consult.example.org", "https://a.example.org",
                                         "https://b.example.org:8443"}


@pytest.fixture
def served(database_url, tmp_path, smtp, make):
    """`consult serve --port P` on the test database, mailing to the test's SMTP server, with no base URL set."""
    port = free_port()
    environment = consult_environment(database_url, tmp_path / "served", CONSULT_SMTP_URL=smtp.url,
                                      CONSULT_MAIL_POLL_SECONDS="0.2")
    environment.pop("CONSULT_BASE_URL", None)
    process = subprocess.Popen([str(CONSULT), "serve", "--port", str(port)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=1)
            break
        except (requests.ConnectionError, requests.Timeout):
            assert time.monotonic() < deadline and process.poll() is None, "consult serve did not start"
            time.sleep(0.2)
    yield port
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_served_on_another_port_the_mailed_link_and_the_socket_origin_follow_it(served, make, smtp):
    port = served
    secretariat, union = make.user("secretariat"), make.organisation("workers")
    answer = requests.post(f"http://127.0.0.1:{port}/api/v1/people", timeout=10,
                           headers={"Authorization": f"Bearer {make.token(secretariat)}"},
                           json={"organisation_id": union.id, "display_name": "Jo", "email": "jo@union.test"})
    assert answer.status_code == 201, answer.text
    deadline = time.monotonic() + 20
    while not smtp.inbox.to("jo@union.test") and time.monotonic() < deadline:
        time.sleep(0.1)
    [mail] = smtp.inbox.to("jo@union.test")
    assert re.search(rf"http://127\.0\.0\.1:{port}/password/set/\S+", mail.get_body(("plain",)).get_content())

    # Asked under another name (Host: localhost:P), a page whose origin is the base URL's may connect...
    token = make.token(secretariat)
    client = socketio.Client(reconnection=False)
    client.connect(f"http://127.0.0.1:{port}", auth={"token": token}, transports=["polling"], wait_timeout=10,
                   headers={"Host": f"localhost:{port}", "Origin": f"http://127.0.0.1:{port}"})
    assert client.connected
    client.disconnect()
    # ...and one from any other origin may not.
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.Client(reconnection=False).connect(
            f"http://127.0.0.1:{port}", auth={"token": token}, transports=["polling"], wait_timeout=10,
            headers={"Host": f"localhost:{port}", "Origin": "http://evil.example"})
