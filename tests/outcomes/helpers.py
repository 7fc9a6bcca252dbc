"""A round ready for an outcome: signatories named, positions drafted, stances recorded, moved to a stage."""

from __future__ import annotations

from typing import Any

from consult.accounts.models import User
from consult.outcomes.models import StanceKind
from consult.outcomes.services import add_commitment, draft_position, record_stance
from consult.rounds.plan import SECTIONS
from tests.factories import tripartite

PARTIES = ("employer", "worker", "government")


def outcome_world(make, *, stances: bool = True, **overrides: Any) -> dict[str, Any]:
    """A tripartite round in drafting with signatories, a position per section, a commitment and every stance."""
    world = tripartite(make, **overrides)
    round = world["round"]
    for key in PARTIES:
        make.signatory(world["secretariat"], round, world[key].constituency.value, world[key])
    make.move_to(world["employer"], round, "drafting")
    db = make.db
    with db.transaction() as session:
        secretariat = session.get(User, world["secretariat"].id)
        for key, title in SECTIONS:
            draft_position(session, secretariat, round.id, key, f"The parties agree on **{title}**.", 0)
        add_commitment(session, secretariat, round.id, {
            "description": "Publish an annual algorithmic audit", "kpi": "Audits published", "target": "1 per year",
            "owner_organisation_id": world["employer"].organisation_id, "due_on": _date("2027-12-31")})
    if stances:
        for party in PARTIES:
            with db.transaction() as session:
                person = session.get(User, world[party].id)
                for key, title in SECTIONS:
                    record_stance(session, person, round.id, key, StanceKind.AGREE,
                                  f"The {person.constituency.value} accept the text on {title.lower()}.")
    return world


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)
