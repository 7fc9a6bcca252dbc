"""The outbox isolates failures: rows that cannot be built or sent, queued before everyone else's mail, fail
alone with their reason, and every other message (a password reset included) reaches aiosmtpd exactly once.

The bad rows are written as earlier code (or a hand in the database) could have written them, past today's
schemas: that is what the sender must survive. Every attempt counts towards CONSULT_MAIL_MAX_ATTEMPTS.
"""

from __future__ import annotations

import collections
import time

import pytest
from sqlalchemy import insert, select

from consult.notifications.mailer import send_now
from consult.notifications.models import OutboxMessage
from consult.notifications.outbox import outbox_values
from consult.settings import replace_settings
from tests.notifications.smtpserver import SmtpServer

#: Each class of bad row: (what it is, columns that differ from a good row). Subjects as a round or an
#: organisation title would make them; RFC 5322 s. 2.2 allows no CR or LF in a header body except folding,
#: and Python's email refuses every character str.splitlines() breaks on (VT, FF, FS, GS, RS, NEL, U+2028...).
BAD = {
    "u2028-round-title": {"subject": "\u201cPick\u2028rate\u201d: the consultation stage has begun"},
    "u2029-title": {"subject": "Pick\u2029rate"},
    "vt-title": {"subject": "Pick\x0brate"},
    "ff-title": {"subject": "Pick\x0crate"},
    "nel-title": {"subject": "Pick\x85rate"},
    "fs-organisation": {"subject": "Union\x1c of Pickers is invited"},
    "crlf-injection": {"subject": "Hi\r\nBcc: victim@example.org"},
    "nul": {"subject": "Hi\x00there"},
    "rlo-name": {"to_name": "Alice\u202eecilA"},
    "u2028-name-header": {"headers": {"List-Unsubscribe": "<http://x/\u2028>"}},
    "non-ascii-address": {"to_address": "j\u00f6rg@example.org"},
    "non-ascii-domain": {"to_address": "anna@b\u00fccher.example"},
    "refused-550": {"to_address": "gone@example.org"},
    "oversized": {"to_address": "big@example.org", "text": "x" * 300_000},
    "dropped-connection": {"to_address": "dropper@example.org"},
}


@pytest.fixture
def smtp():
    """aiosmtpd taking at most 200 kB (RFC 1870 SIZE), refusing one mailbox and hanging up on another."""
    server = SmtpServer(data_size_limit=200_000).start()
    server.inbox.refuse.add("gone@example.org")
    server.inbox.drop.add("dropper@example.org")
    yield server
    server.stop()


def _row(app, **changes) -> dict:
    values = outbox_values(session_domain="consult.test", kind="test.poison", subject="Hello", text="Body",
                           to_address="someone@example.org", to_name="Someone")
    return {**values, **changes}


def _drain(app, db, seconds: float = 45.0) -> None:
    """Run the sender until nothing is left to send (the back-off is short here), as its thread would."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        send_now(app)
        with db.transaction(write=False) as session:
            if not session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "pending").limit(1)):
                return
        time.sleep(0.25)


def test_bad_rows_fail_alone_and_everyone_elses_mail_arrives_exactly_once(app, db, make, client, smtp, backend):
    replace_settings(app, MAIL_MAX_ATTEMPTS=3, MAIL_BATCH=100)
    bad_rows = {name: bad for name, bad in BAD.items() if not (backend == "postgresql" and name == "nul")}
    person = make.user(make.organisation("workers"), name="Rosa Reset")
    with db.transaction() as session:  # the poison first, so that it is claimed first, in the same batch
        session.execute(insert(OutboxMessage.__table__), [_row(app, kind=f"bad.{name}", **bad)
                                                          for name, bad in bad_rows.items()])
    good = {f"good{n}@example.org" for n in range(8)}
    with db.transaction() as session:
        session.execute(insert(OutboxMessage.__table__),
                        [_row(app, to_address=address, subject=f"For {address}") for address in sorted(good)])
    # An unrelated person's password reset, queued by the real route after the poison.
    assert client.post("/api/v1/password/forgotten", json={"email": person.email}).status_code == 202

    _drain(app, db)

    received = collections.Counter(str(m["Message-ID"]) for m in smtp.inbox.messages)
    assert all(count == 1 for count in received.values()), received
    recipients = [rcpt for _from, rcpts in smtp.inbox.envelopes for rcpt in rcpts]
    assert sorted(recipients) == sorted([*good, person.email])
    [reset] = smtp.inbox.to(person.email)
    assert "password" in str(reset["Subject"]).lower()
    with db.transaction(write=False) as session:
        rows = {row.kind: row for row in session.scalars(select(OutboxMessage))}
    for name in bad_rows:  # PostgreSQL stores no NUL at all: that row cannot exist there
        row = rows[f"bad.{name}"]
        assert row.status == "failed" and row.last_error, name
        assert row.lease_token is None and row.lease_until is None, name
        assert row.attempts <= 3, name  # CONSULT_MAIL_MAX_ATTEMPTS holds for every kind of failure
    assert rows["bad.refused-550"].last_error.startswith("refused: 550")
    assert "552" in rows["bad.oversized"].last_error
    assert rows["bad.dropped-connection"].attempts == 3 and "dropped" in rows["bad.dropped-connection"].last_error
    assert "not ASCII" in rows["bad.non-ascii-address"].last_error
    assert "U+2028" in rows["bad.u2028-round-title"].last_error
    assert all(row.status == "sent" for kind, row in rows.items() if not kind.startswith("bad."))
