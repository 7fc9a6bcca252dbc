"""The round page of a round with 5,000 comments: consult's page beside a bare Flask + SQLAlchemy + Jinja page.

consult: `GET /rounds/<id>` through the in-process test client (log-in session, policy, threads, timeline and
participation pictures, every comment's forms), for a worker and for an employer viewer.
bare: a Flask app on the same database file that selects the same first page of comments (the latest 5
top-level comments of each section's plenary thread, with their replies: the page's default threads, each
section's latest 5 until one is chosen) with one
hand-written SQL statement and renders them with a small Jinja template: no consult code at all.

The three are measured in turns in the same run (after a warm-up), so drift hits them alike. Every request
sends `Accept-Encoding: gzip`, as a browser does, so the times include consult's compression.

Weight, "transferred": the bytes of the response bodies as the server sends them to a browser that accepts
gzip (Content-Length of the gzipped page), for the page alone and with the stylesheet and scripts it loads
(JavaScript on, an empty cache); the bare page is gzipped by the same library.

    .venv/bin/python bench/pages.py [--comments 5000] [--requests 300]

The last line printed is one JSON object; `round_page_p95_ms` is consult's over both viewers (target: 150 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from flask_compress import Compress  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from consult import create_app  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.comments.models import Channel, Reaction  # noqa: E402
from consult.comments.services import post_comment, react  # noqa: E402
from consult.migrate import upgrade  # noqa: E402
from consult.rounds.plan import SECTIONS  # noqa: E402
from tests.factories import Factory, log_in, tripartite  # noqa: E402

WORDS = ("roster shift scanner data retention privacy appeal training union council dignity safety fatigue "
         "overtime monitoring camera route driver audit oversight transparency ranking bonus").split()

BARE_SQL = """
WITH RECURSIVE ranked AS (
  SELECT id, row_number() OVER (PARTITION BY section_id, channel ORDER BY id DESC) AS rank
  FROM comments
  WHERE round_id = :round_id AND parent_id IS NULL AND channel = 'plenary'
), tree(id) AS (
  SELECT id FROM ranked WHERE rank <= 5
  UNION ALL SELECT c.id FROM comments c JOIN tree ON c.parent_id = tree.id
)
SELECT c.id, c.parent_id, c.section_id, c.channel, c.body_html, c.created_at, u.display_name, o.name
FROM comments c JOIN users u ON u.id = c.author_id JOIN organisations o ON o.id = c.author_organisation_id
WHERE c.id IN (SELECT id FROM tree) ORDER BY c.id
"""

BARE_PAGE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head><body><main><h1>{{ title }}</h1>
{% for (section, channel), items in threads.items() %}<section><h2>{{ section }} {{ channel }}</h2><ol>
{% for c in items %}<li id="comment-{{ c.id }}"><p class="meta"><strong>{{ c.display_name }}</strong> · {{ c.name }}
· <time>{{ c.created_at }}</time></p><div class="body">{{ c.body_html | safe }}</div></li>{% endfor %}
</ol></section>{% endfor %}</main></body></html>"""


def bare_app(url: str, round_id: int) -> Flask:
    """A Flask app that knows nothing of consult: one SQL statement, one Jinja template."""
    app = Flask("bare")
    app.config.update(COMPRESS_ALGORITHM="gzip", COMPRESS_STREAMS=False)
    Compress(app)  # gzipped as consult's page is, so both times include compressing
    engine = create_engine(url)
    # Compiled once, as Flask compiles a template file once: render_template_string compiles its source on every
    # call, which was a third of the bare page's work and made consult's ratio look better than it is.
    template = app.jinja_env.from_string(BARE_PAGE)

    @app.get("/rounds/<int:rid>")
    def page(rid: int):
        with engine.connect() as connection:
            rows = connection.execute(text(BARE_SQL), {"round_id": rid}).mappings().all()
        threads: dict = {}
        for row in rows:
            threads.setdefault((row["section_id"], row["channel"]), []).append(row)
        return template.render(title=f"Round {rid}", threads=threads)

    app.extensions["bare.engine"] = engine
    return app


def populate(make: Factory, world: dict, count: int, seed: int = 5) -> dict:
    """`count` comments through the service: 40% top-level, the rest replies; about 15% in caucuses."""
    rng = random.Random(seed)
    round_id = world["round"].id
    extra = [make.user(world[k].organisation) for k in ("worker", "employer", "government") for _ in range(2)]
    people = [world["worker"], world["employer"], world["government"], *extra]
    threads: dict[tuple, list[int]] = {}
    made = {"top_level": 0, "replies": 0, "caucus": 0}
    db = make.db
    for start in range(0, count, 500):
        with db.transaction() as session:
            for _ in range(start, min(count, start + 500)):
                author = session.get(User, rng.choice(people).id)
                section = rng.choice(SECTIONS)[0]
                caucus = author.constituency.value in ("workers", "employers") and rng.random() < 0.15
                key = (section, "caucus" if caucus else "plenary", author.constituency.value if caucus else None)
                earlier = threads.setdefault(key, [])
                parent = rng.choice(earlier[-60:]) if earlier and rng.random() < 0.6 else None
                body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
                comment = post_comment(session, author, round_id, {
                    "section": section, "body": body.capitalize() + ".", "parent_id": parent,
                    "channel": Channel.CAUCUS if caucus else Channel.PLENARY})
                earlier.append(comment.public_id)  # a reply names its parent as users do
                made["replies" if parent else "top_level"] += 1
                made["caucus"] += caucus
    with db.transaction() as session:
        plenary = [i for (s, channel, c), ids in threads.items() if channel == "plenary" for i in ids[-40:]]
        for comment_id in rng.sample(plenary, min(300, len(plenary))):
            react(session, session.get(User, rng.choice(people).id), round_id, comment_id, rng.choice(list(Reaction)))
    return made


GZIP = {"Accept-Encoding": "gzip"}


def timed(client, path: str) -> float:
    began = time.perf_counter()
    response = client.get(path, headers=GZIP)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warm-up", type=int, default=20)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="consult-pages-bench-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench",
                      "COMMENT_RATE": "1000000/minute", "LOGIN_RATE": "1000/minute"})
    make = Factory(app)
    world = tripartite(make)
    began = time.monotonic()
    made = populate(make, world, options.comments)
    print(f"posted {options.comments} comments in {time.monotonic() - began:.1f} s: {made}", file=sys.stderr)
    path = f"/rounds/{world['round'].id}"
    clients = {}
    for viewer in ("worker", "employer"):
        clients[viewer] = app.test_client()
        log_in(clients[viewer], world[viewer])
    bare = bare_app(url, world["round"].id)
    clients["bare"] = bare.test_client()
    pages = {name: client.get(path).get_data(as_text=True) for name, client in clients.items()}
    sent = {name: len(client.get(path, headers=GZIP).get_data()) for name, client in clients.items()}
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', pages["worker"])))
    assets_sent = sum(len(clients["worker"].get(a, headers=GZIP).get_data()) for a in assets)
    shown = {name: page.count('<li id="comment-') for name, page in pages.items()}
    for _ in range(options.warm_up):
        for client in clients.values():
            timed(client, path)
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(options.requests):
        for name, client in clients.items():
            times[name].append(timed(client, path))
    ours = times["worker"] + times["employer"]
    bare_p50, bare_p95 = statistics.median(times["bare"]), p95(times["bare"])
    figures = {"bench": "pages", "backend": "sqlite", "comments": options.comments, "requests": options.requests,
               "comments_on_page": shown, "page_kib": {n: round(len(p.encode()) / 1024, 1) for n, p in pages.items()},
               "transferred_kib": {n: round(b / 1024, 1) for n, b in sent.items()},
               "assets": assets, "assets_transferred_kib": round(assets_sent / 1024, 1),
               "worker_with_javascript_kib": round((sent["worker"] + assets_sent) / 1024, 1),
               "round_page_p50_ms": round(statistics.median(ours), 2), "round_page_p95_ms": p95(ours),
               "worker_p50_ms": round(statistics.median(times["worker"]), 2), "worker_p95_ms": p95(times["worker"]),
               "employer_p50_ms": round(statistics.median(times["employer"]), 2),
               "employer_p95_ms": p95(times["employer"]),
               "bare_p50_ms": round(bare_p50, 2), "bare_p95_ms": bare_p95,
               "p50_ratio": round(statistics.median(ours) / max(bare_p50, 0.01), 2),
               "p95_ratio": round(p95(ours) / max(bare_p95, 0.01), 2)}
    print(f"consult round page p50 {figures['round_page_p50_ms']} ms, p95 {figures['round_page_p95_ms']} ms "
          f"(worker p95 {figures['worker_p95_ms']}, employer p95 {figures['employer_p95_ms']}); bare p50 "
          f"{figures['bare_p50_ms']} ms, p95 {figures['bare_p95_ms']} ms", file=sys.stderr)
    print(json.dumps(figures))
    bare.extensions["bare.engine"].dispose()
    app.extensions["consult.db"].dispose()


if __name__ == "__main__":
    main()
