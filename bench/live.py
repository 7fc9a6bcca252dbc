"""Live delivery figures: consult beside bare Flask-SocketIO, same machine, same clients, same rate, one run.

For each N, N Socket.IO clients follow one room. Bare: a minimal Flask-SocketIO app that, on each HTTP POST
of a comment, broadcasts a message of the same shape and size as consult's push of it (about 2 KB: the
delivery work is the same, so the difference is consult's own). consult: `consult web` on SQLite; comments
are posted over the API and each is pushed, after its commit, to the constituency rooms. Both servers run
Flask-SocketIO in the same mode (threading, with simple-websocket: what `consult web` runs). Latency is from
just before the HTTP request to the client's receipt; lost counts deliveries that never arrived. These
machines are noisy, so for each N the two servers alternate (bare, consult, bare, consult, ...) `--repeats`
times and the figures are medians of the runs.

    .venv/bin/python bench/live.py [--clients 10,100,300] [--rate 20] [--seconds 10] [--repeats 3]

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
    from datetime import datetime, timezone
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
        # The same request as consult's, and a message of the same shape and size as consult's push of it.
        body = request.get_json()["body"]
        now = datetime.now(timezone.utc).isoformat()
        author = {"id": 2, "name": "Wanda Worker", "organisation": "Workers org 3", "constituency": "workers",
                  "role": None}
        io.emit("msg", {"round_id": 1, "seq": 7, "event": {
            "round_id": 1, "seq": 7, "type": "comment.posted", "actor": author,
            "payload": {"comment_id": 1, "section": "privacy", "channel": "plenary", "parent_id": None},
            "created_at": now, "comment": {
                "id": 1, "round_id": 1, "section": "privacy", "parent_id": None, "channel": "plenary",
                "caucus": None, "author": author, "body": body, "body_html": f"<p>{body}</p>", "created_at": now,
                "edited_at": None, "is_hidden": False, "hidden_reason": None, "revisions": 0, "reactions": {}}}},
            to="room")
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


def comment_body(number: int) -> str:
    """The text of comment `number`: about 600 characters, as a substantive comment."""
    return f"bench {number} " + "x" * 600


def extract(push: dict) -> int | None:
    """The number of the comment a push carries (bare and consult pushes have the same shape)."""
    body = ((push.get("event") or {}).get("comment") or {}).get("body") or ""
    return int(body.split()[1]) if body.startswith("bench ") else None


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
        receivers = connect_all(lambda: Receiver(base, event="msg", extract=extract), clients)
        for receiver in receivers:
            receiver.client.call("join", {}, timeout=20)

        def send(number: int) -> None:
            requests.post(f"{base}/send", json={"body": comment_body(number)}, timeout=30)
    else:
        tokens, round_id = consult_world(environment)
        server = subprocess.Popen([str(Path(sys.executable).with_name("consult")), "web", "--port", str(port)],
                                  env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        wait_for(f"{base}/login", server)

        receivers = connect_all(lambda i: Receiver(base, auth={"token": tokens[i % 3]}, event="event",
                                                   extract=extract), clients, numbered=True)
        for receiver in receivers:
            answer = receiver.client.call("join", {"round_id": round_id, "last_seq": 0}, timeout=20)
            assert "error" not in answer, answer
        poster = requests.Session()
        poster.headers["Authorization"] = f"Bearer {tokens[0]}"

        def send(number: int) -> None:
            response = poster.post(f"{base}/api/v1/rounds/{round_id}/comments", timeout=30,
                                   json={"section": "privacy", "body": comment_body(number)})
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


def median_of(runs: list[dict], key: str) -> float | None:
    """The median of one figure over repeated runs."""
    values = [r[key] for r in runs if r[key] is not None]
    return round(statistics.median(values), 1) if values else None


def summarise(runs: list[dict], clients: int, count: int) -> dict:
    """Medians of a kind's runs at one N, with what was delivered and lost in all of them."""
    return {"clients": clients, "runs": len(runs), "expected": count * clients * len(runs),
            "delivered": sum(r["delivered"] for r in runs), "lost": sum(r["lost"] for r in runs),
            "duplicates": sum(r["duplicates"] for r in runs),
            "p50_ms": median_of(runs, "p50_ms"), "p99_ms": median_of(runs, "p99_ms"),
            "cpu_ms_per_1000": round(median_of(runs, "cpu_us_per_delivery"), 1)}


def ratio(ours: float | None, bare: float | None) -> float | None:
    """consult's figure over the bare server's."""
    return round(ours / bare, 2) if ours and bare else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="10,100,300", help="comma-separated N")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of each server per N")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="consult-live-bench-"))
    count = int(options.rate * options.seconds)
    table: dict[int, dict[str, dict]] = {}
    for clients in (int(n) for n in options.clients.split(",")):
        runs: dict[str, list[dict]] = {"bare": [], "consult": []}
        for repeat in range(options.repeats):
            for kind in ("bare", "consult"):
                result = run(kind, clients, options.rate, options.seconds, workdir / f"r{repeat}")
                runs[kind].append(result)
                print(f"{kind:8} N={clients:<4} run {repeat + 1}: {result}", file=sys.stderr)
        table[clients] = {kind: summarise(found, clients, count) for kind, found in runs.items()}
    print(f"\n{'N':>5} {'server':8} {'delivered/expected':>20} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/1000':>12}")
    for clients, kinds in table.items():
        for kind, f in kinds.items():
            print(f"{clients:>5} {kind:8} {f['delivered']:>9}/{f['expected']:<10} {f['p50_ms']:>8} {f['p99_ms']:>8} "
                  f"{f['cpu_ms_per_1000']:>12}")
        bare, ours = kinds["bare"], kinds["consult"]
        ratios = [ratio(ours[key], bare[key]) for key in ("p50_ms", "p99_ms", "cpu_ms_per_1000")]
        print(f"{clients:>5} ratio    {'':20} {ratios[0]:>8} {ratios[1]:>8} {ratios[2]:>12}")
    focus = 100 if 100 in table else max(table)
    bare, ours = table[focus]["bare"], table[focus]["consult"]
    summary = {"bench": "live", "mode": "threading", "rate_per_s": options.rate, "seconds": options.seconds,
               "repeats": options.repeats, "clients": focus, "lost": ours["lost"], "duplicates": ours["duplicates"],
               "lost_any_n": sum(k["consult"]["lost"] for k in table.values()),
               "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"], "bare_p99_ms": bare["p99_ms"],
               "p99_ratio": ratio(ours["p99_ms"], bare["p99_ms"]),
               "cpu_ratio": ratio(ours["cpu_ms_per_1000"], bare["cpu_ms_per_1000"]),
               "by_n": {str(n): {"p99_ratio": ratio(k["consult"]["p99_ms"], k["bare"]["p99_ms"]),
                                 "cpu_ratio": ratio(k["consult"]["cpu_ms_per_1000"], k["bare"]["cpu_ms_per_1000"]),
                                 **{kind: k[kind] for kind in ("bare", "consult")}} for n, k in table.items()}}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
