"""Faults of the mail spine against a real SMTP server: it goes away and comes back, a sender is killed
mid-batch, two senders run at once. Counted by Message-ID, which stays the same on every attempt.

Each test stops only its own SMTP server and its own sender, never a service of the machine, so they run beside
the rest of the suite rather than alone at its end with the tests marked `faults` (2.5 minutes of waiting).
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select

from consult.notifications.mailer import Mailer, send_now
from consult.notifications.models import OutboxMessage
from consult.notifications.outbox import enqueue
from consult.settings import replace_settings


def _queue(db, count: int, start: int = 0) -> set[str]:
    ids = set()
    with db.transaction() as session:
        for number in range(start, start + count):
            row = enqueue(session, to_address=f"person{number}@example.org", kind="test.fault",
                          subject=f"Message {number}", text=f"Body {number}")
            ids.add(row.message_id)
    return ids


def _received(smtp) -> collections.Counter:
    return collections.Counter(str(m["Message-ID"]) for m in smtp.inbox.messages)


#: How long the SMTP server stays away while mail keeps being queued: a real minute, as the issue asks.
OUTAGE = 60.0


def _statuses(db) -> collections.Counter:
    with db.transaction(write=False) as session:
        return collections.Counter(session.scalars(select(OutboxMessage.status)))


@pytest.mark.one_database("postgresql", "the outage is the SMTP server's: the sender's rows on each database are "
                                        "proven by the two tests below; a minute of waiting runs once")
def test_the_smtp_server_down_for_a_while_then_back_loses_nothing(app, db, smtp, scenario):
    scenario(done="the SMTP server down for a minute while commits keep queuing mail to a running sender thread",
             checked="every message delivered once it returns, none lost, none twice (by Message-ID)")
    replace_settings(app, MAIL_POLL_SECONDS=1)
    smtp.stop()
    mailer = Mailer(app).start()  # the sender thread of `consult serve`: woken by each commit, polling each second
    ids: set[str] = set()
    try:
        down_until = time.monotonic() + OUTAGE
        while time.monotonic() < down_until:  # mail keeps coming while the server is away
            ids |= _queue(db, 3, start=len(ids))
            time.sleep(2)
        assert smtp.inbox.messages == []
        during = _statuses(db)
        assert during["failed"] == 0 and during["pending"] == len(ids), during  # waiting, none given up
        smtp.start()
        deadline = time.monotonic() + 20
        while len(_received(smtp)) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        mailer.stop()
    received = _received(smtp)
    assert len(ids) >= 90
    assert set(received) == ids and max(received.values()) == 1  # none lost, none twice
    assert _statuses(db) == {"sent": len(ids)}


def test_two_senders_at_once_never_send_a_row_twice(app, db, smtp):
    ids = _queue(db, 200)
    smtp.inbox.delay = 0.002
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            for _ in range(20):
                send_now(app)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    received = _received(smtp)
    assert set(received) == ids and max(received.values()) == 1


def test_a_sender_killed_mid_batch_loses_nothing_and_duplicates_only_the_message_in_flight(
        app, db, smtp, database_url, tmp_path):
    ids = _queue(db, 120)
    smtp.inbox.delay = 0.03
    environment = {**os.environ, "CONSULT_DATABASE_URL": database_url, "CONSULT_SECRET_KEY": "test-secret",
                   "CONSULT_INSTANCE_PATH": str(tmp_path / "mailer"), "CONSULT_SMTP_URL": smtp.url.replace(
                       "timeout=5", "timeout=1"), "CONSULT_MAIL_LEASE_SECONDS": "3",
                   "CONSULT_MAIL_FROM": "consult <noreply@consult.test>"}
    process = subprocess.Popen([sys.executable, "-c", "from consult.cli import main; main()", "mailer"],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(smtp.inbox.messages) < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(smtp.inbox.messages) >= 30, "the mailer process sent nothing"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    before_kill = len(smtp.inbox.messages)
    assert before_kill < len(ids), "killed too late to be mid-batch"
    time.sleep(3.5)  # the dead sender's lease runs out
    deadline = time.monotonic() + 60
    while set(_received(smtp)) != ids and time.monotonic() < deadline:
        send_now(app)
    received = _received(smtp)
    duplicates = sum(count - 1 for count in received.values())
    print(f"killed after {before_kill} accepted; duplicates: {duplicates}")
    assert set(received) == ids  # nothing lost
    assert duplicates <= 1  # only a message between the server's 250 and its row being marked
