"""A question to the employer: the plenary comment that asks it, its state, and the employer's answer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.comments.models import Comment
from consult.db import Base, UTCDateTime, utcnow
from consult.public_ids import PUBLIC_ID_LENGTH, new_public_id


class QuestionState(StrEnum):
    """Where a question stands."""

    OPEN = "open"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"


class Question(Base):
    """A question to the employer; its text is the comment that asks it (so threads, moderation and the
    identity policy apply to it as to any comment). Users see it by `public_id` (consult/public_ids.py): the row
    counter runs across every round."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True, default=lambda: new_public_id("q"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), unique=True)
    state: Mapped[QuestionState] = mapped_column(
        Enum(QuestionState, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e],
             create_constraint=True, name="question_state"), default=QuestionState.OPEN)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answer_html: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdraw_reason: Mapped[str | None] = mapped_column(String(500))

    comment: Mapped[Comment] = relationship(lazy="joined")
