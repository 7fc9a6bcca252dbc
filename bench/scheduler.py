"""Scheduler figures: how late rounds move at their deadlines, and how fast 10,000 overdue rounds catch up.

Side by side in one run with bare APScheduler 3.11 firing the same number of date jobs (the floor: a
function call per job, no database), because absolute times drift on these machines.

    .venv/bin/python bench/scheduler.py [--rounds 10000] [--window 20] [--database-url URL]

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apscheduler.schedulers.background import BackgroundScheduler  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402

from consult import create_app  # noqa: E402
from consult.accounts.services import create_organisation, create_user  # noqa: E402
from consult.db import utcnow  # noqa: E402
from consult.events.models import Event  # noqa: E402
from consult.migrate import upgrade  # noqa: E402
from consult.rounds.models import Round  # noqa: E402
from consult.rounds.schemas import RoundIn  # noqa: E402
from consult.rounds.services import open_round  # noqa: E402
from consult.scheduler.jobs import process_due  # noqa: E402
from consult.scheduler.runner import Scheduler  # noqa: E402
from consult.timeline.models import PlannedStage, SentReminder  # noqa: E402
from consult.timeline.services import start_round  # noqa: E402
from tests.factories import round_payload  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(lateness_ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(lateness_ms), 2), "p99_ms": round(percentile(lateness_ms, 0.99), 2),
            "max_ms": round(max(lateness_ms), 2)}


def bare_apscheduler(count: int, window: float) -> tuple[dict[str, float], float]:
    """Lateness of `count` date jobs spread over `window` seconds, and the time to run `count` overdue jobs."""
    late: list[float] = []
    done = threading.Event()
    lock = threading.Lock()

    def fire(planned: datetime) -> None:
        with lock:
            late.append((datetime.now(UTC) - planned).total_seconds() * 1000)
            if len(late) == count:
                done.set()

    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"misfire_grace_time": None})
    scheduler.start()
    start = datetime.now(UTC) + timedelta(seconds=2)
    for index in range(count):
        planned = start + timedelta(seconds=window * index / count)
        scheduler.add_job(fire, "date", run_date=planned, args=[planned])
    done.wait(window + 120)
    scheduler.shutdown()
    lateness = figures(late)

    overdue, finished = [], threading.Event()
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"misfire_grace_time": None})
    past = datetime.now(UTC) - timedelta(hours=1)
    for _ in range(count):
        scheduler.add_job(lambda: (overdue.append(1), len(overdue) == count and finished.set()), "date",
                          run_date=past)
    began = time.perf_counter()
    scheduler.start()
    finished.wait(300)
    catchup = time.perf_counter() - began
    scheduler.shutdown()
    return lateness, catchup


def make_rounds(app, count: int, lengths_for) -> list[int]:
    """`count` started rounds, opened and started through the services, 500 per transaction."""
    db = app.extensions["consult.db"]
    with db.transaction() as session:
        employer_org = create_organisation(session, name=f"Bench Employer {time.time_ns()}", constituency="employers")
        employer = create_user(session, email=f"bench{time.time_ns()}@example.org", display_name="Bench",
                               password="bench password 1", organisation_id=employer_org.id)
    ids: list[int] = []
    for batch in range(0, count, 500):
        with db.transaction() as session:
            actor = session.merge(employer)
            for index in range(batch, min(count, batch + 500)):
                round = open_round(session, actor, RoundIn().load(round_payload(stage_lengths=lengths_for(index))))
                start_round(session, actor, round.id, "bench")
                ids.append(round.id)
    return ids


def consult_lateness(app, count: int, window: float) -> dict[str, float]:
    """Rounds whose information stage ends across `window` seconds; the scheduler moves each at its deadline."""
    db = app.extensions["consult.db"]
    opened = time.monotonic()
    ids = make_rounds(app, count, lambda i: {})
    print(f"  created {count} rounds in {time.monotonic() - opened:.1f} s", file=sys.stderr)
    # Set-up only: move each round's first deadline into the measured window, its reminders already sent.
    first = utcnow() + timedelta(seconds=3 + count / 500)
    with db.transaction() as session:
        for index, round_id in enumerate(ids):
            deadline = first + timedelta(seconds=window * index / count)
            session.execute(update(PlannedStage).where(PlannedStage.round_id == round_id,
                                                       PlannedStage.key == "information").values(deadline_at=deadline))
            session.execute(update(Round).where(Round.id == round_id).values(wake_at=deadline))
            for hours in (48, 2):
                session.add(SentReminder(round_id=round_id, stage="information", offset_seconds=hours * 3600,
                                         sent_at=utcnow()))
    lead = (first - utcnow()).total_seconds()
    scheduler = Scheduler(app)
    scheduler.start()
    deadline = time.monotonic() + lead + window + 120
    while time.monotonic() < deadline:
        with db.transaction(write=False) as session:
            left = session.scalar(select(func.count()).select_from(Round).where(
                Round.id.in_(ids), Round.stage == "information"))
        if not left:
            break
        time.sleep(0.5)
    scheduler.shutdown()
    with db.transaction(write=False) as session:
        events = session.scalars(select(Event).where(Event.round_id.in_(ids), Event.type == "stage.entered",
                                                     Event.payload["stage"].as_string() == "consultation"))
        late = [(e.created_at - datetime.fromisoformat(e.payload["entered_at"])).total_seconds() * 1000
                for e in events]
    assert lead > 0, "set-up took longer than the lead time"
    assert len(late) == count, f"{count - len(late)} rounds did not move"
    return figures(late)


def consult_catchup(app, count: int) -> float:
    """Seconds for one scheduler pass to catch up `count` rounds 40 days overdue: three stages each, then a block."""
    opened = time.monotonic()
    ids = make_rounds(app, count, lambda i: {})
    print(f"  created {count} rounds in {time.monotonic() - opened:.1f} s", file=sys.stderr)
    began = time.perf_counter()
    handled, moved = process_due(app.extensions["consult.db"], utcnow() + timedelta(days=40))
    elapsed = time.perf_counter() - began
    # Each walks information -> consultation -> caucus -> drafting, where the signatory gate blocks it.
    assert handled == len(ids) and moved == 3 * len(ids), (handled, moved)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=20.0, help="seconds over which the deadlines fall")
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    url = options.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})

    bare_late, bare_catchup = bare_apscheduler(options.rounds, options.window)
    print(f"bare APScheduler: {options.rounds} date jobs over {options.window:.0f} s: lateness {bare_late}; "
          f"{options.rounds} overdue jobs run in {bare_catchup:.2f} s", file=sys.stderr)
    catchup = consult_catchup(app, options.rounds)
    print(f"consult: {options.rounds} overdue rounds caught up (3 stages and a block each) in {catchup:.2f} s",
          file=sys.stderr)
    late = consult_lateness(app, options.rounds, options.window)
    print(f"consult: {options.rounds} rounds moved at deadlines over {options.window:.0f} s: lateness {late}",
          file=sys.stderr)
    print(json.dumps({
        "bench": "scheduler", "backend": app.extensions["consult.db"].engine.dialect.name,
        "rounds": options.rounds, "window_s": options.window,
        "lateness_p50_ms": late["p50_ms"], "lateness_p99_ms": late["p99_ms"], "lateness_max_ms": late["max_ms"],
        "bare_lateness_p50_ms": bare_late["p50_ms"], "bare_lateness_p99_ms": bare_late["p99_ms"],
        "catchup_s": round(catchup, 2), "bare_catchup_s": round(bare_catchup, 2),
        "catchup_rounds_per_s": round(options.rounds / catchup, 1),
    }))
    app.extensions["consult.db"].dispose()


if __name__ == "__main__":
    main()
