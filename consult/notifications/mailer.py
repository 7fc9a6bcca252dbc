"""The sender's thread: it runs in `consult serve`, `consult scheduler` and `consult mailer`.

It sends whatever is due, then sleeps until woken or until the next poll. A commit that queued mail in
this process wakes it at once; mail queued by another process (a `consult web`) is found at the next poll
(CONSULT_MAIL_POLL_SECONDS). Several may run against one database: the leases keep them apart.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from consult.db import Database
from consult.notifications.outbox import enqueued_in
from consult.notifications.sender import MailSettings, SendReport, send_due

log = logging.getLogger(__name__)
_WAKERS = "consult.mail_wakers"


def install_wakeup(db: Database) -> list:
    """After a commit that queued mail, call every registered waker (the mailers of this process)."""
    wakers: list = db.factory.kw.setdefault("info", {}).setdefault(_WAKERS, [])

    def _after_commit(session: Session) -> None:
        if enqueued_in(session):
            for wake in list(wakers):
                wake()

    def _after_rollback(session: Session) -> None:
        enqueued_in(session)

    sa_event.listen(db.factory, "after_commit", _after_commit)
    sa_event.listen(db.factory, "after_rollback", _after_rollback)
    return wakers


def send_now(app: Flask, transport_factory=None) -> SendReport:
    """Send everything due now, in this thread (tests and the `consult mailer --once` command)."""
    return send_due(app.extensions["consult.db"], MailSettings.of(app.config), transport_factory)


class Mailer:
    """A thread that keeps the outbox empty."""

    def __init__(self, app: Flask, transport_factory=None) -> None:
        self.app = app
        self.db: Database = app.extensions["consult.db"]
        self.settings = MailSettings.of(app.config)
        self.poll = float(app.config["MAIL_POLL_SECONDS"])
        self.transport_factory = transport_factory
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0

    def start(self) -> Mailer:
        """Start sending in a daemon thread (nothing happens without CONSULT_SMTP_URL)."""
        if not self.settings.smtp_url and self.transport_factory is None:
            log.warning("CONSULT_SMTP_URL is not set: mail waits in the outbox until a sender with it runs")
            return self
        self.db.factory.kw["info"][_WAKERS].append(self.wake)
        self._thread = threading.Thread(target=self._run, name="consult-mailer", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look at the outbox now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the message being sent; the rest stays leased until its lease expires, then is sent."""
        self._stop.set()
        self._wake.set()
        wakers = self.db.factory.kw["info"].get(_WAKERS, [])
        if self.wake in wakers:
            wakers.remove(self.wake)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = send_due(self.db, self.settings, self.transport_factory)
                self.sent += report.sent
            except Exception:
                log.exception("the mail sender failed; it tries again")
            self._wake.wait(self.poll)
