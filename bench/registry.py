"""Registry search with 10,000 published outcomes: consult's search beside the bare full-text query.

consult: `consult.registry.services.search` through SQLAlchemy, filters and all, one page of 50.
bare: the same full-text match and filters as one hand-written SQL statement on the raw DB-API connection.

    .venv/bin/python bench/registry.py [--entries 10000] [--queries 300] [--database-url URL]

The last line printed is one JSON object of the figures; `search_p95_ms` is consult's (target: under 50 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consult import create_app  # noqa: E402
from consult.accounts.services import create_organisation, create_user  # noqa: E402
from consult.migrate import upgrade  # noqa: E402
from consult.registry.services import _terms, entry_for, search  # noqa: E402
from consult.rounds.plan import COMMITMENT_AREAS, AIFunction  # noqa: E402
from consult.rounds.schemas import RoundIn  # noqa: E402
from consult.rounds.services import open_round  # noqa: E402
from tests.factories import round_payload  # noqa: E402

COUNTRIES = ["DE", "FR", "ES", "IT", "NL", "BE", "SE", "PL", "PT", "IE"]
SECTORS = ["Logistics", "Retail", "Health care", "Banking", "Public administration", "Manufacturing",
           "Hospitality", "Call centres", "Platform work", "Education"]
WORDS = ("roster schedule shift warehouse picker audit algorithm oversight transparency retention privacy "
         "biometric ranking appeal training union council dignity safety fatigue overtime recruitment "
         "screening interview productivity bonus monitoring camera wearable route driver nurse teacher").split()
FUNCTIONS = [f.value for f in AIFunction]


def document(rng: random.Random, number: int) -> dict:
    words = lambda n: " ".join(rng.choice(WORDS) for _ in range(n))  # noqa: E731
    functions = sorted(rng.sample(FUNCTIONS, rng.randint(1, 3)))
    return {
        "round": {"title": f"{words(3).title()} consultation {number}", "employer": f"Employer {number % 997}"},
        "plan": {"system_name": f"System{number}", "provider": "Vendor", "purpose": words(25), "sector":
                 rng.choice(SECTORS), "country": rng.choice(COUNTRIES), "functions": functions,
                 "worker_groups": words(4), "sites": words(3)},
        "sections": [{"key": key, "title": key.replace("_", " "), "position": {"text": words(60)},
                      "stances": [{"constituency": "workers", "statement": words(12)}]}
                     for key in rng.sample(list(COMMITMENT_AREAS), 4)],
        "commitments": [{"description": words(6), "kpi": words(2), "target": "1", "owner": "Employer"}],
        "participants": [],
    }


def populate(app, count: int, seed: int = 7) -> None:
    """`count` rounds opened through the service, each with a published registry entry."""
    db = app.extensions["consult.db"]
    rng = random.Random(seed)
    with db.transaction() as session:
        org = create_organisation(session, name=f"Bench employer {time.time_ns()}", constituency="employers")
        person = create_user(session, email=f"bench{time.time_ns()}@example.org", display_name="Bench",
                             password="bench password 1", organisation_id=org.id)
    for start in range(0, count, 500):
        with db.transaction() as session:
            actor = session.merge(person)
            for number in range(start, min(count, start + 500)):
                round = open_round(session, actor, RoundIn().load(round_payload(is_public=True)))
                session.add(entry_for(round.id, document(rng, number), digest=f"{number:064x}", version=1,
                                      signed_at=None, signatures=[]))


def queries(count: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    shapes = [
        lambda: {"q": rng.choice(WORDS)},
        lambda: {"q": f"{rng.choice(WORDS)} {rng.choice(WORDS)}"},
        lambda: {"q": rng.choice(WORDS)[:4]},  # a prefix, as people type
        lambda: {"country": rng.choice(COUNTRIES)},
        lambda: {"function": rng.choice(FUNCTIONS), "country": rng.choice(COUNTRIES)},
        lambda: {"q": rng.choice(WORDS), "sector": rng.choice(SECTORS)},
        lambda: {"area": rng.choice(COMMITMENT_AREAS), "q": rng.choice(WORDS)},
    ]
    return [rng.choice(shapes)() for _ in range(count)]


def bare_sql(dialect: str, filters: dict) -> tuple[str, list]:
    """The same search, written by hand for the raw connection."""
    where, params = [], []
    terms = _terms(filters.get("q") or "")
    marker = "%s" if dialect == "postgresql" else "?"
    if terms and dialect == "postgresql":
        where.append(f"search_vector @@ to_tsquery('simple', {marker})")
        params.append(" & ".join(f"{t}:*" for t in terms))
    elif terms:
        where.append(f"id IN (SELECT rowid FROM registry_fts WHERE registry_fts MATCH {marker})")
        params.append(" ".join(f'"{t}"*' for t in terms))
    for column in ("country", "sector"):
        if filters.get(column):
            where.append(f"{column} = {marker}")
            params.append(filters[column])
    for column, key in (("function_keys", "function"), ("area_keys", "area")):
        if filters.get(key):
            where.append(f"{column} LIKE {marker}")
            params.append(f"%|{filters[key]}|%")
    sql = "SELECT * FROM registry_entries" + (" WHERE " + " AND ".join(where) if where else "")
    return sql + " ORDER BY id DESC LIMIT 51", params


def timed(action) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="consult-registry-bench-"))
    url = options.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})
    db = app.extensions["consult.db"]
    began = time.monotonic()
    populate(app, options.entries)
    print(f"published {options.entries} entries in {time.monotonic() - began:.1f} s", file=sys.stderr)
    dialect = db.engine.dialect.name
    workload = queries(options.queries)
    ours, bare, found = [], [], []
    with db.transaction(write=False) as session:
        raw = session.connection().connection.driver_connection
        for filters in workload * 2:  # the first pass warms the caches; both are measured alike
            full = {"q": None, "country": None, "sector": None, "function": None, "area": None, **filters}
            result: list = []
            ours.append(timed(lambda f=full, r=result: r.append(search(session, f, limit=50)[0])))
            found.append(len(result[0]))
            sql, params = bare_sql(dialect, filters)
            bare.append(timed(lambda s=sql, p=params: raw.execute(s, p).fetchall()))
    ours, bare = ours[len(workload):], bare[len(workload):]
    figures = {"bench": "registry", "backend": dialect, "entries": options.entries, "queries": len(workload),
               "search_p50_ms": round(statistics.median(ours), 2), "search_p95_ms": p95(ours),
               "bare_p50_ms": round(statistics.median(bare), 2), "bare_p95_ms": p95(bare),
               "p95_ratio": round(p95(ours) / max(p95(bare), 0.01), 2),
               "mean_results": round(statistics.mean(found), 1)}
    print(f"consult search p50 {figures['search_p50_ms']} ms, p95 {figures['search_p95_ms']} ms; bare SQL p50 "
          f"{figures['bare_p50_ms']} ms, p95 {figures['bare_p95_ms']} ms", file=sys.stderr)
    print(json.dumps(figures))
    db.dispose()


if __name__ == "__main__":
    main()
