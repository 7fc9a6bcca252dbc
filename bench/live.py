"""Live delivery figures: consult beside bare Flask-SocketIO, same machine, same clients, same rate, one run.

For each N, N Socket.IO clients follow one room. Bare: a minimal Flask-SocketIO app (threading mode, like
consult) broadcasts a message on each HTTP POST. consult: `consult web` on SQLite; comments are posted over
the API and each is pushed, after its commit, to the constituency rooms. Latency is from just before the
HTTP request to the client's receipt. Lost counts deliveries that never arrived.

    .venv/bin/python bench/live.py [--clients 10,100] [--rate 20] [--seconds 10]

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE_SERVER = textwrap.dedent("""
    import sys, time
    from flask import Flask, request
    from flask_socketio import SocketIO, join_room
    app = Flask("bare")
    io = SocketIO(app, async_mode="threading")
    @io.on("join")
    def on_join(data):
        join_room("room")
        return {"ok": True}
    @app.post("/send")
    def send():
        io.emit("msg", request.get_json(), to="room")
        return {"ok": True}
    io.run(app, port=int(sys.argv[1]), allow_unsafe_werkzeug=True, log_output=False)
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


class Receiver:
    """One Socket.IO client recording when each numbered message arrives."""

    def __init__(self, url: str, *, auth=None, event: str, extract) -> None:
        self.arrivals: dict[int, float] = {}
        self.duplicates = 0
        self.client = socketio.Client(reconnection=False)

        def on_message(data):
            number = extract(data)
            if number is None:
                return
            if number in self.arrivals:
                self.duplicates += 1
            self.arrivals[number] = time.time()

        self.client.on(event, on_message)
        self.client.connect(url, auth=auth, transports=["websocket"], wait_timeout=20)


def connect_all(factory, count: int, *, numbered: bool = False) -> list[Receiver]:
    """Connect `count` clients, a few at a time."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda i: factory(i) if numbered else factory(), range(count)))


def run(kind: str, clients: int, rate: float, seconds: float, workdir: Path) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "CONSULT_INSTANCE_PATH": str(workdir / f"{kind}-{clients}"),
                   "CONSULT_SECRET_KEY": "bench", "CONSULT_COMMENT_RATE": "1000000/minute"}
    environment.pop("CONSULT_DATABASE_URL", None)
    environment.pop("CONSULT_REDIS_URL", None)
    if kind == "bare":
        server = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], env=environment,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(f"{base}/socket.io/?EIO=4&transport=polling", server)
        receivers = connect_all(lambda: Receiver(base, event="msg", extract=lambda d: d.get("n")), clients)
        for receiver in receivers:
            receiver.client.call("join", {}, timeout=20)

        def send(number: int) -> None:
            requests.post(f"{base}/send", json={"n": number, "pad": "x" * 600}, timeout=30)
    else:
        tokens, round_id = consult_world(environment)
        server = subprocess.Popen([str(Path(sys.executable).with_name("consult")), "web", "--port", str(port)],
                                  env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        wait_for(f"{base}/login", server)

        def extract(push):
            body = ((push.get("event") or {}).get("comment") or {}).get("body", "")
            return int(body.split()[1]) if body.startswith("bench ") else None

        receivers = connect_all(lambda i: Receiver(base, auth={"token": tokens[i % 3]}, event="event",
                                                   extract=extract), clients, numbered=True)
        for receiver in receivers:
            answer = receiver.client.call("join", {"round_id": round_id, "last_seq": 0}, timeout=20)
            assert "error" not in answer, answer
        poster = requests.Session()
        poster.headers["Authorization"] = f"Bearer {tokens[0]}"

        def send(number: int) -> None:
            response = poster.post(f"{base}/api/v1/rounds/{round_id}/comments", timeout=30,
                                   json={"section": "privacy", "body": f"bench {number} " + "x" * 600})
            assert response.status_code == 201, response.text

    count = int(rate * seconds)
    sent: dict[int, float] = {}
    cpu_before = cpu_seconds(server.pid)
    started = time.monotonic()
    for number in range(count):
        pause = started + number / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        sent[number] = time.time()
        send(number)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(len(r.arrivals) for r in receivers) < count * clients:
        time.sleep(0.2)
    cpu = cpu_seconds(server.pid) - cpu_before
    latencies = [(r.arrivals[n] - sent[n]) * 1000 for r in receivers for n in r.arrivals if n in sent]
    delivered = len(latencies)
    # Closing a socket takes the threading server a few seconds; close them all at once.
    with ThreadPoolExecutor(max_workers=64) as pool:
        list(pool.map(lambda r: r.client.disconnect(), receivers))
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)
    ordered = sorted(latencies)
    return {"delivered": delivered, "lost": count * clients - delivered,
            "duplicates": sum(r.duplicates for r in receivers),
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1) if ordered else None,
            "cpu_us_per_delivery": round(cpu / max(delivered, 1) * 1e6, 1)}


def consult_world(environment: dict[str, str]) -> tuple[list[str], int]:
    """A migrated SQLite database with a tripartite round in consultation, and a token per constituency."""
    from consult import create_app
    from consult.migrate import upgrade
    from tests.factories import Factory, tripartite

    instance = Path(environment["CONSULT_INSTANCE_PATH"])
    instance.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{instance / 'consult.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench"})
    make = Factory(app)
    world = tripartite(make)
    tokens = [make.token(world[name]) for name in ("worker", "employer", "government")]
    app.extensions["consult.db"].dispose()
    return tokens, world["round"].id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="10,100", help="comma-separated N")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="consult-live-bench-"))
    figures: dict[str, dict] = {}
    for clients in (int(n) for n in options.clients.split(",")):
        for kind in ("bare", "consult"):
            figures[f"{kind}_{clients}"] = result = run(kind, clients, options.rate, options.seconds, workdir)
            print(f"{kind:8} N={clients:<4} {result}", file=sys.stderr)
    largest = max(int(n) for n in options.clients.split(","))
    bare, ours = figures[f"bare_{largest}"], figures[f"consult_{largest}"]
    summary = {"bench": "live", "rate_per_s": options.rate, "seconds": options.seconds, "clients": largest,
               "lost": sum(f["lost"] for k, f in figures.items() if k.startswith("consult")),
               "duplicates": sum(f["duplicates"] for k, f in figures.items() if k.startswith("consult")),
               "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"], "bare_p99_ms": bare["p99_ms"],
               "p99_ratio": round(ours["p99_ms"] / bare["p99_ms"], 2) if bare["p99_ms"] else None,
               "cpu_ratio": round(ours["cpu_us_per_delivery"] / bare["cpu_us_per_delivery"], 2)
               if bare["cpu_us_per_delivery"] else None,
               "runs": figures}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
