"""The append-only event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import Base, UTCDateTime, utcnow


class Event(Base):
    """One entry of a round's log: a per-round sequence number, who, what, for whom, and the chain hash.

    `seq` orders the whole log and is chained; it is never shown outside the operator's audit, since it counts
    every audience. What viewers see is `audience_seq`, the event's number among its audience's events of the
    round: a worker counts the plenary's events and their own caucus's, never the employers' caucus's.
    """

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("round_id", "seq"), UniqueConstraint("round_id", "audience", "audience_seq"),
                      # A round's events of one type (the round page's stances) without reading the whole log.
                      Index("ix_events_round_type", "round_id", "type"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who may see it: "participants", "caucus:<constituency>", "secretariat", "user:<id>" or "public".
    audience: Mapped[str] = mapped_column(String(40))
    audience_seq: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
