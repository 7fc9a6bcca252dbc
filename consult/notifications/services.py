"""Changing notification state: preferences, one-click unsubscribe, marking the feed read."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
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
    """Save how each kind reaches a person (only the kinds given change).

    A kind's version goes up only when its delivery changes (a kind left at its default keeps no row, so
    stays at version 0): the unsubscribe links sent for an earlier version then change nothing."""
    rows = {row.kind: row for row in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, delivery in choices.items():
        if kind not in DEFAULTS:
            continue
        row = rows.get(kind)
        if row is None and delivery != DEFAULTS[kind]:
            session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery, updated_at=utcnow(),
                                               version=1))
        elif row is not None and row.delivery != delivery:
            row.delivery, row.updated_at, row.version = delivery, utcnow(), row.version + 1
    session.flush()
    return delivery_of(session, user.id)


def link_versions(session: Session, user_ids: set[int]) -> dict[tuple[int, str], int]:
    """The version of each person's preference per kind (a kind without a row: 0, not listed)."""
    if not user_ids:
        return {}
    return {(user_id, kind): version for user_id, kind, version in session.execute(
        select(NotificationPreference.user_id, NotificationPreference.kind, NotificationPreference.version)
        .where(NotificationPreference.user_id.in_(sorted(user_ids))))}


def link_version(session: Session, user_id: int, kind: str) -> int:
    """The version an unsubscribe link for this kind names now; a digest's changes with any kind's."""
    versions = link_versions(session, {user_id})
    if kind in DIGEST_KINDS:
        return sum(versions.values())
    return versions.get((user_id, kind), 0)


def unsubscribe(session: Session, user_id: int, kind: str, version: int = 0) -> list[str] | None:
    """Turn off one kind of mail for one person (a digest: every kind it gathers); returns the kinds turned
    off, or None when the link's version is not the preference's any more (nothing changes)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    if kind not in DIGEST_KINDS and kind not in DEFAULTS:
        raise NotFound("This unsubscribe link is not valid.")
    session.execute(select(User.id).where(User.id == user_id).with_for_update())  # one change at a time
    if link_version(session, user_id, kind) != version:
        return None
    if kind in DIGEST_KINDS:
        kinds = [k for k, d in delivery_of(session, user_id).items() if d == DIGEST_KINDS[kind]]
    else:
        kinds = [kind]
    set_preferences(session, user, {k: OFF for k in kinds})
    return kinds


#: Built once: every page's header counts them.
_UNREAD = select(func.count()).select_from(Notification) \
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))


def unread_count(session: Session, user_id: int) -> int:
    """How many notifications a person has not seen yet."""
    return session.scalar(_UNREAD, {"user_id": user_id}) or 0


def mark_seen(session: Session, user: User) -> int:
    """Mark everything on a person's notifications page as seen; returns how many were new."""
    return session.execute(update(Notification)
                           .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                           .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
