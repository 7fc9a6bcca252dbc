"""A round's timeline: the planned start and deadline of each stage, when it was entered, reminders sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import Base, UTCDateTime


class PlannedStage(Base):
    """One stage of a round's timeline, planned when the round opens and shifted only on purpose."""

    __tablename__ = "round_stages"
    __table_args__ = (UniqueConstraint("round_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    key: Mapped[str] = mapped_column(String(40))
    ordinal: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SentReminder(Base):
    """A reminder already sent, so a retry or a second scheduler never sends it twice."""

    __tablename__ = "round_reminders"
    __table_args__ = (UniqueConstraint("round_id", "stage", "offset_seconds"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    stage: Mapped[str] = mapped_column(String(40))
    offset_seconds: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
