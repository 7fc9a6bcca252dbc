"""Sending the outbox after commit: leases, one Message-ID per row, retries with back-off.

What is promised: every committed message is delivered at least once. A sender claims a batch by writing a
lease (a fresh token and an expiry) on its rows; on PostgreSQL the claim skips rows another sender has
locked, on SQLite it holds the one write lock, so two senders never hold the same row. Each row is marked
sent, in a transaction of its own, right after the server's 250 for it, and only by its lease's holder.
A sender that dies between the 250 and that mark leaves the row to be sent again when its lease expires:
that window is the only source of duplicates (and the Message-ID stays the same, so they can be told apart).
Failures are the row's own and never stop another row: a message that cannot be built (any exception, a
header Python's `email` refuses, an address it cannot encode) or that the server refuses for good (5xx, or
an internationalised address to a server without SMTPUTF8) is marked failed with its reason at once; a
temporary refusal (4xx) or a connection lost while one row was being sent puts that row back with an
exponential back-off, and the rows after it are released uncounted and sent over a new connection. A server
that cannot be reached at all puts the whole batch back. Every attempt counts towards
CONSULT_MAIL_MAX_ATTEMPTS, including the ones a dead sender left leased, so no row is retried for ever.
Nothing is ever deleted; the secretariat sees failed rows and may queue them again (consult/notifications/failed.py).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from sqlalchemy import select, update

from consult.api.fields import unsafe_characters
from consult.db import Database, utcnow
from consult.notifications.models import OutboxMessage
from consult.notifications.smtp import MailTransport, SmtpTransport, TransportFactory, parse_smtp_url
from consult.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MailSettings:
    """The sender's settings, taken from the application's."""

    smtp_url: str | None
    sender: str
    lease: timedelta
    retry_base: float
    retry_max: float
    max_attempts: int
    batch: int

    @classmethod
    def of(cls, settings: Settings) -> MailSettings:
        """The sender's part of an application's settings (CONSULT_SMTP_URL, CONSULT_MAIL_FROM, CONSULT_MAIL_*)."""
        return cls(smtp_url=settings.smtp_url or None, sender=settings.mail_from,
                   lease=timedelta(seconds=settings.mail_lease_seconds), retry_base=settings.mail_retry_seconds,
                   retry_max=settings.mail_retry_max_seconds, max_attempts=settings.mail_max_attempts,
                   batch=settings.mail_batch)


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """How long to wait after the n-th failed attempt: base, 2 x base, 4 x base..., at most cap."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def claim(db: Database, lease: timedelta, batch: int, now: datetime | None = None,
          max_attempts: int | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Lease up to `batch` due rows to a fresh token; returns the token and the rows as plain data."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    with db.transaction() as session:
        give_up_abandoned(session, now, max_attempts)
        due = (select(OutboxMessage.id)
               .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
                      (OutboxMessage.lease_until.is_(None)) | (OutboxMessage.lease_until < now))
               .order_by(OutboxMessage.id).limit(batch))
        if not db.is_sqlite:
            due = due.with_for_update(skip_locked=True)
        ids = list(session.scalars(due))
        if not ids:
            return token, []
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                        .values(lease_token=token, lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
                        .execution_options(synchronize_session=False))
        rows = session.execute(select(OutboxMessage.__table__).where(OutboxMessage.id.in_(ids))
                               .order_by(OutboxMessage.id)).mappings().all()
        return token, [dict(row) for row in rows]


def give_up_abandoned(session, now: datetime, max_attempts: int | None) -> None:
    """Fail the rows whose last allowed attempt was left leased by a sender that stopped mid-send."""
    if max_attempts is None:
        return
    session.execute(update(OutboxMessage)
                    .where(OutboxMessage.status == "pending", OutboxMessage.attempts >= max_attempts,
                           OutboxMessage.lease_until.is_not(None), OutboxMessage.lease_until < now)
                    .values(status="failed", lease_token=None, lease_until=None,
                            last_error=f"gave up after {max_attempts} attempts: the sender stopped while sending it")
                    .execution_options(synchronize_session=False))


def _mark_sent(db: Database, row_id: int, token: str) -> bool:
    with db.transaction() as session:
        done = session.execute(update(OutboxMessage)
                               .where(OutboxMessage.id == row_id, OutboxMessage.lease_token == token)
                               .values(status="sent", sent_at=utcnow(), lease_token=None, lease_until=None,
                                       last_error=None)
                               .execution_options(synchronize_session=False)).rowcount
    return bool(done)


def _put_back(db: Database, rows: list[dict[str, Any]], token: str, error: str, settings: MailSettings,
              *, permanent: bool = False) -> tuple[int, int]:
    """Release rows after a failure: retried later with back-off, or failed for good. Returns (retried, failed)."""
    retried = failed = 0
    now = utcnow()
    with db.transaction() as session:
        for row in rows:
            give_up = permanent or row["attempts"] >= settings.max_attempts  # the claim counted this attempt
            values: dict[str, Any] = {"lease_token": None, "lease_until": None, "last_error": error[:500]}
            if give_up:
                values["status"] = "failed"
            else:
                values["next_attempt_at"] = now + backoff(row["attempts"], settings.retry_base, settings.retry_max)
            changed = session.execute(update(OutboxMessage)
                                      .where(OutboxMessage.id == row["id"], OutboxMessage.lease_token == token)
                                      .values(**values).execution_options(synchronize_session=False)).rowcount
            if changed:
                failed += give_up
                retried += not give_up
    return retried, failed


def build_message(row: dict[str, Any], sender: str) -> EmailMessage:
    """The e-mail of an outbox row: text and HTML alternatives, its Message-ID and its extra headers.

    Raises ValueError for a row no header may carry (written before the schemas refused it), naming it."""
    for name, value in (("to_address", row["to_address"]), ("to_name", row["to_name"] or ""),
                        ("subject", row["subject"]), *(row["headers"] or {}).items()):
        if unsafe_characters(value):
            raise ValueError(f"{name} holds {', '.join(unsafe_characters(value))}")
    if not row["to_address"].isascii():
        raise ValueError("to_address is not ASCII (internationalised addresses are not sent; docs/notifications.md)")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((_literal(row["to_name"] or ""), row["to_address"]))
    message["Subject"] = _literal(row["subject"])
    message["Message-ID"] = row["message_id"]
    message["Date"] = format_datetime(row["created_at"])
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (row["headers"] or {}).items():
        message[name] = value
    message.set_content(row["text"])
    if row["html"]:
        message.add_alternative(row["html"], subtype="html")
    message["Content-Language"] = row["language"]  # after the body: setting content drops Content-* headers
    return message


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes over SMTP (CRLF line ends), as smtplib's `send_message` would write it; written
    here once, so a header Python's `email` refuses fails the row before any byte is sent."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _literal(text: str) -> str:
    """Text a reader must see as typed: "=?" gets an invisible WORD JOINER (U+2060), so a name such as
    "=?utf-8?q?Bcc=3A_eve?=" is sent encoded (RFC 2047) rather than as an encoded-word a mail client decodes."""
    return text.replace("=?", "=\u2060?")


def _address(sender: str) -> str:
    from email.utils import parseaddr

    return parseaddr(sender)[1]


def send_due(db: Database, settings: MailSettings, transport_factory: TransportFactory | None = None) -> SendReport:
    """Send every due row once (batch after batch) and return what happened; the function tests call."""
    report = SendReport()
    if transport_factory is None:
        if not settings.smtp_url:
            return report
        smtp = parse_smtp_url(settings.smtp_url)
        transport_factory = lambda: SmtpTransport(smtp)  # noqa: E731
    while True:
        token, rows = claim(db, settings.lease, settings.batch, max_attempts=settings.max_attempts)
        if not rows:
            return report
        if not _send_batch(db, settings, transport_factory, token, rows, report):
            return report  # the server is unreachable: wait for the back-off rather than loop


class _Dropped(Exception):
    """The connection was lost while one row was being sent (that row is blamed, the others are not)."""


def _send_batch(db: Database, settings: MailSettings, transport_factory: TransportFactory, token: str,
                rows: list[dict[str, Any]], report: SendReport) -> bool:
    """Send a claimed batch over one connection; False when the server could not be reached at all."""
    deadline = rows[0]["lease_until"]
    remaining = list(rows)
    try:
        with transport_factory() as transport:
            while remaining:
                row = remaining[0]
                if utcnow() >= deadline - timedelta(seconds=transport_timeout(transport)):
                    break  # the lease might run out mid-send: leave the rest to the next claim
                outcome = _send_one(transport, row, settings)
                remaining.pop(0)
                if outcome is None:
                    report.sent += _mark_sent(db, row["id"], token)
                else:
                    reason, permanent = outcome
                    _count(report, _put_back(db, [row], token, reason, settings, permanent=permanent))
    except _Dropped as dropped:  # blame the row being sent; the others go out over a new connection
        row = remaining.pop(0)
        report.errors.append(str(dropped))
        _count(report, _put_back(db, [row], token, str(dropped), settings))
        if remaining:
            _release(db, remaining, token)
        return True
    except (OSError, smtplib.SMTPException) as error:  # no connection at all: the whole batch waits
        message = f"{type(error).__name__}: {error}"
        report.errors.append(message)
        log.warning("mail not sent (%d waiting, tried again later): %s", len(remaining), message)
        _count(report, _put_back(db, remaining, token, message, settings))
        return False
    if remaining:  # given up for the lease: release at once, with no back-off
        _release(db, remaining, token)
    return True


def _count(report: SendReport, retried_failed: tuple[int, int]) -> None:
    report.retried += retried_failed[0]
    report.failed += retried_failed[1]


def _send_one(transport: MailTransport, row: dict[str, Any], settings: MailSettings) -> tuple[str, bool] | None:
    """Build and send one row: None once the server said 250, else (reason, permanent); `_Dropped` if the
    connection was lost during it."""
    try:
        message = wire_bytes(build_message(row, settings.sender))  # written out once, here, not mid-DATA
    except Exception as error:  # noqa: BLE001 (whatever stops a message being built is that message's fault)
        return f"cannot be built: {type(error).__name__}: {error}", True
    try:
        transport.send(message, _address(settings.sender), row["to_address"])
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        if code == 421:  # smtplib has closed the connection: this row is retried, the others go on anew
            raise _Dropped(f"dropped: {code} {_text(reply)}") from error
        return f"refused: {code} {_text(reply)}", 500 <= code < 600
    except smtplib.SMTPResponseException as error:
        if error.smtp_code == 421 or not 400 <= error.smtp_code < 600:
            raise _Dropped(f"dropped: {error.smtp_code} {_text(error.smtp_error)}") from error
        return f"refused: {error.smtp_code} {_text(error.smtp_error)}", error.smtp_code >= 500
    except (OSError, smtplib.SMTPServerDisconnected) as error:
        raise _Dropped(f"dropped: {type(error).__name__}: {error}") from error
    except smtplib.SMTPNotSupportedError as error:  # e.g. an internationalised address and no SMTPUTF8
        return f"cannot be sent: {error}", True
    except (smtplib.SMTPException, ValueError, UnicodeError) as error:
        return f"cannot be sent: {type(error).__name__}: {error}", True
    return None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def transport_timeout(transport: MailTransport) -> float:
    """How long one exchange with the transport may take (its settings' timeout, else 30 s)."""
    settings = getattr(transport, "settings", None)
    return float(getattr(settings, "timeout", 30.0))


def _release(db: Database, rows: list[dict[str, Any]], token: str) -> None:
    with db.transaction() as session:
        session.execute(update(OutboxMessage)
                        .where(OutboxMessage.id.in_([row["id"] for row in rows]), OutboxMessage.lease_token == token)
                        .values(lease_token=None, lease_until=None, attempts=OutboxMessage.attempts - 1)
                        .execution_options(synchronize_session=False))
