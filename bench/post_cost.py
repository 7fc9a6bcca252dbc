"""The work one comment costs the server, independent of load: statements, round trips and CPU per POST.

In one process, with the app's test client, against a fresh database: a round in consultation followed by
a socket of this process (so its pushes are rendered in the posting transaction, as under `bench/live.py`),
comments POSTed in turn by a worker, an employer and a government, as the live benchmark's poster does.
Statements are counted by SQLAlchemy's `before_cursor_execute`; round trips by a TCP relay in front of
PostgreSQL (each time the client speaks after the server answered); CPU is the process's, per POST.

    .venv/bin/python bench/post_cost.py [--database URL] [--posts 200] [--profile 25] [--statements] [--no-relay]

`--statements` prints the statements of one POST; `--profile N` prints cProfile's N costliest functions.
The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live import PADDING, consult_world  # noqa: E402


class Relay:
    """A TCP relay in front of the database that counts round trips: each time a client speaks after an answer."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.turns = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(self.target)
            last = ["server"]
            threading.Thread(target=self._pipe, args=(client, server, "client", last), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, "server", last), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, side: str, last: list[str]) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:
                    if side == "client" and last[0] == "server":
                        self.turns += 1
                    last[0] = side
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--no-relay", action="store_true", help="connect directly (the relay's threads cost CPU)")
    options = parser.parse_args()

    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from consult import create_app
    from consult.live.registry import Connection

    workdir = Path(tempfile.mkdtemp(prefix="post-cost-"))
    is_sqlite = options.database.startswith("sqlite")
    world = consult_world(workdir, None if is_sqlite else options.database)
    url, relay = world["url"], None
    if not is_sqlite and not options.no_relay:
        parsed = make_url(url)
        relay = Relay(parsed.host, parsed.port or 5432)
        url = parsed.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench",
                      "COMMENT_RATE": "1000000/minute"})
    registry = app.extensions["consult.live"]
    registry.connect(Connection("follower", 1, None))
    registry.join("follower", world["round_id"], "employers")
    statements: list[str] = []
    poster = threading.get_ident()

    def count(_conn, _cursor, statement, *_args) -> None:
        if threading.get_ident() == poster:
            statements.append(statement)

    event.listen(app.extensions["consult.db"].engine, "before_cursor_execute", count)
    client = app.test_client()
    path = f"/api/v1/rounds/{world['round_id']}/comments"
    body = "x" * PADDING

    def post(number: int) -> None:
        token = world["tokens"][number % len(world["tokens"])]
        answer = client.post(path, json={"section": "privacy", "body": f"bench {number} {body}"},
                             headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 201, answer.get_data(as_text=True)

    for number in range(30):  # warm: caches, pools, prepared statements
        post(number)
    if options.statements:
        statements.clear()
        post(30)
        for statement in statements:
            print(" ".join(statement.split())[:160])
    statements.clear()
    turns_before = relay.turns if relay else 0
    cpu, wall = time.process_time(), time.perf_counter()
    for number in range(options.posts):
        post(100 + number)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    figures = {"database": "sqlite" if is_sqlite else "postgresql", "posts": options.posts,
               "statements_per_post": round(len(statements) / options.posts, 2),
               "round_trips_per_post": round(((relay.turns if relay else 0) - turns_before) / options.posts, 2),
               "cpu_ms_per_post": round(1000 * cpu / options.posts, 2),
               "wall_ms_per_post": round(1000 * wall / options.posts, 2)}
    kinds = Counter(" ".join(s.split()[:3]) for s in statements)
    figures["statement_kinds"] = {kind: round(n / options.posts, 2) for kind, n in kinds.most_common()}
    if options.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU only: waits on the database are not work here
        profiler.enable()
        for number in range(options.posts):
            post(10_000 + number)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(options.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(options.profile)
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
