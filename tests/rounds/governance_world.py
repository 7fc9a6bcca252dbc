"""A round in each phase of the governance table, with one person for every role of it, and how to read its state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from consult.db import Base
from consult.events.models import Event
from consult.models import import_all_models
from consult.outcomes.models import Outcome, OutcomeStatus
from consult.rounds.models import Participant, Round, Signatory
from tests.outcomes.helpers import outcome_world
from tests.pages.forms import browser
from tests.registry.test_registry import conclude

#: Organisations kept ready per world: one for each attempt (every role, API and page) that may use one up.
POOL = 12


def governed_world(app, make, api, phase, prepare=None) -> dict[str, Any]:
    """A tripartite round with positions drafted, an employers' federation and observers invited, in `phase`.

    `people[role]` acts for each role; `alternates[constituency]` are two invited people who can sign for it;
    `removable` and `removed` are pools of organisations taking part and removed, for the attempts.
    `prepare(world, people)` runs in the drafting stage, before the round is frozen or concluded.
    """
    from consult.rounds.governance import Phase, Role  # here, so the scenarios also run on code without it

    assert POOL >= 2 * len(Role)
    world = outcome_world(make, stances=phase == Phase.CONCLUDED, identity_policy="named")
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    federation = make.user("employers", name="Fede Federation")
    observer = make.user("observers", name="Olga Observer")
    worker2 = make.user(world["worker"].organisation, name="Walt Worker")
    government2 = make.user(world["government"].organisation, name="Gina Government")
    pools: dict[str, list] = {"removable": [], "removed": []}
    for kind in pools:
        for _ in range(POOL):
            pools[kind].append(make.organisation("observers"))
    invited = [federation.organisation, observer.organisation, *pools["removable"], *pools["removed"]]
    for organisation in invited:
        response = secretariat.post(f"/rounds/{round_id}/participants", json={"organisation_id": organisation.id})
        assert response.status_code == 201, response.get_json()
    for organisation in pools["removed"]:
        response = secretariat.post(f"/rounds/{round_id}/participants/{organisation.id}/remove",
                                    json={"reason": "Set-up: removed, to be invited again."})
        assert response.status_code == 200, response.get_json()
    people = {Role.SECRETARIAT: world["secretariat"], Role.EMPLOYER: world["employer"], Role.EMPLOYERS: federation,
              Role.WORKERS: world["worker"], Role.GOVERNMENT: world["government"], Role.OBSERVERS: observer}
    if prepare is not None:
        prepare(world, people)
    if phase == Phase.FROZEN:
        assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").status_code in (200, 201)
    elif phase == Phase.CONCLUDED:
        conclude(api, world)
    for person in people.values():
        api(person)  # the token exists before any attempt counts rows
    world.update(people=people, browsers={role: browser(app, person) for role, person in people.items()},
                 alternates={"workers": (world["worker"], worker2), "government": (world["government"], government2),
                             "employers": (world["employer"], federation)}, phase=phase, **pools)
    return world


def state(db, round_id: int) -> dict[str, Any]:
    """Everything a refused attempt must leave as it was: row counts, who takes part, who signs, the policy, the log."""
    import_all_models()
    with db.transaction(write=False) as session:
        return {
            "rows": {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables},
            "participants": session.execute(select(Participant.organisation_id, Participant.removed_at).where(
                Participant.round_id == round_id).order_by(Participant.organisation_id)).all(),
            "signatories": session.execute(select(Signatory.constituency, Signatory.user_id).where(
                Signatory.round_id == round_id).order_by(Signatory.constituency)).all(),
            "round": session.execute(select(Round.identity_policy, Round.stage, Round.status, Round.last_seq)
                                     .where(Round.id == round_id)).one(),
            "outcomes": session.execute(select(Outcome.version, Outcome.status).where(
                Outcome.round_id == round_id).order_by(Outcome.version)).all(),
        }


def last_event(db, round_id: int) -> Event:
    """The round's latest event."""
    with db.transaction(write=False) as session:
        return session.scalar(select(Event).where(Event.round_id == round_id).order_by(Event.seq.desc()).limit(1))


def set_policy_directly(db, round_id: int, policy: str) -> None:
    """Test set-up only: put the round under a policy, so each identity attempt starts from the same one."""
    with db.transaction() as session:
        session.get(Round, round_id).identity_policy = policy


def outcome_stands(db, round_id: int) -> bool:
    """Whether a frozen or signed version of the outcome stands."""
    with db.transaction(write=False) as session:
        return session.scalar(select(Outcome.id).where(Outcome.round_id == round_id,
                                                       Outcome.status != OutcomeStatus.VOID)) is not None
