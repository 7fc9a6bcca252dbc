"""Issue 29 in the worker's mailbox: mail carries no counter the employers' caucus moves.

The worker asks the employer a question and gets the answer by mail (the real SMTP server of the notification
tests); the employers' caucus is busy; the worker asks again and gets the second answer. Nothing reaches the
worker while the caucus works, and the two mails are the same but for what is fresh by design (a random
Message-ID, the Date, the MIME boundary) and the question they name (by its opaque public id): no header, link
or unsubscribe token carries a number that moved with the caucus's activity.
"""

from __future__ import annotations

import re
import time

from consult.notifications.mailer import send_now
from tests.factories import tripartite


def _ask_and_hear(app, smtp, worker, employer, round_id: int, address: str, seen: int):
    asked = worker.post(f"/rounds/{round_id}/questions", json={"section": "system", "body": "Which data is kept?"})
    assert asked.status_code == 201, asked.get_json()
    question = asked.get_json()["id"]
    assert employer.post(f"/rounds/{round_id}/questions/{question}/answer",
                         json={"answer": "Shift logs only."}).status_code == 200
    send_now(app)
    deadline = time.monotonic() + 20
    while len(smtp.inbox.to(address)) <= seen and time.monotonic() < deadline:
        time.sleep(0.05)
    return question, smtp.inbox.to(address)[seen:]


def _as_text(message, question: str) -> str:
    """The headers and every decoded part, without what is fresh by design."""
    fresh = {"message-id", "date", "content-type"}  # content-type: the multipart boundary is random
    headers = [f"{k}: {v}" for k, v in message.items() if k.lower() not in fresh]
    parts = [part.get_content() for part in message.walk() if not part.is_multipart()]
    return "\n".join([*headers, *parts]).replace(question, "QUESTION")


def test_the_workers_mail_carries_no_number_the_employers_caucus_moved(app, make, api, smtp):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    address = world["worker"].email
    worker, employer = api(world["worker"]), api(world["employer"])
    send_now(app)
    seen = len(smtp.inbox.to(address))
    first, [first_mail] = _ask_and_hear(app, smtp, worker, employer, round_id, address, seen)

    for n in range(4):
        assert employer.post(f"/rounds/{round_id}/comments", json={
            "section": "system", "body": f"Employers only {n}", "channel": "caucus"}).status_code == 201
    send_now(app)
    time.sleep(0.5)
    assert len(smtp.inbox.to(address)) == seen + 1, "the employers' caucus mailed the worker"

    second, [second_mail] = _ask_and_hear(app, smtp, worker, employer, round_id, address, seen + 1)
    assert first_mail["Message-ID"] != second_mail["Message-ID"]
    assert re.fullmatch(r"<[0-9a-f]{32}@[^>]+>", second_mail["Message-ID"])  # random, not a row's number
    assert _as_text(first_mail, first) == _as_text(second_mail, second)
