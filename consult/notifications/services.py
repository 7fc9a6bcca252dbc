"""Changing notification state: preferences, one-click unsubscribe, marking the feed read."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.errors import NotFound
from consult.notifications.kinds import DAILY, DEFAULTS, OFF, WEEKLY
from consult.notifications.models import Notification, NotificationPreference

#: The pseudo-kinds of digest mails: unsubscribing from one turns off every kind delivered that way.
DIGEST_KINDS = {"digest.daily": DAILY, "digest.weekly": WEEKLY}


def delivery_of(session: Session, user_id: int) -> dict[str, str]:
    """A person's delivery for every kind (their choice, else the default)."""
    chosen = dict(session.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                  .where(NotificationPreference.user_id == user_id)).all())
    return {kind: chosen.get(kind, default) for kind, default in DEFAULTS.items()}


def set_preferences(session: Session, user: User, choices: dict[str, str]) -> dict[str, str]:
    """Save how each kind reaches a person (only the kinds given change)."""
    rows = {row.kind: row for row in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, delivery in choices.items():
        if kind not in DEFAULTS:
            continue
        row = rows.get(kind)
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery, updated_at=utcnow()))
        else:
            row.delivery, row.updated_at = delivery, utcnow()
    session.flush()
    return delivery_of(session, user.id)


def unsubscribe(session: Session, user_id: int, kind: str) -> list[str]:
    """Turn off one kind of mail for one person (a digest: every kind it gathers); returns the kinds turned off."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    if kind in DIGEST_KINDS:
        kinds = [k for k, d in delivery_of(session, user_id).items() if d == DIGEST_KINDS[kind]]
    elif kind in DEFAULTS:
        kinds = [kind]
    else:
        raise NotFound("This unsubscribe link is not valid.")
    set_preferences(session, user, {k: OFF for k in kinds})
    return kinds


def unread_count(session: Session, user_id: int) -> int:
    """How many notifications a person has not seen yet."""
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_seen(session: Session, user: User) -> int:
    """Mark everything on a person's notifications page as seen; returns how many were new."""
    return session.execute(update(Notification)
                           .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                           .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
