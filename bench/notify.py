"""Notifications under a burst: 300 participants in a round, then 1,000 replies (each mails its parent's author).

Measured in one run, in this process (Flask's test client over the real WSGI stack, SQLite in a temporary
folder, aiosmtpd on 127.0.0.1, the real sender thread):
- the time from the commit of the burst's last comment to the last message accepted by the SMTP server;
- the messages sent (and that none is missing or doubled, by Message-ID);
- the cost of the outbox on posting: p50/p95 of the POST with notifications, and of the same POST with the
  notification writer switched off, the two interleaved request by request so drift hits both alike.
Ends by printing one JSON line. Run: nice -n 19 .venv/bin/python -m bench.notify [--participants N --comments N]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consult import create_app  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.migrate import upgrade  # noqa: E402
from consult.notifications.kinds import DEFAULTS  # noqa: E402
from consult.notifications.mailer import Mailer, send_now  # noqa: E402
from consult.notifications.services import set_preferences  # noqa: E402
from tests.factories import Factory  # noqa: E402  (the test suite's factories: data made through the services)
from tests.notifications.smtpserver import SmtpServer  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--comments", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="consult-bench-notify-"))
    url = f"sqlite:///{folder / 'consult.sqlite3'}"
    upgrade(url)
    smtp = SmtpServer().start()
    accepted_at: list[float] = []
    original = smtp.inbox.handle_DATA

    async def timed(server, session, envelope):
        answer = await original(server, session, envelope)
        accepted_at.append(time.perf_counter())
        return answer

    smtp.inbox.handle_DATA = timed
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench",
                      "COMMENT_RATE": "100000/minute", "SMTP_URL": smtp.url, "MAIL_POLL_SECONDS": 0.5,
                      "MAIL_FROM": "consult <noreply@bench.test>"})
    db = app.extensions["consult.db"]
    make = Factory(app)
    employer = make.user("employers", name="Employer")
    organisations = [make.organisation(c) for c in ("workers", "workers", "government", "secretariat")]
    people = [employer] + [make.user(organisations[i % 4]) for i in range(args.participants - 1)]
    consultation = make.round(employer, invite=tuple(organisations), stage="consultation")
    with db.transaction() as session:
        for person in people:
            set_preferences(session, session.get(User, person.id), {kind: "immediate" for kind in DEFAULTS})
    parents = [make.comment(person, consultation, f"Opening remark {n}") for n, person in enumerate(people)]
    send_now(app)  # the set-up's invitations and stage mails
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear(), accepted_at.clear()

    tokens = {person.id: make.token(person) for person in people}
    client = app.test_client()
    writers = db.dispatcher.writers
    notifier = writers[0]
    rng = random.Random(15)
    timings: dict[bool, list[float]] = {True: [], False: []}
    mailer = Mailer(app).start()
    expected = 0
    last_commit = 0.0
    for number in range(2 * args.comments):
        notify = number % 2 == 0
        parent = rng.choice(parents)
        author = rng.choice([p for p in people[:50] if p.id != parent.author_id])
        if notify:
            writers.append(notifier) if notifier not in writers else None
        else:
            writers.remove(notifier) if notifier in writers else None
        started = time.perf_counter()
        response = client.post(f"/api/v1/rounds/{consultation.id}/comments",
                               headers={"Authorization": f"Bearer {tokens[author.id]}"},
                               json={"section": "system", "body": f"Reply {number}", "parent_id": parent.public_id})
        finished = time.perf_counter()
        assert response.status_code == 201, response.get_data(as_text=True)
        timings[notify].append(finished - started)
        if notify:
            expected += 1
            last_commit = finished
    if notifier not in writers:
        writers.append(notifier)
    deadline = time.perf_counter() + 600
    while len(accepted_at) < expected and time.perf_counter() < deadline:
        time.sleep(0.05)
    mailer.stop()
    ids = [str(m["Message-ID"]) for m in smtp.inbox.messages]
    smtp.stop()
    db.dispose()
    result = {
        "bench": "notify", "participants": len(people), "comments_notified": expected,
        "comments_without": len(timings[False]), "messages_sent": len(ids), "distinct_messages": len(set(ids)),
        "commit_to_last_accepted_s": round(max(accepted_at) - last_commit, 3) if accepted_at else None,
        "post_with_notifications_ms": {"p50": round(1000 * statistics.median(timings[True]), 2),
                                       "p95": round(1000 * percentile(timings[True], 0.95), 2)},
        "post_without_notifications_ms": {"p50": round(1000 * statistics.median(timings[False]), 2),
                                          "p95": round(1000 * percentile(timings[False], 0.95), 2)},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
