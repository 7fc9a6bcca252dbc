"""Live delivery under open-loop load: consult beside a bare Flask-SocketIO server, same clients, one run.

Followers are socket.io-client (npm) sockets, many per Node process (bench/clients.js); comments are POSTed
by several writers at a fixed rate, each at its planned time whatever the earlier answers (open loop). The
bare server (bench/bare_server.py) broadcasts, on each POST, a message of the same shape and size as consult's
push; both run under gunicorn with the same worker class (`--worker`, as `consult web` does), consult on
SQLite (or `--database URL`). For each N and rate, bare and consult alternate `--repeats` times; figures are
medians of the runs. Latency is from the POST's send to the receipt; lost counts deliveries of a 201 comment
that never arrived; a refused comment (503) delivered anyway counts as saved-after-refusal. CPU is the
server's process tree per 1,000 deliveries. Order is per audience, as consult's page keeps it (bench/clients.js):
a push counts when the page's own Sequencer applies it, out of order if after a later one of its audience.

    .venv/bin/python bench/live.py [--n 100,300,1000] [--rate 20,50] [--seconds 10] [--repeats 3]
                                   [--worker gevent] [--database URL] [--processes 1,2,3]

`--processes`: the scale-out grid, K processes behind nginx on PostgreSQL and Redis (bench/scaleout.py). The
last line printed is one JSON object of the figures (the headline: N = 300 at 20 comments/s; the join ratio;
on PostgreSQL, the p99 ratios at 300 followers and 20 and 50 comments/s; 1,000 followers at 50/s).
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

from bench.proc import tree_cpu  # noqa: E402
from bench.scaleout import ADDRESSES, pids, start_cluster  # noqa: E402
from consult.serving import WORKERS, gunicorn_argv  # noqa: E402
from tests.openloop import OpenLoad  # noqa: E402
from tests.processes import free_port, stop  # noqa: E402

PADDING = 600  # a substantive comment: about 2 KB pushed with its envelope


def wait_for(url: str, process: subprocess.Popen) -> None:
    """Until the server answers `url`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):  # not yet listening, or loading
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def start_server(kind: str, worker: str, workdir: Path, database: str | None) -> tuple[subprocess.Popen, str, dict]:
    """The server under test, ready; with what the clients need to follow and post."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "CONSULT_SERVER_WORKER": worker, "CONSULT_SECRET_KEY": "bench",
                   "CONSULT_INSTANCE_PATH": str(workdir), "CONSULT_COMMENT_RATE": "1000000/minute"}
    environment.pop("CONSULT_REDIS_URL", None)
    if kind == "bare":
        environment["PYTHONPATH"] = str(ROOT)
        command = gunicorn_argv("bench.bare_server:app", "127.0.0.1", port, environment)
        world = {"tokens": [None], "round_id": 1}
    else:
        world = consult_world(workdir, database)
        environment["CONSULT_DATABASE_URL"] = world["url"]
        command = [str(Path(sys.executable).with_name("consult")), "web", "--port", str(port)]
    workdir.mkdir(parents=True, exist_ok=True)
    with (workdir / "server.log").open("w") as log:  # the server's own messages, for a run that went wrong
        server = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    wait_for(f"{base}/socket.io/?EIO=4&transport=polling", server)
    return server, base, world


def consult_world(workdir: Path, database: str | None) -> dict:
    """A migrated database with a tripartite round in consultation, and a token per constituency."""
    from consult import create_app
    from consult.migrate import upgrade
    from tests.factories import Factory, tripartite

    workdir.mkdir(parents=True, exist_ok=True)
    url = database or f"sqlite:///{workdir / 'consult.sqlite3'}"
    if database:
        url = fresh_postgres(database)
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})
    make = Factory(app)
    world = tripartite(make)
    tokens = [make.token(world[name]) for name in ("worker", "employer", "government")]
    app.extensions["consult.db"].dispose()
    return {"url": url, "tokens": tokens, "round_id": world["round"].id}


def fresh_postgres(url: str) -> str:
    """A new empty database beside the one `url` names (each run starts empty)."""
    import uuid

    import psycopg

    name = f"bench_live_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def run(kind: str, worker: str, followers: int, rate: float, seconds: float, workdir: Path,
        database: str | None, processes: int | None = None) -> dict:
    """One run: N followers join, comments are posted open-loop, deliveries are counted.

    `processes`: that many servers behind nginx on Redis (bench/scaleout.py); None: one server, directly."""
    addresses = None
    if processes is None:
        server, base, world = start_server(kind, worker, workdir, database)
        started = [server]
    else:
        started, base, world = start_cluster_of(kind, worker, processes, workdir, database)
        addresses = ADDRESSES
    load = OpenLoad([base], world["tokens"], world["round_id"], marker="bench", local_addresses=addresses)
    try:
        load.follow(followers)
        cpu_before = sum(tree_cpu(pid) for pid in pids(started))
        load.post(rate, seconds, section="privacy", padding=PADDING)
        cpu = sum(tree_cpu(pid) for pid in pids(started)) - cpu_before
        return load.figures(cpu)
    finally:
        load.close()
        stop(started)
        if database and world.get("url", "").startswith("postgresql"):
            drop_postgres(database, world["url"])


def drop_postgres(server: str, url: str) -> None:
    """Drop a database made by fresh_postgres, once its servers have stopped."""
    import psycopg

    with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def start_cluster_of(kind: str, worker: str, processes: int, workdir: Path, database: str | None):
    """K servers of `kind` behind nginx on Redis, with what the clients need."""
    environment = {**os.environ, "CONSULT_SERVER_WORKER": worker, "CONSULT_SECRET_KEY": "bench",
                   "CONSULT_INSTANCE_PATH": str(workdir), "CONSULT_COMMENT_RATE": "1000000/minute",
                   "PYTHONPATH": str(ROOT)}
    if kind == "bare":
        world = {"tokens": [None], "round_id": 1}
    else:
        world = consult_world(workdir, database)
        environment["CONSULT_DATABASE_URL"] = world["url"]
    command = [str(Path(sys.executable).with_name("consult")), "web"]
    started, base = start_cluster(kind, processes, environment, command, workdir, wait_for)
    return started, base, world


def summarise(runs: list[dict]) -> dict:
    """Totals of counts and medians of times over the repeated runs of one server at one N and rate."""
    totals = {key: sum(r[key] for r in runs) for key in (
        "posted", "http_201", "http_503", "http_5xx", "no_answer", "retry_after_missing", "expected", "delivered",
        "lost", "duplicates", "out_of_order", "reordered_on_wire", "refused_but_delivered")}
    medians = {key: median([r[key] for r in runs]) for key in (
        "p50_ms", "p99_ms", "answer_p99_ms", "cpu_ms_per_1000", "join_ms", "peak_in_flight")}
    return {"runs": len(runs), **totals, **medians}


def median(values: list) -> float | None:
    """The median of the values that exist."""
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 1) if present else None


def ratio(ours: float | None, bare: float | None) -> float | None:
    """consult's figure over the bare server's."""
    return round(ours / bare, 2) if ours is not None and bare else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="100,300,1000", help="comma-separated numbers of followers")
    parser.add_argument("--rate", default="20,50", help="comma-separated comments per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long comments are posted")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of each server")
    parser.add_argument("--worker", default=WORKERS[0], help=f"gunicorn worker class(es): {', '.join(WORKERS)}")
    parser.add_argument("--database", default=None, help="PostgreSQL URL (a fresh database per run beside it)")
    parser.add_argument("--processes", default=None, help="scale-out: process counts behind nginx (needs --database)")
    options = parser.parse_args()
    if options.processes and not options.database:
        parser.error("--processes runs the production configuration: give --database (PostgreSQL)")
    workdir = Path(tempfile.mkdtemp(prefix="consult-live-bench-"))
    counts = [int(k) for k in options.processes.split(",")] if options.processes else [None]
    table: dict[tuple, dict[str, dict]] = {}
    for worker in options.worker.split(","):
        for processes in counts:
            for followers in (int(n) for n in options.n.split(",")):
                for rate in (float(r) for r in options.rate.split(",")):
                    table[(worker, processes, followers, rate)] = measure_cell(
                        options, worker, processes, followers, rate, workdir)
    print_table(table)
    print(json.dumps(headline(table, options)))


def measure_cell(options, worker: str, processes: int | None, followers: int, rate: float, workdir: Path) -> dict:
    """Bare and consult alternating `--repeats` times at one point of the grid; their summaries."""
    runs: dict[str, list[dict]] = {"bare": [], "consult": []}
    label = f"k{processes}" if processes else "direct"
    for repeat in range(options.repeats):
        for kind in ("bare", "consult"):
            found = run(kind, worker, followers, rate, options.seconds,
                        workdir / f"{worker}-{label}-{kind}-{followers}-{rate:g}-{repeat}", options.database,
                        processes)
            runs[kind].append(found)
            print(f"{worker} {label} {kind:7} N={followers:<4} {rate:g}/s run {repeat + 1}: {found}",
                  file=sys.stderr, flush=True)
    return {kind: summarise(found) for kind, found in runs.items()}


def print_table(table: dict) -> None:
    """The grid, one line per server and one of ratios."""
    print(f"\n{'worker':8} {'procs':>6} {'N':>5} {'rate':>5} {'server':8} {'delivered/expected':>20} {'lost':>5} "
          f"{'dup':>4} {'ooo':>4} {'5xx':>4} {'503':>4} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/1000':>12} {'join ms':>8}")
    for (worker, processes, followers, rate), kinds in table.items():
        procs = str(processes) if processes else "direct"
        for kind, f in kinds.items():
            print(f"{worker:8} {procs:>6} {followers:>5} {rate:>5g} {kind:8} {f['delivered']:>9}/{f['expected']:<10} "
                  f"{f['lost']:>5} {f['duplicates']:>4} {f['out_of_order']:>4} {f['http_5xx']:>4} "
                  f"{f['http_503']:>4} {f['p50_ms']!s:>8} {f['p99_ms']!s:>8} {f['cpu_ms_per_1000']!s:>12} "
                  f"{f['join_ms']!s:>8}")
        bare, ours = kinds["bare"], kinds["consult"]
        print(f"{worker:8} {procs:>6} {followers:>5} {rate:>5g} {'ratio':8} {'':>20} {'':>5} {'':>4} {'':>4} {'':>4} "
              f"{'':>4} {ratio(ours['p50_ms'], bare['p50_ms'])!s:>8} {ratio(ours['p99_ms'], bare['p99_ms'])!s:>8} "
              f"{ratio(ours['cpu_ms_per_1000'], bare['cpu_ms_per_1000'])!s:>12} "
              f"{ratio(ours['join_ms'], bare['join_ms'])!s:>8}")


def headline(table: dict, options) -> dict:
    """The last line's figures: N = 300 at 20/s, the join ratio, PostgreSQL's p99 ratios, 1,000 at 50/s."""
    keys = list(table)
    focus = next((k for k in keys if k[2:] == (300, 20.0)), keys[0])
    bare, ours = table[focus]["bare"], table[focus]["consult"]
    postgres = bool(options.database)

    def p99_ratio(followers: int, rate: float) -> float | None:
        cell = next((table[k] for k in keys if k[2:] == (followers, rate)), None)
        return ratio(cell["consult"]["p99_ms"], cell["bare"]["p99_ms"]) if cell else None

    thousand = {f"k{k[1]}" if k[1] else "direct": {
        "carried": table[k]["consult"]["lost"] == 0 and table[k]["consult"]["http_503"] == 0
        and table[k]["consult"]["http_5xx"] == 0,
        "p99_ratio": ratio(table[k]["consult"]["p99_ms"], table[k]["bare"]["p99_ms"]),
        "cpu_ratio": ratio(table[k]["consult"]["cpu_ms_per_1000"], table[k]["bare"]["cpu_ms_per_1000"]),
        "deliveries_per_s": round(table[k]["consult"]["delivered"] / table[k]["consult"]["runs"] / options.seconds),
        "consult": table[k]["consult"], "bare": table[k]["bare"]} for k in keys if k[2:] == (1000, 50.0)}
    return {
        "bench": "live", "worker": focus[0], "processes": focus[1] or 1, "behind_nginx": bool(focus[1]),
        "clients": focus[2], "rate_per_s": focus[3], "seconds": options.seconds, "repeats": options.repeats,
        "database": "postgresql" if postgres else "sqlite", "uptime": os.getloadavg(),
        "lost": ours["lost"], "http_5xx": ours["http_5xx"], "http_503": ours["http_503"],
        "duplicates": ours["duplicates"], "out_of_order": ours["out_of_order"], "p99_ms": ours["p99_ms"],
        "bare_p99_ms": bare["p99_ms"], "p99_ratio": ratio(ours["p99_ms"], bare["p99_ms"]),
        "cpu_ratio": ratio(ours["cpu_ms_per_1000"], bare["cpu_ms_per_1000"]),
        "join_ratio": ratio(ours["join_ms"], bare["join_ms"]),
        "pg_p99_ratio_20": p99_ratio(300, 20.0) if postgres else None,
        "pg_p99_ratio_50": p99_ratio(300, 50.0) if postgres else None,
        "n1000_rate50": thousand or None,
        "grid": {f"{w}/{f'k{k}' if k else 'direct'}/{n}/{r:g}": {
            "p99_ratio": ratio(c["consult"]["p99_ms"], c["bare"]["p99_ms"]),
            "cpu_ratio": ratio(c["consult"]["cpu_ms_per_1000"], c["bare"]["cpu_ms_per_1000"]),
            "join_ratio": ratio(c["consult"]["join_ms"], c["bare"]["join_ms"]), **c}
            for (w, k, n, r), c in table.items()}}


if __name__ == "__main__":
    main()
