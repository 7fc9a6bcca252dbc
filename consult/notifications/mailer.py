"""The sender's thread: it runs in `consult serve`, `consult scheduler` and `consult mailer`.

It sends whatever is due, then sleeps until woken or until the next poll. A commit that queued mail in
this process wakes it at once; mail queued by another process (a `consult web`) wakes it through Redis
when CONSULT_REDIS_URL is set (consult/notifications/wakeup.py), and is found at the next poll
(CONSULT_MAIL_POLL_SECONDS) otherwise. Several may run against one database: the leases keep them apart.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from consult.db import Database
from consult.notifications.sender import MailSettings, SendReport, send_due
from consult.notifications.smtp import TransportFactory
from consult.notifications.wakeup import WAKERS, listen, mail_channel
from consult.settings import settings_of

log = logging.getLogger(__name__)


def send_now(app: Flask, transport_factory: TransportFactory | None = None) -> SendReport:
    """Send everything due now, in this thread (tests and the `consult mailer --once` command)."""
    return send_due(app.extensions["consult.db"], MailSettings.of(settings_of(app)), transport_factory)


class Mailer:
    """A thread that keeps the outbox empty."""

    def __init__(self, app: Flask, transport_factory: TransportFactory | None = None) -> None:
        self.app = app
        self.db: Database = app.extensions["consult.db"]
        self.settings = MailSettings.of(settings_of(app))
        self.poll = settings_of(app).mail_poll_seconds
        self.transport_factory = transport_factory
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()  # set once subscribed to the Redis mail channel
        self.sent = 0

    def start(self) -> Mailer:
        """Start sending in a daemon thread (nothing happens without CONSULT_SMTP_URL)."""
        if not self.settings.smtp_url and self.transport_factory is None:
            log.warning("CONSULT_SMTP_URL is not set: mail waits in the outbox until a sender with it runs")
            return self
        self.db.factory.kw["info"][WAKERS].append(self.wake)
        self._thread = threading.Thread(target=self._run, name="consult-mailer", daemon=True)
        self._thread.start()
        redis_url = self.app.config.get("REDIS_URL")
        if redis_url:
            threading.Thread(target=listen, args=(redis_url, mail_channel(self.app.config), self.wake, self._stop,
                                                  self.listening), name="consult-mail-wake", daemon=True).start()
        return self

    def wake(self) -> None:
        """Look at the outbox now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the message being sent; the rest stays leased until its lease expires, then is sent."""
        self._stop.set()
        self._wake.set()
        wakers = self.db.factory.kw["info"].get(WAKERS, [])
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
