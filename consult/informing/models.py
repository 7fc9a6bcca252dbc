"""The workers a plan affects, listed by the employer, and how each was informed.

Personal data: a name and, where they have one, an e-mail address. Only the employer whose plan it is and the
secretariat see them (consult/informing/present.py); every other party sees counts, and the round's events
carry row ids and counts, never a name or an address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import Base, UTCDateTime, utcnow


class AffectedWorker(Base):
    """One worker the plan affects, and the individual information they were given."""

    __tablename__ = "affected_workers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How the information went out: "mail" (through the outbox) or "letter" (printed and handed over).
    channel: Mapped[str | None] = mapped_column(String(10))
    informed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_message_id: Mapped[int | None] = mapped_column(Integer)
