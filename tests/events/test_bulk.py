"""Rows written by `insert_many` (COPY on PostgreSQL) read back exactly as the same rows written by INSERT: text
that COPY's format escapes (tabs, line breaks, backslashes, "\\N"), JSON, times with their zone, NULLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select

from consult.bulk import COPY_FROM, insert_many, update_many
from consult.notifications.models import OutboxMessage
from consult.notifications.outbox import outbox_values

AWKWARD = ["tab\there", "two\nlines\r\n", "back\\slash", "\\N", "\\.", "", "é \u2028 \U0001f600", "'quote\" ,comma"]


def _rows(tag: str, count: int) -> list[dict]:
    rows = []
    for number in range(count):
        body = AWKWARD[number % len(AWKWARD)] + f" {number}"
        row = outbox_values(session_domain="consult.test", kind="bulk.test", subject=f"Subject {number}",
                            text=body, html=None if number % 3 else f"<p>{body}</p>", to_address=f"p{number}@x.test",
                            to_name=None if number % 2 else f"Name {number}",
                            headers={"X-Awkward": f"{number} \\ \" \\N é"})
        row["message_id"] = f"<{tag}-{number:03d}@consult.test>"
        row["next_attempt_at"] = datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC) + timedelta(seconds=number)
        row["attempts"], row["created_at"] = number, datetime(2024, 2, 29, 23, 0, tzinfo=UTC)
        rows.append(row)
    return rows


def _read(db, tag: str) -> list[tuple]:
    columns = [c for c in OutboxMessage.__table__.c if c.name not in ("id", "message_id")]
    with db.transaction(write=False) as session:
        found = session.execute(select(*columns).where(OutboxMessage.message_id.like(f"<{tag}-%"))
                                .order_by(OutboxMessage.message_id)).all()
    return [tuple(row) for row in found]


def test_many_rows_written_at_once_read_back_as_rows_inserted_one_statement_each(db):
    count = COPY_FROM * 3
    copied, statements = _rows("copy", count), []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with db.transaction() as session:
        insert_many(session, OutboxMessage.__table__, copied)
        session.execute(insert(OutboxMessage.__table__), _rows("insert", count))
    assert _read(db, "copy") == _read(db, "insert")
    assert len(_read(db, "copy")) == count
    copying = db.engine.dialect.name == "postgresql"
    assert sum("INSERT" in s for s in statements) == (1 if copying else 2)  # COPY passes no cursor.execute


def test_rows_with_different_keys_are_refused_and_nothing_is_written(db):
    rows = _rows("uneven", COPY_FROM)
    del rows[-1]["to_name"]
    with pytest.raises((ValueError, KeyError, Exception)):
        with db.transaction() as session:
            insert_many(session, OutboxMessage.__table__, rows)
    assert _read(db, "uneven") == []


def test_many_rows_updated_at_once_match_and_change_as_rows_updated_one_statement_each(db):
    count = COPY_FROM + 5
    with db.transaction() as session:
        for tag in ("joined", "single"):
            insert_many(session, OutboxMessage.__table__, _rows(tag, count))
    changed = {}
    for tag in ("joined", "single"):
        changes = [{"m": f"<{tag}-{number:03d}@consult.test>", "was": "pending" if number != 7 else "sent",
                    "tries": 100 + number, "error": AWKWARD[number % len(AWKWARD)] or None,
                    "at": datetime(2027, 2, 28, 23, 30, tzinfo=UTC) + timedelta(hours=number),
                    "h": {"X-Changed": f"{number} \\N"}}
                   for number in range(count)]
        with db.transaction() as session:
            batches = [changes] if tag == "joined" else [[change] for change in changes]
            changed[tag] = sum(update_many(session, OutboxMessage.__table__, batch,
                                           match={"message_id": "m", "status": "was"},
                                           values={"attempts": "tries", "last_error": "error",
                                                   "next_attempt_at": "at", "headers": "h"})
                               for batch in batches)
    assert changed == {"joined": count - 1, "single": count - 1}  # number 7 was not "sent": it matched nothing
    joined, single = _read(db, "joined"), _read(db, "single")
    assert joined == single
    attempts = [c.name for c in OutboxMessage.__table__.c if c.name not in ("id", "message_id")].index("attempts")
    assert (joined[7][attempts], joined[8][attempts]) == (7, 108)  # untouched where nothing matched
