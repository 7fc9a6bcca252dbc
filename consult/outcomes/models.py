"""Positions in versions, stances, commitments, frozen outcomes, signatures and export jobs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Constituency, Organisation, User, constituency_type
from consult.db import Base, UTCDateTime, utcnow
from consult.rounds.models import Section


def _enum(kind: type[StrEnum], name: str, length: int = 30) -> Enum:
    return Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                create_constraint=True, name=name)


class StanceKind(StrEnum):
    """A constituency's stance on a section's position."""

    AGREE = "agree"
    AGREE_WITH_RESERVATION = "agree_with_reservation"
    DISAGREE = "disagree"


class OutcomeStatus(StrEnum):
    """Frozen: awaiting signatures. Signed: every required constituency signed. Void: superseded by a change."""

    FROZEN = "frozen"
    SIGNED = "signed"
    VOID = "void"


class PositionVersion(Base):
    """One version of the text the secretariat drafts for a section; versions are never overwritten."""

    __tablename__ = "position_versions"
    __table_args__ = (UniqueConstraint("section_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[Section] = relationship(lazy="joined")


class Stance(Base):
    """A constituency's current stance on a section (its history is in the event log)."""

    __tablename__ = "stances"
    __table_args__ = (UniqueConstraint("section_id", "constituency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    constituency: Mapped[Constituency] = mapped_column(constituency_type())
    stance: Mapped[StanceKind] = mapped_column(_enum(StanceKind, "stance_kind"))
    statement: Mapped[str] = mapped_column(Text, default="")
    position_version: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[Section] = relationship(lazy="joined")


class Commitment(Base):
    """An action the outcome commits an organisation to, with a KPI, a target and a due date."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kpi: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Follow-up after the round: the latest KPI value reported, and when the owner declared it met.
    latest_value: Mapped[str | None] = mapped_column(String(300))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set by the scheduler after the due date

    owner: Mapped[Organisation] = relationship(lazy="joined")


class CommitmentUpdate(Base):
    """A progress report by the commitment's owner: the KPI's value, a note, links to evidence."""

    __tablename__ = "commitment_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    value: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    completes: Mapped[bool] = mapped_column(Boolean, default=False)
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Outcome(Base):
    """A frozen, immutable snapshot of the outcome in canonical JSON, identified by its SHA-256 digest."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    canonical: Mapped[str] = mapped_column(Text)
    status: Mapped[OutcomeStatus] = mapped_column(_enum(OutcomeStatus, "outcome_status", 10))
    frozen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)

    signatures: Mapped[list[Signature]] = relationship(back_populates="outcome", order_by="Signature.id")


class Signature(Base):
    """A named signatory's signature on one digest, with any reservation."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("outcome_id", "constituency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"))
    constituency: Mapped[Constituency] = mapped_column(constituency_type())
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    digest: Mapped[str] = mapped_column(String(64))
    reservation: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outcome: Mapped[Outcome] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship(lazy="joined")


class ExportJob(Base):
    """A background export of one outcome digest; one job (and one render) per digest and kind."""

    __tablename__ = "export_jobs"
    __table_args__ = (UniqueConstraint("digest", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"))
    digest: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, running, ready, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    path: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
