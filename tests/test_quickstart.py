"""The README's first command, tried as a new user would: serve the demo, log in as a worker, see the round."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.processes import free_port


def test_serve_with_demo_data_lets_a_worker_representative_log_in_and_see_the_demo_round(tmp_path):
    port = free_port()
    environment = {**os.environ, "CONSULT_INSTANCE_PATH": str(tmp_path / "instance")}
    environment.pop("CONSULT_DATABASE_URL", None)
    consult = Path(sys.executable).with_name("consult")
    command = [str(consult)] if consult.exists() else [sys.executable, "-m", "consult.cli"]
    server = subprocess.Popen([*command, "serve", "--demo", "--port", str(port)], env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output = ""
        deadline = time.monotonic() + 60
        while "serving at" not in output and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                break
            output += line
        assert "serving at" in output, output
        login = re.search(r"workers\s+(amira\.haddad@\S+)\s+(\S+)", output)
        assert login, output
        email, password = login.groups()
        base = f"http://127.0.0.1:{port}"
        browser = requests.Session()
        for _ in range(100):
            try:
                page = browser.get(f"{base}/login", timeout=30)
                break
            except (requests.ConnectionError, requests.Timeout):  # gunicorn's worker is still loading the app
                time.sleep(0.1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        browser.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token}, timeout=30)
        dashboard = browser.get(f"{base}/", timeout=30)
        assert dashboard.status_code == 200 and "ShiftPilot" in dashboard.text
        # the demo's main round (the demo holds one round per legal procedure and a concluded one too)
        round_path = re.search(r'href="(/rounds/\d+)"><strong>ShiftPilot: AI rostering', dashboard.text).group(1)
        round_page = browser.get(base + round_path, timeout=30)
        assert "Optimal Workforce Systems" in round_page.text
        assert "we should ask for a written ban" not in round_page.text  # each section opens on its plenary
        caucus = browser.get(f"{base}{round_path}?section=safety_health_dignity&channel=caucus", timeout=30)
        assert "we should ask for a written ban" in caucus.text  # the workers' own caucus, one tab away
        assert (tmp_path / "instance" / "consult.sqlite3").exists()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
