"""The comment model."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, aliased, column_property, mapped_column, relationship

from consult.accounts.models import Constituency, Organisation, User, constituency_type
from consult.db import Base, UTCDateTime, utcnow
from consult.public_ids import PUBLIC_ID_LENGTH, new_public_id
from consult.rounds.models import Section


class Channel(StrEnum):
    """Where a comment is said: to every participant, or inside one constituency's caucus."""

    PLENARY = "plenary"
    CAUCUS = "caucus"


class Comment(Base):
    """A message on a section; the Markdown source is kept beside its sanitised HTML.

    Users see it, and its parent, by `public_id` (consult/public_ids.py): plenary and caucus comments share the
    row counter, which would let a reader count the caucus comments it may not read.
    """

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_round_section", "round_id", "section_id", "id"),
        # Every column the round page counts by (participation, each section's and thread's counts), so
        # those counts read this index alone and never the comments' rows with their text.
        Index("ix_comments_round_tally", "round_id", "section_id", "channel", "caucus", "parent_id",
              "author_constituency", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True, default=lambda: new_public_id("c"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The author's organisation and constituency when they wrote it: a later move does not rewrite history.
    author_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    author_constituency: Mapped[Constituency] = mapped_column(constituency_type("author_constituency"))
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e],
             create_constraint=True, name="channel"),
    )
    # For a caucus comment, the one constituency that may read it.
    caucus: Mapped[Constituency | None] = mapped_column(constituency_type("caucus"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    author_organisation: Mapped[Organisation] = relationship(lazy="joined")
    section: Mapped[Section] = relationship(lazy="joined")


_parent = aliased(Comment)
#: The parent's public id, read with the comment (a reply names its parent as users see it).
Comment.parent_public_id = column_property(
    select(_parent.public_id).where(_parent.id == Comment.parent_id).correlate_except(_parent).scalar_subquery())


class Reaction(StrEnum):
    """How a reader reacts to a comment."""

    AGREE = "agree"
    DISAGREE = "disagree"
    QUESTION = "question"


class CommentRevision(Base):
    """A comment's text before an edit; a comment's history is its revisions, oldest first."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentReaction(Base):
    """One person's reaction to one comment (a new one replaces the old)."""

    __tablename__ = "comment_reactions"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    constituency: Mapped[Constituency] = mapped_column(constituency_type())
    kind: Mapped[Reaction] = mapped_column(
        Enum(Reaction, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e],
             create_constraint=True, name="reaction"))
    reacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
