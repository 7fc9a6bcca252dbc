"""The work one join costs the server, independent of load: statements and CPU per socket's connect and join.

In one process, with Flask-SocketIO's test client, against a fresh database: a round in consultation, as
`bench/live.py` makes it, joined by N sockets in turn (a third each of the worker, employer and government
tokens), each staying connected as followers do. Statements are counted by SQLAlchemy's
`before_cursor_execute`; CPU is the process's, per join (the connect and the join together; the WebSocket
transport, the same for the bare server, is not in it).

    .venv/bin/python bench/join_cost.py [--database URL] [--joins 300] [--profile 25] [--statements]

`--statements` prints the statements of one connect and join; `--profile N` prints cProfile's N costliest
functions. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import cProfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--joins", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--statements", action="store_true")
    options = parser.parse_args()

    from sqlalchemy import event

    from consult import create_app

    workdir = Path(tempfile.mkdtemp(prefix="join-cost-"))
    is_sqlite = options.database.startswith("sqlite")
    world = consult_world(workdir, None if is_sqlite else options.database)
    app = create_app({"DATABASE_URL": world["url"], "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})
    server = app.extensions["socketio"]
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
    cpu, wall = time.process_time(), time.perf_counter()
    for number in range(options.joins):
        join(100 + number)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    figures = {"database": "sqlite" if is_sqlite else "postgresql", "joins": options.joins,
               "statements_per_join": round(len(statements) / options.joins, 2),
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
