"""Faults of the mail spine against a real SMTP server: it goes away and comes back, a sender is killed
mid-batch, two senders run at once. Counted by Message-ID, which stays the same on every attempt."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from consult.notifications.mailer import send_now
from consult.notifications.outbox import enqueue

pytestmark = pytest.mark.faults


def _queue(db, count: int) -> set[str]:
    ids = set()
    with db.transaction() as session:
        for number in range(count):
            row = enqueue(session, to_address=f"person{number}@example.org", kind="test.fault",
                          subject=f"Message {number}", text=f"Body {number}")
            ids.add(row.message_id)
    return ids


def _received(smtp) -> collections.Counter:
    return collections.Counter(str(m["Message-ID"]) for m in smtp.inbox.messages)


def test_the_smtp_server_down_for_a_while_then_back_loses_nothing(app, db, smtp):
    smtp.stop()
    ids = _queue(db, 30)
    down_until = time.monotonic() + 6
    while time.monotonic() < down_until:  # the sender keeps trying while the server is away
        report = send_now(app)
        assert report.sent == 0  # (between attempts the rows wait out their back-off)
        time.sleep(0.3)
    smtp.start()
    deadline = time.monotonic() + 30
    while len(_received(smtp)) < len(ids) and time.monotonic() < deadline:
        send_now(app)
        time.sleep(0.2)
    received = _received(smtp)
    assert set(received) == ids and max(received.values()) == 1


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
