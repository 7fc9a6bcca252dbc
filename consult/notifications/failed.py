"""Mail that could not be sent: the secretariat reads who it was for, what it was and why it failed, and may
queue it again.

A retry puts the row back as it was first queued (same Message-ID, attempts counted from nought) and notes
who asked and when on the row itself, beside the reason it failed; the log says it too. Only the
secretariat, which keeps the register of people, sees the outbox: a failed message names its recipient and
its subject, and another party's mail is none of a party's business.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, NotFound
from consult.notifications.models import OutboxMessage
from consult.notifications.outbox import mark_enqueued

log = logging.getLogger(__name__)

#: How many failed messages the page and the API list, newest first.
LISTED = 200
REFUSED = "Only the secretariat sees and retries mail that could not be sent."


def require_mail_desk(actor: User) -> None:
    """403 unless the actor is of the secretariat (who keeps the register, and so the addresses)."""
    if not actor.is_secretariat:
        raise Forbidden(REFUSED)


def failed_messages(session: Session, actor: User, limit: int = LISTED) -> list[dict[str, Any]]:
    """The messages marked failed, newest first: who, what, why, how often it was tried."""
    require_mail_desk(actor)
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")
                           .order_by(OutboxMessage.id.desc()).limit(limit))
    return [{"id": row.id, "to_address": row.to_address, "to_name": row.to_name, "to_user_id": row.to_user_id,
             "kind": row.kind, "subject": row.subject, "attempts": row.attempts, "reason": row.last_error,
             "created_at": row.created_at, "retried_at": row.retried_at} for row in rows]


def retry_message(session: Session, actor: User, message_id: int) -> OutboxMessage:
    """Queue a failed message again (the sender is woken after the commit); 409 unless it failed."""
    require_mail_desk(actor)
    row = session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None:
        raise NotFound("No such message.")
    if row.status != "failed":
        raise Conflict(f"This message is {row.status}: only a failed message is retried.", status=row.status)
    now = utcnow()
    row.status, row.attempts, row.next_attempt_at = "pending", 0, now
    row.lease_token = row.lease_until = None
    row.retried_at, row.retried_by_id = now, actor.id
    mark_enqueued(session)
    log.info("mail %s (%s to user %s) queued again by user %s after: %s", row.id, row.kind, row.to_user_id,
             actor.id, row.last_error)
    return row
