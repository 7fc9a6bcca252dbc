"""Rounds, their AI deployment plan, sections, invited organisations, signatories and pseudonyms."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Constituency, Organisation, User, constituency_type
from consult.db import Base, UTCDateTime, utcnow
from consult.rounds.plan import IdentityPolicy


class RoundStatus(StrEnum):
    """Whether a round's clock runs: only an open round's deadlines and reminders fall due."""

    OPEN = "open"
    PAUSED = "paused"  # the secretariat stopped the clock; every deadline moves by the pause when it resumes
    HELD = "held"  # the secretariat keeps the round in its stage past the deadline
    BLOCKED = "blocked"  # a gate failed at the deadline; the secretariat acts


class _RoundStatusType(TypeDecorator):
    """A round's status as the plain string column it has always been (no CHECK, no migration), read as the enum."""

    impl = String(12)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else RoundStatus(value).value

    def process_result_value(self, value: str | None, dialect) -> RoundStatus | None:
        return None if value is None else RoundStatus(value)


class Round(Base):
    """One consultation about one AI deployment plan; it also holds the round's event sequence."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    workflow: Mapped[str] = mapped_column(String(40), default="standard")
    stage: Mapped[str] = mapped_column(String(40), default="draft")
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[RoundStatus] = mapped_column(_RoundStatusType(), default=RoundStatus.OPEN)
    status_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the scheduler must next look at this round (a deadline or a reminder); None: nothing planned.
    wake_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Stage lengths agreed for this round, in seconds, where they differ from the workflow's.
    stage_lengths: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    identity_policy: Mapped[IdentityPolicy] = mapped_column(
        Enum(IdentityPolicy, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
             create_constraint=True, name="identity_policy"),
        default=IdentityPolicy.NAMED,
    )
    language: Mapped[str] = mapped_column(String(5), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Where the establishment is (ISO 3166-1 alpha-2; a German Land as BY...): an EU profile's law, holidays and
    # legal time follow it. `establishments`: the establishment CSEs of a two-level consultation (R2312-6).
    establishment_country: Mapped[str | None] = mapped_column(String(2))
    establishment_region: Mapped[str | None] = mapped_column(String(8))
    establishments: Mapped[list[str] | None] = mapped_column(JSON)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    secretariat_sees_caucus: Mapped[bool] = mapped_column(Boolean, default=False)
    required_constituencies: Mapped[list[str]] = mapped_column(JSON)
    # The event log's head: the next event takes last_seq + 1 and chains onto last_event_hash; and each
    # audience's own count (`audience_heads`: {audience: its last audience_seq}), the only one viewers see.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    audience_heads: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    last_event_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A follow-up round opened from a commitment of an earlier outcome.
    follow_up_of_round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    follow_up_of_commitment_id: Mapped[int | None] = mapped_column(Integer)

    employer: Mapped[Organisation] = relationship(lazy="joined")
    plan: Mapped[Plan] = relationship(back_populates="round", lazy="joined")
    sections: Mapped[list[Section]] = relationship(order_by="Section.ordinal", back_populates="round")
    participants: Mapped[list[Participant]] = relationship(back_populates="round")
    signatories: Mapped[list[Signatory]] = relationship(back_populates="round")


class Plan(Base):
    """The AI deployment plan a round is about (one per round)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    system_name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    functions: Mapped[list[str]] = mapped_column(JSON)
    is_high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    workers_affected: Mapped[int] = mapped_column(Integer)
    worker_groups: Mapped[str] = mapped_column(Text)
    sites: Mapped[str] = mapped_column(Text)
    data_collected: Mapped[str] = mapped_column(Text)
    data_retention: Mapped[str] = mapped_column(Text)
    data_access: Mapped[str] = mapped_column(Text)
    human_oversight: Mapped[str] = mapped_column(Text)
    contest_route: Mapped[str] = mapped_column(Text)
    rollout_starts_on: Mapped[date] = mapped_column(Date)
    rollout_completes_on: Mapped[date | None] = mapped_column(Date)
    country: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[str | None] = mapped_column(String(80))
    # For automated decisions: [{"category", "parameters", "weight"}] (Platform Work Directive Art. 9(1)(b)).
    decision_categories: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, default=list)
    # Who receives workers' data, and transfers within the group.
    data_recipients: Mapped[str | None] = mapped_column(Text)
    # EU-law items (consult/rounds/duty_fields.py): AI Act Art. 5(1)(f), 26, 27; Directive (EU) 2024/2831 Arts. 8-13.
    emotion_recognition: Mapped[str | None] = mapped_column(String(20))
    deployer_checklist: Mapped[dict | None] = mapped_column(JSON)
    monitored_data: Mapped[str | None] = mapped_column(Text)
    account_decisions: Mapped[str | None] = mapped_column(Text)
    platform_workers_in_member_state: Mapped[int | None] = mapped_column(Integer)
    impact_assessment: Mapped[str | None] = mapped_column(Text)

    round: Mapped[Round] = relationship(back_populates="plan")


class Section(Base):
    """One part of the plan discussed and decided on its own; impact statements live here."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("round_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    ordinal: Mapped[int] = mapped_column(Integer)
    impact_statement: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="sections")


class Participant(Base):
    """An organisation invited to a round."""

    __tablename__ = "round_participants"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(back_populates="participants")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Signatory(Base):
    """The person named to sign for one constituency in one round."""

    __tablename__ = "round_signatories"
    __table_args__ = (UniqueConstraint("round_id", "constituency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    constituency: Mapped[Constituency] = mapped_column(constituency_type())
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    named_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship(back_populates="signatories")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class Alias(Base):
    """A worker representative's stable number within a round ("Worker representative 3")."""

    __tablename__ = "round_aliases"
    __table_args__ = (UniqueConstraint("round_id", "user_id"), UniqueConstraint("round_id", "number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    number: Mapped[int] = mapped_column(Integer)


class RoundVisit(Base):
    """How far a person has read a round: the last comment id the round page showed them ("new since")."""

    __tablename__ = "round_visits"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seen_comment_id: Mapped[int] = mapped_column(Integer, default=0)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
