"""The mail transport: SMTP over CONSULT_SMTP_URL, with STARTTLS or implicit TLS, and log-in.

URL forms (user and password percent-encoded):
- ``smtp://host:25``: plain SMTP, upgraded with STARTTLS when the server offers it;
- ``smtp://user:pass@host:587?starttls=require``: STARTTLS required (refuses to send in clear), then log-in;
- ``smtp://host:25?starttls=no``: never STARTTLS (a relay on the same host);
- ``smtps://user:pass@host:465``: TLS from the first byte.
``?cafile=/path.pem`` trusts a private certificate authority; ``?timeout=30`` bounds each exchange (seconds).
A log-in is only ever sent over TLS.

`MailTransport` is the one interface the sender uses (a deployment or a test may hand it another);
`SmtpTransport`, the only implementation, speaks SMTP through smtplib.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: str = "auto"  # auto, require, no
    username: str | None = None
    password: str | None = None
    cafile: str | None = None
    timeout: float = 30.0


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read CONSULT_SMTP_URL; a ValueError says what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"CONSULT_SMTP_URL must start with smtp:// or smtps://, not {parts.scheme or url!r}")
    if not parts.hostname:
        raise ValueError("CONSULT_SMTP_URL names no host")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    starttls = query.get("starttls", "auto").lower()
    if starttls not in ("auto", "require", "no"):
        raise ValueError("starttls in CONSULT_SMTP_URL must be auto, require or no")
    implicit = parts.scheme == "smtps"
    return SmtpSettings(host=parts.hostname, port=parts.port or (465 if implicit else 25), implicit_tls=implicit,
                        starttls="no" if implicit else starttls,
                        username=unquote(parts.username) if parts.username else None,
                        password=unquote(parts.password) if parts.password else None,
                        cafile=query.get("cafile"), timeout=float(query.get("timeout", 30)))


@runtime_checkable
class MailTransport(Protocol):
    """A connection for a batch of messages: entered (connected), sent through, exited (closed)."""

    def __enter__(self) -> MailTransport:
        """Connect; raises OSError or smtplib.SMTPException when the server cannot be reached."""

    def send(self, message: bytes, sender: str, recipient: str) -> None:
        """Send one written-out message; returns once the server accepted it, raises smtplib's errors otherwise."""

    def __exit__(self, *_exc: object) -> None:
        """Close the connection."""


#: Makes a fresh, unconnected transport for each batch.
TransportFactory = Callable[[], MailTransport]


class SmtpTransport:
    """One SMTP connection for a batch of messages: open it, send each, close it."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def __enter__(self) -> SmtpTransport:
        s = self.settings
        if s.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            connection.ehlo()
            encrypted = s.implicit_tls
            if s.starttls != "no" and connection.has_extn("starttls"):
                connection.starttls(context=self._context())
                connection.ehlo()
                encrypted = True
            elif s.starttls == "require":
                raise smtplib.SMTPNotSupportedError("the SMTP server does not offer STARTTLS, which is required")
            if s.username:
                if not encrypted:
                    raise smtplib.SMTPNotSupportedError("refusing to send the SMTP password without TLS")
                connection.login(s.username, s.password or "")
        except BaseException:
            connection.close()
            raise
        self.connection = connection
        return self

    def send(self, message: bytes, sender: str, recipient: str) -> None:
        """Send one message, written out (`wire_bytes`); returns once the server accepted it (250), raises
        otherwise."""
        assert self.connection is not None
        refused = self.connection.sendmail(sender, [recipient], message)
        if refused:
            code, reply = refused[recipient]
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})

    def __exit__(self, *_exc) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None
