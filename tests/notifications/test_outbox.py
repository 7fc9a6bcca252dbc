"""The mail spine: the outbox is written with the change, sent after commit, once, with one Message-ID."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.notifications.mailer import send_now
from consult.notifications.models import OutboxMessage
from consult.notifications.outbox import InvalidMessage, enqueue


def _count(db, **where) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(**where))


def test_a_queued_message_is_sent_after_commit_with_text_html_and_its_message_id(app, db, make, smtp):
    person = make.user(make.organisation("workers"), language="fr")
    with db.transaction() as session:
        row = enqueue(session, to_user=session.get(type(person), person.id), kind="test.hello",
                      subject="Bonjour", text="Texte", html="<p>Texte</p>")
    report = send_now(app)
    assert report.sent == 1
    [message] = smtp.inbox.to(person.email)
    assert message["Subject"] == "Bonjour" and message["Message-ID"] == row.message_id
    assert message["Content-Language"] == "fr"
    assert message.get_body(("plain",)).get_content().strip() == "Texte"
    assert message.get_body(("html",)).get_content().strip() == "<p>Texte</p>"
    assert _count(db, status="sent") == 1
    assert send_now(app).sent == 0  # nothing is sent twice


def test_a_rolled_back_change_sends_nothing(app, db, smtp):
    with pytest.raises(RuntimeError), db.transaction() as session:
        enqueue(session, to_address="someone@example.org", kind="test.hello", subject="Hi", text="Body")
        raise RuntimeError("the change failed")
    assert send_now(app).sent == 0 and smtp.inbox.messages == [] and _count(db) == 0


@pytest.mark.parametrize("field, value", [
    ("to_address", "not-an-address"), ("to_address", "a@b.org\r\nBcc: victim@example.org"),
    ("to_name", "Eve\r\nBcc: victim@example.org"), ("subject", "Hello\nBcc: victim@example.org"),
    ("subject", "x" * 201),
])
def test_bad_messages_are_refused_and_nothing_is_queued(app, db, smtp, field, value):
    fields = {"to_address": "someone@example.org", "to_name": "Someone", "subject": "Hi", field: value}
    with pytest.raises(InvalidMessage) as refused, db.transaction() as session:
        enqueue(session, kind="test.hello", text="Body", **fields)
    assert field in refused.value.fields
    assert _count(db) == 0 and send_now(app).sent == 0 and smtp.inbox.messages == []
