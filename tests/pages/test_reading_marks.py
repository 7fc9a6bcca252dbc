"""Reading never fails for bookkeeping: a page whose only write is a reading mark answers while another
writer holds the lock, and the mark waits for the next visit.

The lock is held the way a real writer holds it: on SQLite another connection inside BEGIN IMMEDIATE (the one
write lock of the file), on PostgreSQL a transaction holding `LOCK TABLE ... IN EXCLUSIVE MODE` on the marks'
tables (readers pass, writers wait).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from sqlalchemy import func, select

from consult.notifications.models import Notification
from consult.rounds.models import RoundVisit
from tests.factories import log_in, tripartite


@contextmanager
def write_lock_held(db):
    """Hold the database's write lock (SQLite) or the marks' tables (PostgreSQL) until the block ends."""
    if db.is_sqlite:
        holder = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with db.engine.connect() as holder:
        transaction = holder.begin()
        holder.exec_driver_sql("LOCK TABLE notifications, round_visits IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            transaction.rollback()


def _unread(db, user) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id,
                                                                        Notification.read_at.is_(None)))


def _visits(db, user) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count(RoundVisit.id)).where(RoundVisit.user_id == user.id))


def test_pages_whose_only_write_is_a_mark_answer_while_another_writer_holds_the_lock(app, make, db, client):
    world = tripartite(make)
    worker = world["worker"]
    log_in(client, worker)
    assert _unread(db, worker) > 0  # the round's stage began: something to mark as read
    pages = ["/notifications", f"/rounds/{world['round'].id}"]
    with write_lock_held(db):
        for path in pages:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
        assert _unread(db, worker) > 0 and _visits(db, worker) == 0  # dropped, not half-written
    # The lock is free: the next visit writes the marks.
    for path in pages:
        assert client.get(path).status_code == 200
    assert _unread(db, worker) == 0 and _visits(db, worker) == 1


def test_the_header_count_is_read_while_the_lock_is_held(app, make, db, client):
    """Every page shows the unread count; reading it never needs the lock."""
    world = tripartite(make)
    log_in(client, world["worker"])
    with write_lock_held(db):
        assert client.get("/").status_code == 200
        assert client.get("/account").status_code == 200
