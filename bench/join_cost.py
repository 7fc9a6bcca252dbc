"""The work one join costs the server, independent of load: statements and CPU per socket's connect and join.

In one process, with Flask-SocketIO's test client, against a fresh database: a round in consultation, as
`bench/live.py` makes it, joined by N sockets in turn (a third each of the worker, employer and government
tokens), each staying connected as followers do. Statements are counted by SQLAlchemy's
`before_cursor_execute`; on PostgreSQL, round trips by bench/post_cost.py's TCP relay and the database's own
CPU as the server processes serving this database used it; CPU is the process's, per join (the connect and
the join together; the WebSocket transport, the same for the bare server, is not in it).

    .venv/bin/python bench/join_cost.py [--database URL] [--joins 300] [--profile 25] [--statements] [--no-relay]

`--statements` prints the statements of one connect and join; `--profile N` prints cProfile's N costliest
functions. The last line printed is one JSON object of the figures. Instructions per join (divide by --joins):

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=starmap_next \
        .venv/bin/python bench/join_cost.py --joins 100 --no-relay [--database URL]
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import pstats
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live import consult_world  # noqa: E402
from bench.post_cost import Relay  # noqa: E402


def backends_cpu(url: str) -> float:
    """CPU seconds used so far by the PostgreSQL server processes connected to the database `url` names."""
    import os

    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        pids = [row[0] for row in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--joins", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--no-relay", action="store_true", help="connect directly (the relay's threads cost CPU)")
    options = parser.parse_args()

    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from consult import create_app

    workdir = Path(tempfile.mkdtemp(prefix="join-cost-"))
    is_sqlite = options.database.startswith("sqlite")
    world = consult_world(workdir, None if is_sqlite else options.database)
    url, relay = world["url"], None
    if not is_sqlite and not options.no_relay:
        parsed = make_url(url)
        relay = Relay(parsed.host, parsed.port or 5432)
        url = parsed.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})
    server = app.extensions["socketio"]
    # Kept for the run whatever its speed: under valgrind, the replay cache's 10 s and presence's pauses would
    # pass within it and change the work measured (a run at full speed lasts a few seconds).
    from consult.live.presence import PresenceAnnouncer
    from consult.live.replay import ReplayCache

    app.extensions["consult.replays"] = ReplayCache(seconds=3600)
    app.extensions["consult.presence"] = PresenceAnnouncer(app, server, interval=3600, longest=3600)
    statements: list[str] = []
    event.listen(app.extensions["consult.db"].engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: statements.append(statement))
    clients = []

    def join(number: int) -> None:
        client = server.test_client(app, auth={"token": world["tokens"][number % len(world["tokens"])]})
        answer = client.emit("join", {"round_id": world["round_id"], "cursor": {}}, callback=True)
        assert "error" not in answer, answer
        clients.append(client)

    for number in range(30):  # warm: caches, pools, prepared statements
        join(number)
    if options.statements:
        statements.clear()
        join(30)
        for statement in statements:
            print(" ".join(statement.split())[:160])
    statements.clear()
    turns = relay.turns if relay else 0
    database_cpu = 0.0 if is_sqlite else backends_cpu(world["url"])
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in itertools.starmap(join, ((100 + number,) for number in range(options.joins))):
        pass  # through starmap: callgrind's --toggle-collect=starmap_next counts these joins and nothing else
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    database_cpu = 0.0 if is_sqlite else backends_cpu(world["url"]) - database_cpu
    figures = {"database": "sqlite" if is_sqlite else "postgresql", "joins": options.joins,
               "statements_per_join": round(len(statements) / options.joins, 2),
               "round_trips_per_join": round(((relay.turns if relay else 0) - turns) / options.joins, 2),
               "database_cpu_ms_per_join": round(1000 * database_cpu / options.joins, 3),
               "cpu_ms_per_join": round(1000 * cpu / options.joins, 2),
               "wall_ms_per_join": round(1000 * wall / options.joins, 2)}
    kinds = Counter(" ".join(s.split()[:3]) for s in statements)
    figures["statement_kinds"] = {kind: round(n / options.joins, 2) for kind, n in kinds.most_common()}
    if options.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU only: waits on the database are not work here
        profiler.enable()
        for number in range(options.joins):
            join(10_000 + number)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(options.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats("consult/", options.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(options.profile)
    for client in clients:
        client.disconnect()
    app.extensions["consult.db"].dispose()
    if not is_sqlite:  # the fresh database goes with the run
        import psycopg

        name = world["url"].rsplit("/", 1)[1]
        with psycopg.connect(options.database.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
