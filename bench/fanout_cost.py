"""Server CPU a comment and a delivery: the live server's process tree over comments posted at a low rate.

The same comments are posted to the server with 1 follower and with N (bench/live.py's clients and
servers); the first run is a comment's own cost, the difference over the extra followers a delivery's. At a
low rate the server keeps up, so this is work, not queueing, and CPU time moves less with a loaded machine
than latency does. Prints one JSON line per run (user and system seconds apart), the last the per-comment
and per-delivery figures of each server.

    .venv/bin/python bench/fanout_cost.py [--servers consult,bare] [--n 300] [--rate 10] [--seconds 10]
                                          [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live import PADDING, drop_postgres, start_server  # noqa: E402
from bench.proc import tree_times  # noqa: E402
from tests.openloop import OpenLoad  # noqa: E402
from tests.processes import stop  # noqa: E402


def run(kind: str, followers: int, rate: float, seconds: float, database: str | None) -> dict:
    """One server, `followers` joined, comments posted: its CPU over the posting and the delivery."""
    server, base, world = start_server(kind, "gevent", Path(tempfile.mkdtemp(prefix="fanout-cost-")),
                                       database if kind == "consult" else None)
    load = OpenLoad([base], world["tokens"], world["round_id"], marker="bench")
    try:
        load.follow(followers)
        time.sleep(1)
        user, system = tree_times(server.pid)
        load.post(rate, seconds, section="privacy", padding=PADDING)
        user_after, system_after = tree_times(server.pid)
        figures = load.figures()
        return {"server": kind, "followers": followers, "accepted": figures["http_201"],
                "refused": figures["http_503"], "delivered": figures["delivered"], "lost": figures["lost"],
                "user_s": round(user_after - user, 2), "system_s": round(system_after - system, 2)}
    finally:
        load.close()
        stop([server])
        if kind == "consult" and database:
            drop_postgres(database, world["url"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", default="consult,bare")
    parser.add_argument("--n", type=int, default=300, help="followers of the second run")
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="consult's database (a fresh one per run beside it); 'sqlite' for SQLite")
    options = parser.parse_args()
    database = None if options.database == "sqlite" else options.database
    summary = {}
    for kind in options.servers.split(","):
        one, many = (run(kind, n, options.rate, options.seconds, database) for n in (1, options.n))
        for found in (one, many):
            print(json.dumps(found), flush=True)
        cpu_one, cpu_many = (r["user_s"] + r["system_s"] for r in (one, many))
        extra = many["delivered"] - one["delivered"]
        summary[kind] = {"cpu_ms_per_comment": round(1000 * cpu_one / max(one["accepted"], 1), 2),
                         "cpu_us_per_delivery": round(1e6 * (cpu_many - cpu_one) / max(extra, 1), 1)}
    print(json.dumps({"bench": "fanout_cost", "followers": options.n, "rate_per_s": options.rate,
                      "uptime": os.getloadavg(), **summary}))


if __name__ == "__main__":
    main()
