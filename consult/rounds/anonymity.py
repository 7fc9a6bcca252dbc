"""Anonymity sets: how many people a masked worker representative hides among, and when that is too few.

Under the `organisation` policy a comment says which union wrote it; under `pseudonymous` it says only that
a worker representative did. Either hides its author only among the people who could have written it: the
members of that union taking part, or the whole worker side. Below `MIN_ANONYMITY_SET` people the policy
cannot hide anyone, and the secretariat (people page, round API) and the workers (before they post) are told.
A small union is reported under both policies: under `pseudonymous` the platform never ties a pseudonym to
a union, but what a person writes can ("at our depot"), and a union officer would want to know.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, Organisation, User
from consult.policy import RoundView
from consult.rounds.models import Participant, Round
from consult.rounds.plan import IdentityPolicy

#: Fewer people than this behind a pseudonym, and the policy cannot hide them.
MIN_ANONYMITY_SET = 3


#: Each union taking part and its active people, built once: a worker's every round page reads it.
_WORKER_SIDE = (select(Organisation.name, func.count(User.id))
                .select_from(Participant).join(Organisation, Organisation.id == Participant.organisation_id)
                .outerjoin(User, (User.organisation_id == Organisation.id) & User.is_active.is_(True))
                .where(Participant.round_id == bindparam("round_id"), Participant.removed_at.is_(None),
                       Organisation.constituency == Constituency.WORKERS)
                .group_by(Organisation.name).order_by(Organisation.name))


def anonymity_of(session: Session, round: Round) -> dict[str, Any] | None:
    """The round's anonymity sets and whether they are too small; None under `named` (nothing is hidden)."""
    if round.identity_policy == IdentityPolicy.NAMED:
        return None
    rows = session.execute(_WORKER_SIDE, {"round_id": round.id}).all()
    organisations = [{"organisation": name, "people": people} for name, people in rows]
    side = sum(entry["people"] for entry in organisations)
    small = [entry["organisation"] for entry in organisations if entry["people"] < MIN_ANONYMITY_SET]
    return {"policy": round.identity_policy.value, "minimum": MIN_ANONYMITY_SET, "worker_side": side,
            "organisations": organisations, "small_organisations": small,
            "is_too_small": side < MIN_ANONYMITY_SET or bool(small)}


def anonymity_for(session: Session, view: RoundView) -> dict[str, Any] | None:
    """The anonymity sets as this viewer is told them: the secretariat and the workers' side only."""
    if not (view.is_secretariat or view.constituency == Constituency.WORKERS):
        return None
    return anonymity_of(session, view.round)


def anonymity_before_posting(session: Session, view: RoundView) -> dict[str, Any] | None:
    """What a worker is told beside the comment form: how they are shown, and whether too few take part."""
    return anonymity_of(session, view.round) if view.constituency == Constituency.WORKERS else None
