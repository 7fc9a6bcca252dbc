"""Where the time of a burst of joins goes: N socket.io-client followers joining one `consult web` at once.

The server is `consult web` (gevent) with its socket handlers' turns at the database timed: the wait for a
turn and its connection, how long the turn is held, and each statement from its send to its rows (under
gevent that includes waiting for the event loop to come back to the handler). The CPU of the server process
and of the PostgreSQL processes serving its database is taken over the burst.

    .venv/bin/python bench/join_burst.py [--database URL] [--n 300]

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.join_cost import backends_cpu  # noqa: E402
from bench.live import consult_world, drop_postgres, wait_for  # noqa: E402
from bench.proc import tree_cpu  # noqa: E402
from consult.serving import gunicorn_argv  # noqa: E402
from tests.openloop import OpenLoad  # noqa: E402
from tests.processes import free_port, stop  # noqa: E402


def instrumented_app():
    """`consult web`'s application with its socket handlers' turns and statements timed (a gunicorn factory)."""
    from contextlib import contextmanager

    from flask import jsonify
    from sqlalchemy import event

    from consult.live import gate, sockets
    from consult.serving import web_app

    app = web_app()
    timings: dict[str, list[float]] = {"turn_wait": [], "turn_held": [], "statement": []}
    original = gate.database_turn

    @contextmanager
    def timed_turn():
        asked = time.perf_counter()
        with original() as connection:
            got = time.perf_counter()
            timings["turn_wait"].append(got - asked)
            try:
                yield connection
            finally:
                timings["turn_held"].append(time.perf_counter() - got)

    sockets.database_turn = timed_turn
    engine = app.extensions["consult.db"].engine
    event.listen(engine, "before_cursor_execute", lambda c, *_a: c.info.__setitem__("bench.sent", time.perf_counter()))
    event.listen(engine, "after_cursor_execute",
                 lambda c, *_a: timings["statement"].append(time.perf_counter() - c.info.pop("bench.sent")))

    @app.get("/_bench/timings")
    def bench_timings():
        found = {name: list(values) for name, values in timings.items()}
        for values in timings.values():
            values.clear()
        return jsonify(found)

    return app


def summary(values: list[float]) -> dict:
    """Count, total, median, p90 and max in milliseconds."""
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {"count": len(values), "total_ms": round(1000 * sum(values)),
            "p50_ms": round(1000 * statistics.median(values), 2),
            "p90_ms": round(1000 * ordered[int(0.9 * (len(ordered) - 1))], 2), "max_ms": round(1000 * ordered[-1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="PostgreSQL URL (a fresh database beside it); none: SQLite")
    parser.add_argument("--n", type=int, default=300)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="join-burst-"))
    world = consult_world(workdir, options.database)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "CONSULT_SERVER_WORKER": "gevent", "CONSULT_SECRET_KEY": "bench",
                   "CONSULT_INSTANCE_PATH": str(workdir), "CONSULT_DATABASE_URL": world["url"],
                   "PYTHONPATH": str(ROOT)}
    environment.pop("CONSULT_REDIS_URL", None)
    command = gunicorn_argv("bench.join_burst:instrumented_app()", "127.0.0.1", port, environment)
    with (workdir / "server.log").open("w") as log:
        server = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    load = OpenLoad([base], world["tokens"], world["round_id"], marker="bench")
    try:
        wait_for(f"{base}/socket.io/?EIO=4&transport=polling", server)
        requests.get(f"{base}/_bench/timings", timeout=10)
        postgres = world["url"].startswith("postgresql")
        cpu, database_cpu = tree_cpu(server.pid), backends_cpu(world["url"]) if postgres else 0.0
        load.follow(options.n)
        cpu, database_cpu = tree_cpu(server.pid) - cpu, (backends_cpu(world["url"]) - database_cpu if postgres else 0)
        timings = requests.get(f"{base}/_bench/timings", timeout=10).json()
        figures = {"database": "postgresql" if postgres else "sqlite", "n": options.n, "joined": load.joined,
                   "join_ms": load.join_ms, "retries": sum((n.ready or {}).get("retries", 0) for n in load.nodes),
                   "server_cpu_ms": round(1000 * cpu), "database_cpu_ms": round(1000 * database_cpu),
                   "uptime": os.getloadavg(), **{name: summary(values) for name, values in timings.items()}}
    finally:
        load.close()
        stop([server])
        if options.database:
            drop_postgres(options.database, world["url"])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
