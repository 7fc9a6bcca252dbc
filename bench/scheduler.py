"""Scheduler figures: how fast 10,000 overdue rounds catch up, and how late rounds move at their deadlines.

Side by side in one run with bare APScheduler 3.11 firing the same number of date jobs (the floor: a
function call per job, no database), because absolute times drift on these machines. The catch-up runs on
SQLite and on PostgreSQL (a throw-away database on the server given) and checks exactly-once: as many
`stage.entered` events as stages walked, none twice, every hash chain intact; and, with mail on (the outbox
written in the same transactions), one "stage entered" notification and one mail per person of each round
for the stage it stands in now (the stages it passed are named in it), none missing, none twice.

    .venv/bin/python bench/scheduler.py [--rounds 10000] [--database both|sqlite|postgresql]
        [--postgres-server URL] [--lateness] [--window 20]

The last line printed is one JSON object of the figures (with the machine's load average beside them: quote
ratios against bare APScheduler measured in the same run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from apscheduler.schedulers.background import BackgroundScheduler  # noqa: E402
from sqlalchemy import func, insert, select, text, update  # noqa: E402

from consult import create_app  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.accounts.services import create_organisation, create_user  # noqa: E402
from consult.db import Base, utcnow  # noqa: E402
from consult.events.audit import verify_all  # noqa: E402
from consult.events.models import Event  # noqa: E402
from consult.migrate import upgrade  # noqa: E402
from consult.notifications.models import Notification, OutboxMessage  # noqa: E402
from consult.rounds.models import Participant, Round  # noqa: E402
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


def clone_rounds(app, count: int) -> list[int]:
    """`count` started rounds: one opened and started through the services, then copied row for row in bulk.

    Set-up only (the services take minutes for 10,000 rounds on a busy machine). Each copy gets its own ids
    and its own hash chain, so the copies are rounds like any other to the scheduler and to the audit.
    """
    from consult.events.chain import event_hash
    from consult.models import import_all_models

    import_all_models()
    [template] = make_rounds(app, 1, lambda i: {})
    db = app.extensions["consult.db"]
    rounds = Round.__table__
    owned = [table for table in Base.metadata.sorted_tables if "round_id" in table.c and "id" in table.c]
    with db.transaction() as session:
        head = dict(session.execute(select(rounds).where(rounds.c.id == template)).mappings().one())
        rows = {table: [dict(row) for row in session.execute(select(table).where(table.c.round_id == template)
                                                             .order_by(table.c.id)).mappings()]
                for table in owned}
        rows = {table: found for table, found in rows.items() if found}
        next_id = {table: (session.scalar(select(func.max(table.c.id))) or 0) + 1 for table in [rounds, *rows]}
        ids = [template]
        for start in range(0, count - 1, 1000):
            batch = {table: [] for table in [rounds, *rows]}
            for _ in range(min(1000, count - 1 - start)):
                round_id = next_id[rounds]
                next_id[rounds] += 1
                ids.append(round_id)
                previous = ""
                for table, found in rows.items():
                    for row in found:
                        copy = {**row, "id": next_id[table], "round_id": round_id}
                        next_id[table] += 1
                        if table.name == "events":
                            copy["prev_hash"] = previous
                            copy["hash"] = previous = event_hash(
                                previous, round_id=round_id, seq=row["seq"], type=row["type"],
                                actor_id=row["actor_id"], audience=row["audience"], payload=row["payload"],
                                created_at=row["created_at"])
                        batch[table].append(copy)
                batch[rounds].append({**head, "id": round_id, "last_event_hash": previous})
            for table in [rounds, *rows]:
                session.execute(insert(table), batch[table])
        if db.engine.dialect.name == "postgresql":
            for table in [rounds, *rows]:
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"(SELECT max(id) FROM {table.name}))"))
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


def consult_catchup(app, count: int, push: bool = True) -> dict[str, float | int | bool]:
    """One scheduler pass over `count` rounds 40 days overdue (three stages each, then a block), and its checks."""
    db = app.extensions["consult.db"]
    opened = time.monotonic()
    ids = clone_rounds(app, count)
    print(f"  created {count} rounds in {time.monotonic() - opened:.1f} s", file=sys.stderr)
    after_commit = [0.0]

    def timed(subscriber):
        def run(events):
            began = time.perf_counter()
            subscriber(events)
            after_commit[0] += time.perf_counter() - began
        return run

    db.dispatcher.subscribers[:] = [timed(subscriber) for subscriber in db.dispatcher.subscribers
                                    if push or "push" not in subscriber.__qualname__.lower()]
    if not push:
        db.dispatcher.ordered[:] = []
    pusher = app.extensions["consult.pusher"]
    with db.transaction(write=False) as session:  # the template round's own mail (its information stage)
        mails_before = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "stage.entered"))
    began, cpu = time.perf_counter(), time.process_time()
    handled, moved = process_due(db, utcnow() + timedelta(days=40))
    elapsed = time.perf_counter() - began
    while not pusher.idle():  # the pushes the pass queued, rendered by the push thread beside it
        time.sleep(0.01)
    drained, cpu = time.perf_counter() - began, time.process_time() - cpu
    with db.transaction(write=False) as session:
        stage = Event.payload["stage"].as_string()
        walked = select(Event.round_id, stage).where(Event.round_id.in_(ids), Event.type == "stage.entered",
                                                     stage != "information")  # the start entered information
        entered = session.scalar(select(func.count()).select_from(walked.subquery()))
        distinct = session.scalar(select(func.count()).select_from(walked.distinct().subquery()))
        blocked = session.scalar(select(func.count()).select_from(Event).where(
            Event.round_id.in_(ids), Event.type == "round.blocked"))
        checked, breaks = verify_all(session)
        # Due: one notification per active person of each round's organisations, about the stage it is in now.
        people = session.scalar(select(func.count()).select_from(Participant).join(
            User, User.organisation_id == Participant.organisation_id).where(
            Participant.round_id.in_(ids), Participant.removed_at.is_(None), User.is_active.is_(True)))
        written = select(Notification.user_id, Notification.round_id).where(
            Notification.round_id.in_(ids), Notification.kind == "stage.entered",
            Notification.data["stage"].as_string() == "drafting")
        notified = session.scalar(select(func.count()).select_from(written.subquery()))
        notified_once = session.scalar(select(func.count()).select_from(written.distinct().subquery()))
        stale = session.scalar(select(func.count()).select_from(Notification).where(
            Notification.round_id.in_(ids), Notification.kind == "stage.entered",
            Notification.data["stage"].as_string().in_(["consultation", "caucus"])))
        mails = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "stage.entered")) - mails_before
    # Each walks information -> consultation -> caucus -> drafting, where the signatory gate blocks it.
    expected = 3 * count
    mail_ok = notified == notified_once == mails == people and not stale
    return {"catchup_s": round(elapsed, 2), "rounds_per_s": round(count / elapsed, 1), "handled": handled,
            "stages_moved": moved, "stage_entered": entered, "stage_entered_expected": expected,
            "blocked": blocked, "chains_checked": checked, "chain_breaks": len(breaks),
            "after_commit_s": round(after_commit[0], 2), "pushes_drained_s": round(drained, 2), "cpu_s": round(cpu, 2),
            "notifications": notified, "notifications_expected": people, "notifications_of_passed_stages": stale,
            "mails": mails,
            "exactly_once": entered == distinct == moved == expected and blocked == count and not breaks and mail_ok}


def throwaway_postgres(server: str) -> str:
    """A new, empty database on the PostgreSQL server (dropped by drop_postgres)."""
    name = f"consult_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(server: str, url: str) -> None:
    """Drop a database made by throwaway_postgres."""
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def run_backend(url: str, workdir: Path, options) -> dict:
    """The catch-up (and, if asked, the lateness) figures on one database."""
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})
    backend = app.extensions["consult.db"].engine.dialect.name
    try:
        result = consult_catchup(app, options.rounds, push=not options.no_push)
        print(f"consult on {backend}: {options.rounds} overdue rounds caught up (3 stages and a block each) in "
              f"{result['catchup_s']:.2f} s, CPU {result['cpu_s']:.2f} s "
              f"(pushes drained at {result['pushes_drained_s']:.2f} s); "
              f"stage.entered {result['stage_entered']}/{result['stage_entered_expected']}; notifications written "
              f"{result['notifications']} (expected {result['notifications_expected']}, of passed stages "
              f"{result['notifications_of_passed_stages']}), mails {result['mails']}; "
              f"exactly once: {result['exactly_once']}", file=sys.stderr)
        if options.lateness:
            late = consult_lateness(app, options.rounds, options.window)
            print(f"consult on {backend}: {options.rounds} rounds moved at deadlines over {options.window:.0f} s: "
                  f"lateness {late}", file=sys.stderr)
            result.update({"lateness_p50_ms": late["p50_ms"], "lateness_p99_ms": late["p99_ms"],
                           "lateness_max_ms": late["max_ms"]})
    finally:
        app.extensions["consult.db"].dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10_000)
    parser.add_argument("--database", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--postgres-server", default=os.environ.get(
        "CONSULT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a server where a throw-away database is made (connect to its maintenance database)")
    parser.add_argument("--lateness", action="store_true", help="also measure lateness at deadlines")
    parser.add_argument("--no-push", action="store_true",
                        help="leave out the live push (it runs after each commit, in the scheduler's thread)")
    parser.add_argument("--window", type=float, default=20.0, help="seconds over which the deadlines fall")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="consult-bench-"))

    bare_late, bare_catchup = bare_apscheduler(options.rounds, options.window)
    print(f"bare APScheduler: {options.rounds} date jobs over {options.window:.0f} s: lateness {bare_late}; "
          f"{options.rounds} overdue jobs run in {bare_catchup:.2f} s", file=sys.stderr)
    figures_by_backend = {}
    if options.database in ("both", "sqlite"):
        figures_by_backend["sqlite"] = run_backend(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir, options)
    if options.database in ("both", "postgresql"):
        url = throwaway_postgres(options.postgres_server)
        try:
            figures_by_backend["postgresql"] = run_backend(url, workdir, options)
        finally:
            drop_postgres(options.postgres_server, url)
    summary = {"bench": "scheduler", "rounds": options.rounds, "live_push": not options.no_push, "mail": True,
               "load_average": [round(load, 2) for load in os.getloadavg()],
               "bare_catchup_s": round(bare_catchup, 2),
               "bare_lateness_p50_ms": bare_late["p50_ms"], "bare_lateness_p99_ms": bare_late["p99_ms"]}
    for backend, result in figures_by_backend.items():
        summary[f"{backend}_catchup_s"] = result["catchup_s"]
        summary[f"{backend}_exactly_once"] = result["exactly_once"]
        summary[f"{backend}_notifications"] = result["notifications"]
        summary[f"{backend}_notifications_expected"] = result["notifications_expected"]
        summary[f"{backend}_catchup_cpu_s"] = result["cpu_s"]
        summary[f"{backend}_catchup_ratio"] = round(result["catchup_s"] / bare_catchup, 1)
    summary["backends"] = figures_by_backend
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
