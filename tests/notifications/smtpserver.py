"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests: it keeps what it accepted, and can be stopped."""

from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port the OS says is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: every accepted message, parsed, in order of acceptance."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.delay = 0.0
        self.refuse: set[str] = set()
        self.drop: set[str] = set()  # recipients whose RCPT makes the server hang up without answering
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.drop:
            server.transport.close()
            return "421 4.3.0 gone"  # never reaches the client: the connection is already closed
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope went to `address`."""
        with self._lock:
            return [m for m, (_, rcpts) in zip(self.messages, self.envelopes, strict=True) if address in rcpts]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; returns them all."""
        end = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < end:
            time.sleep(0.05)
        return list(self.messages)


class SmtpServer:
    """aiosmtpd listening on 127.0.0.1 at a fixed port, which can stop and start again at that port."""

    def __init__(self, port: int | None = None, **controller_options) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self.options = controller_options
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        """CONSULT_SMTP_URL for this server (plain SMTP, a short timeout)."""
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mail_settings(database_url: str, instance, smtp: SmtpServer) -> dict:
    """The settings of a test app that sends its mail to `smtp` at once (retries within a second)."""
    return {
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret",
        "TESTING": True, "COMMENT_RATE": "10000/minute",
        "LOGIN_RATE": "10000/minute", "LOGIN_ADDRESS_RATE": "10000/minute",
        "SMTP_URL": smtp.url, "MAIL_FROM": "consult <noreply@consult.test>", "MAIL_RETRY_SECONDS": 0.2,
        "MAIL_RETRY_MAX_SECONDS": 1, "BASE_URL": "http://consult.test",
    }
