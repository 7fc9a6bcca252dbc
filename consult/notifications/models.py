"""The outbox of mail to send, the in-app notifications, and each person's delivery preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """One e-mail, written in the transaction of the change it reports and sent after commit by a sender.

    A sender claims a row by setting a lease (a token and an expiry); only the holder of the lease may mark
    it sent. A sender that dies leaves its lease to expire, and the row is sent again: at least once.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The same Message-ID on every attempt, so a receiver can tell a repeated delivery from a new message.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last time the secretariat queued it again after it failed, and who did.
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retried_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Notification(Base):
    """One thing that happened, for one person, as the policy lets them see it: the in-app feed and digests."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unread", "user_id", "read_at"),
                      Index("ix_notifications_digest", "delivery", "digested_at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    event_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                                 ForeignKey("events.id"))
    kind: Mapped[str] = mapped_column(String(40))
    section_key: Mapped[str | None] = mapped_column(String(60))
    # What the recipient may read, already filtered by the policy: rendered again on the page and in digests.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500))
    # How it reaches the person by mail: immediate, daily, weekly or off (as their preference was).
    delivery: Mapped[str] = mapped_column(String(10))
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationPreference(Base):
    """How one person wants one kind of notification by mail; without a row, the kind's default holds."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    delivery: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Goes up each time the delivery changes; an unsubscribe link names the version it was made for.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
