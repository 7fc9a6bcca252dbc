"""Migration 0018 repairs stored names, titles and pending mail headers that the input schemas now refuse:
controls and separators become a space, bidi overrides are dropped; what was fine is left as it was, and mail
already sent is not touched."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from consult.db import make_engine
from consult.migrate import upgrade
from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path):
    """An empty database of each backend, never migrated."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return request.getfixturevalue("postgres_factory")()


def test_stored_names_and_pending_subjects_are_repaired_and_nothing_else(fresh_url):
    upgrade(fresh_url, "0013")
    engine = make_engine(fresh_url)
    now = "2026-12-01 10:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO organisations (id, name, constituency, created_at) VALUES "
                                "(1, :bad, 'workers', :now), (2, :good, 'employers', :now)"),
                           {"bad": "Union\u2028of\x0bPickers\u202e", "good": "\u0645\u06cc\u200c\u062e Ltd",
                            "now": now})
        connection.execute(text(
            "INSERT INTO users (id, email, display_name, role_title, organisation_id, password_hash, language, "
            "is_active, session_token, created_at) VALUES (1, 'a@example.org', :name, :role, 1, 'x', 'en', "
            ":yes, 's', :now)"), {"name": "Alice\u202eecilA", "role": "\x85\x85", "now": now, "yes": True})
        for number, status in ((1, "pending"), (2, "sent")):
            connection.execute(text(
                "INSERT INTO outbox (id, to_address, to_name, kind, language, subject, text, headers, message_id, "
                "status, attempts, next_attempt_at, created_at) VALUES (:id, 'a@example.org', :name, 'k', 'en', "
                ":subject, 'b', '{}', :mid, :status, 0, :now, :now)"),
                {"id": number, "name": "Eve\r\nBcc: x", "subject": "\u201cPick\u2029rate\u201d", "mid": f"<{number}@x>",
                 "status": status, "now": now})
    engine.dispose()
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as connection:
        names = dict(connection.execute(text("SELECT id, name FROM organisations")).all())
        user = connection.execute(text("SELECT display_name, role_title FROM users")).one()
        outbox = dict((row[0], row[1:]) for row in connection.execute(
            text("SELECT id, to_name, subject FROM outbox")).all())
        versions = connection.execute(text("SELECT count(*) FROM notification_preferences")).scalar()
    engine.dispose()
    # By hand: U+2028 and VT become spaces, U+202E goes; the Persian name with its ZWNJ stays as it was.
    assert names == {1: "Union of Pickers", 2: "\u0645\u06cc\u200c\u062e Ltd"}
    assert tuple(user) == ("AliceecilA", "-")  # two NELs: spaces, trimmed to nothing, so "-"
    assert outbox[1] == ("Eve Bcc: x", "\u201cPick rate\u201d")
    assert outbox[2] == ("Eve\r\nBcc: x", "\u201cPick\u2029rate\u201d")  # sent: history is left alone
    assert versions == 0
