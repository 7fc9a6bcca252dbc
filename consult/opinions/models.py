"""Formal opinions and the employer's reasoned responses, consent per function, experts and their costs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Constituency, User, constituency_type
from consult.db import Base, UTCDateTime, utcnow
from consult.public_ids import PUBLIC_ID_LENGTH, new_public_id


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(kind, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e],
                create_constraint=True, name=name)


class Verdict(StrEnum):
    """A formal opinion: agree, agree with reservations, disagree; or deemed negative when the clock ran out."""

    AGREE = "agree"
    AGREE_WITH_RESERVATIONS = "agree_with_reservations"
    DISAGREE = "disagree"
    DEEMED_NEGATIVE = "deemed_negative"


class ConsentDecision(StrEnum):
    """A works council's decision on one algorithmic-management function."""

    GIVEN = "given"
    REFUSED = "refused"


#: The section key of an opinion on the plan as a whole.
OVERALL = "overall"


class Opinion(Base):
    """A constituency's formal opinion on the plan (`overall`) or one section, signed off by its signatory.

    A deemed opinion has no signer: the law records it when the clock runs out (`basis` says which law). Users
    see it by `public_id` (consult/public_ids.py): the row counter runs across every round.
    """

    __tablename__ = "opinions"
    __table_args__ = (UniqueConstraint("round_id", "constituency", "section_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True, default=lambda: new_public_id("o"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    constituency: Mapped[Constituency] = mapped_column(constituency_type())
    section_key: Mapped[str] = mapped_column(String(40))
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict, "verdict"))
    reasons: Mapped[str] = mapped_column(Text)
    is_deemed: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[str | None] = mapped_column(Text)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    signed_by: Mapped[User | None] = relationship(lazy="joined")
    response: Mapped[OpinionResponse | None] = relationship(back_populates="opinion", lazy="joined")


class EstablishmentOpinion(Base):
    """An establishment CSE's opinion in a two-level consultation (Code du travail R2312-6 II), transmitted to the
    central CSE, or deemed negative when none was transmitted 7 days before the central CSE's deadline."""

    __tablename__ = "establishment_opinions"
    __table_args__ = (UniqueConstraint("round_id", "establishment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    establishment: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict, "verdict"))
    reasons: Mapped[str] = mapped_column(Text)
    is_deemed: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[str] = mapped_column(Text)
    transmitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When it was transmitted, or the deadline at which it was deemed.
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpinionResponse(Base):
    """The employer's reasoned response to one opinion (one each; Directive 2002/14/EC Art. 4(4)(d))."""

    __tablename__ = "opinion_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id"), unique=True)
    reasons: Mapped[str] = mapped_column(Text)
    responded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opinion: Mapped[Opinion] = relationship(back_populates="response")
    responded_by: Mapped[User] = relationship(lazy="joined")


class FunctionConsent(Base):
    """Consent given or refused for one function of the plan (BetrVG §87(1) no. 6); a later decision replaces it,
    its history is in the event log."""

    __tablename__ = "function_consents"
    __table_args__ = (UniqueConstraint("round_id", "function"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    function: Mapped[str] = mapped_column(String(40))
    decision: Mapped[ConsentDecision] = mapped_column(_enum(ConsentDecision, "consent_decision"))
    reasons: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Ruling(StrEnum):
    """What the conciliation board (Einigungsstelle) decided on one function (BetrVG §87(2), §76(5))."""

    PERMITS = "permits"
    PERMITS_WITH_CONDITIONS = "permits_with_conditions"
    FORBIDS = "forbids"


class ConciliationRuling(Base):
    """The conciliation board's ruling on one function: it replaces the agreement of employer and works council
    (BetrVG §87(2)); a substantial change of the function reopens it (the log keeps the ruling)."""

    __tablename__ = "conciliation_rulings"
    __table_args__ = (UniqueConstraint("round_id", "function"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    function: Mapped[str] = mapped_column(String(40))
    ruling: Mapped[Ruling] = mapped_column(_enum(Ruling, "conciliation_ruling"))
    terms: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(200))
    ruled_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RevisionKind(StrEnum):
    """How the employer revised the plan's functions: one withdrawn, or one changed substantially."""

    WITHDRAWN = "withdrawn"
    CHANGED = "changed"


class PlanRevision(Base):
    """A new version of the plan: one function withdrawn, or changed substantially (which reopens its consent).
    The plan as opened is version 1; each revision is the next version."""

    __tablename__ = "plan_revisions"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[RevisionKind] = mapped_column(_enum(RevisionKind, "revision_kind"))
    function: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    revised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Expert(Base):
    """An expert a constituency appointed: the facts a CSE vote states (why, who, the brief, the member in charge).

    The expert is a person outside the round's organisations; the appointment alone lets them in, to the
    information package and the appointing constituency's caucus (consult/policy/), for its term: until an
    end decided (`ended_at`, `ended_how`, `end_reason`), the end date set when appointing (`ends_at`, the end of
    `ends_on` in the round's time zone), or the round's conclusion, whichever comes first. An ended appointment
    never starts again: reactivating the person's account does not restore it. Users see an appointment by
    `public_id` (consult/public_ids.py): the row counter runs across every round.
    """

    __tablename__ = "experts"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True, default=lambda: new_public_id("e"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    constituency: Mapped[Constituency] = mapped_column(constituency_type())
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    firm: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    brief: Mapped[str] = mapped_column(Text)
    member_in_charge_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    appointed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_how: Mapped[str | None] = mapped_column(String(20))  # "decision" or "deactivated"
    end_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    member_in_charge: Mapped[User] = relationship(foreign_keys=[member_in_charge_id], lazy="joined")
    costs: Mapped[list[ExpertCost]] = relationship(order_by="ExpertCost.id", lazy="selectin")


class ExpertCost(Base):
    """A cost of an expert's work, in minor units of a currency (never a float)."""

    __tablename__ = "expert_costs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpertStep(Base):
    """One step of an expert's legal calendar, recorded when it happened: the expert asked the employer for
    information, the employer answered, the expert notified cost and scope, the report was delivered, the
    employer challenged before the court; or (de-betrvg §80(3)) the employer agreed on person, scope and fee,
    refused, or the works council took the refusal to the labour court (consult/opinions/expert_calendar.py)."""

    __tablename__ = "expert_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
