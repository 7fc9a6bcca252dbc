"""The sender wakes when a commit queued mail, not at its next poll: in its own process, and across processes
through Redis. The poll is set to a minute, so only the wake-up can deliver within seconds."""

from __future__ import annotations

import time

import pytest
import redis
import requests

from consult.notifications.mailer import Mailer, send_now
from consult.notifications.outbox import enqueue
from consult.notifications.wakeup import mail_channel
from consult.settings import replace_settings
from tests.factories import tripartite
from tests.processes import REDIS_URL, consult_environment, free_port, redis_answers, start_mailer, start_web, stop

POLL = "60"


def _arrival(smtp, address: str, seconds: float) -> float | None:
    """Seconds until a message to `address` was accepted by the server, or None after `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if smtp.inbox.to(address):
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def test_a_commit_that_queued_mail_wakes_the_sender_thread_of_its_process_at_once(app, db, smtp):
    replace_settings(app, MAIL_POLL_SECONDS=float(POLL))
    mailer = Mailer(app).start()
    try:
        time.sleep(0.3)  # its first pass finds nothing; now it sleeps for a minute unless woken
        with db.transaction() as session:
            enqueue(session, to_address="waiting@example.org", kind="test.wake", subject="Now", text="At once.")
        took = _arrival(smtp, "waiting@example.org", 10)
    finally:
        mailer.stop()
    assert took is not None and took < 2, took


@pytest.mark.skipif(not redis_answers(), reason="needs the test Redis")
def test_mail_queued_by_a_web_process_is_sent_by_a_mailer_process_within_seconds_not_at_its_poll(
        app, make, smtp, database_url, tmp_path, scenario):
    scenario(done="a question posted over HTTP to a consult web process; a consult mailer process polling every "
                  "60 s", checked="the employer's mail is accepted by the SMTP server within 5 s")
    world = tripartite(make, stage="information")
    token = make.token(world["worker"])
    send_now(app)  # the invitations and the stage: sent before, so that only the question's mail is awaited
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    common = {"redis_url": REDIS_URL, "CONSULT_SECRET_KEY": "test-secret", "CONSULT_SMTP_URL": smtp.url,
              "CONSULT_MAIL_POLL_SECONDS": POLL, "CONSULT_MAIL_FROM": "consult <noreply@consult.test>",
              "CONSULT_BASE_URL": "http://consult.test"}
    sender_environment = consult_environment(database_url, tmp_path / "mailer", **common)
    channel = sender_environment["CONSULT_REDIS_CHANNEL"]
    web_environment = consult_environment(database_url, tmp_path / "web", **common, CONSULT_REDIS_CHANNEL=channel)
    port = free_port()
    processes = [start_mailer(sender_environment)]
    try:
        processes.append(start_web(port, web_environment))
        watcher = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + 30
        while dict(watcher.pubsub_numsub(mail_channel({"REDIS_CHANNEL": channel}))).get(
                mail_channel({"REDIS_CHANNEL": channel}).encode(), 0) < 1:
            assert time.monotonic() < deadline, "the mailer process never listened"
            time.sleep(0.1)
        time.sleep(0.5)  # its passes at start are over: from here it sleeps for a minute unless woken
        posted = requests.post(f"http://127.0.0.1:{port}/api/v1/rounds/{world['round'].id}/comments",
                               json={"section": "privacy", "body": "How long are the scans kept?",
                                     "channel": "plenary"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert posted.status_code == 201, posted.text
        took = _arrival(smtp, world["employer"].email, 15)
    finally:
        stop(processes)
    print(f"accepted {took} s after the answer to the POST")
    assert took is not None and took < 5, f"the mail took {took} s (the poll is {POLL} s)"
    [mail] = smtp.inbox.to(world["employer"].email)
    assert "asked the employer a question" in mail["Subject"]
    assert smtp.inbox.to(world["government"].email) == []
