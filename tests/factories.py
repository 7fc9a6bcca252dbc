"""Factories that make real, committed data through consult's own services, and a token-carrying client."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from flask import Flask
from sqlalchemy import select

from consult.accounts.models import Organisation, User
from consult.accounts.services import create_organisation, create_user, issue_api_token
from consult.comments.models import Channel, Comment
from consult.comments.services import post_comment
from consult.db import utcnow
from consult.events.services import lock_round
from consult.rounds.models import Participant, Round
from consult.rounds.plan import IdentityPolicy
from consult.rounds.services import invite_organisation, name_signatory, open_round, set_identity_policy
from consult.timeline.clock import enter_stage, rearm
from consult.timeline.rules import workflow_of
from consult.timeline.services import start_round

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)

PLAN: dict[str, Any] = {
    "system_name": "RosterAI",
    "provider": "Example Systems Ltd",
    "purpose": "Plan weekly shifts from demand forecasts and monitor pick rates.",
    "functions": ["scheduling", "monitoring"],
    "workers_affected": 420,
    "worker_groups": "Warehouse operatives",
    "sites": "Leeds depot",
    "data_collected": "Scanner events, attendance",
    "data_retention": "90 days",
    "data_access": "Shift leads, HR",
    "human_oversight": "Shift leads approve every roster",
    "contest_route": "Appeal to the shift lead, then the joint committee",
    "rollout_starts_on": "2027-01-10",
    "rollout_completes_on": "2027-06-30",
    "country": "GB",
    "sector": "Logistics",
    "impact_statements": {
        "social_dialogue": "Co-determined with the union.",
        "skills_training": "Two days of training for shift leads.",
        "safety_health_dignity": "No on-screen targets during shifts.",
        "non_discrimination": "Outcomes audited by age and sex.",
        "privacy": "No tracking outside working time.",
        "productivity_inclusion": "Gains fund a training budget.",
    },
}


def round_payload(**overrides: Any) -> dict[str, Any]:
    """A complete, valid body for POST /api/v1/rounds."""
    body = {"title": "Consultation on RosterAI", "plan": copy.deepcopy(PLAN)}
    body.update(overrides)
    return body


def _as_service_input(body: dict[str, Any]) -> dict[str, Any]:
    from consult.rounds.schemas import RoundIn

    return RoundIn().load(body)


class Factory:
    """Creates committed data; each method runs its own unit of work, as an entry point would."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.db = app.extensions["consult.db"]

    def organisation(self, constituency: str, name: str | None = None) -> Organisation:
        """An organisation of a constituency."""
        with self.db.transaction() as session:
            return create_organisation(session, name=name or f"{constituency.title()} org {next(_counter)}",
                                       constituency=constituency)

    def user(self, organisation: Organisation | str, name: str | None = None, **fields: Any) -> User:
        """A person; give an organisation, or a constituency to get a new organisation too."""
        if isinstance(organisation, str):
            organisation = self.organisation(organisation)
        number = next(_counter)
        with self.db.transaction() as session:
            user = create_user(session, email=f"person{number}@example.org", display_name=name or f"Person {number}",
                               password=PASSWORD, organisation_id=organisation.id, **fields)
        return self.reload(User, user.id)

    def token(self, user: User) -> str:
        """A fresh API token of a person."""
        with self.db.transaction() as session:
            return issue_api_token(session, session.get(User, user.id), "tests")[1]

    def round(self, opener: User, *, invite: tuple[Organisation, ...] = (), stage: str = "consultation",
              **overrides: Any) -> Round:
        """A round opened by `opener`, with organisations invited, moved on to `stage` (threads open there).

        An `identity_policy` weaker than the default is chosen by an invited secretariat, as the rules say.
        """
        policy = overrides.pop("identity_policy", None)
        if opener.is_secretariat and policy is not None:
            overrides["identity_policy"] = policy
        with self.db.transaction() as session:
            actor = session.get(User, opener.id)
            round = open_round(session, actor, _as_service_input(round_payload(**overrides)))
        for organisation in invite:
            with self.db.transaction() as session:
                invite_organisation(session, session.get(User, opener.id), round.id, organisation.id)
        if policy is not None and policy != round.identity_policy.value:
            self.identity_policy(round, policy)
        if stage != "draft":
            self.move_to(opener, round, stage)
        return self.reload(Round, round.id)

    def identity_policy(self, round: Round, policy: str, reason: str = "Chosen for the test.") -> None:
        """The round's secretariat (a member of an invited secretariat organisation) sets the identity policy."""
        with self.db.transaction() as session:
            secretariat = session.scalar(select(User).join(Participant, Participant.organisation_id ==
                                                           User.organisation_id).join(Organisation).where(
                Participant.round_id == round.id, Participant.removed_at.is_(None),
                Organisation.constituency == "secretariat").order_by(User.id).limit(1))
            assert secretariat is not None, "invite a secretariat: only it chooses a weaker identity policy"
            set_identity_policy(session, secretariat, round.id, IdentityPolicy(policy), reason)

    def move_to(self, actor: User, round: Round, stage: str) -> None:
        """Start the round if it is a draft, then enter stages in order until `stage` (gates not checked)."""
        with self.db.transaction() as session:
            locked = lock_round(session, round.id)
            if locked.stage == "draft":
                start_round(session, session.get(User, actor.id), round.id, "Opened for the test.")
            workflow = workflow_of(session, locked)
            while locked.stage != stage:
                enter_stage(session, locked, workflow, at=utcnow(), actor_id=None, reason="Test set-up.",
                            planned_at=None)
            rearm(session, locked, workflow)

    def signatory(self, actor: User, round: Round, constituency: str, user: User,
                  reason: str = "Named for the test.") -> None:
        """Name a signatory (a replacement needs the reason)."""
        with self.db.transaction() as session:
            name_signatory(session, session.get(User, actor.id), round.id, constituency, user.id, reason)

    def comment(self, author: User, round: Round, body: str = "A comment.", section: str = "system",
                channel: str = "plenary", parent_id: str | None = None) -> Comment:
        """A comment posted through the service (`parent_id`: the parent's public id)."""
        with self.db.transaction() as session:
            comment = post_comment(session, session.get(User, author.id), round.id,
                                   {"section": section, "body": body, "channel": Channel(channel),
                                    "parent_id": parent_id})
        return comment

    def reload(self, model: type, id: int):
        """A fresh copy of a row, detached, with its eager relationships loaded."""
        with self.db.transaction(write=False) as session:
            return session.get(model, id)


class ApiClient:
    """A JSON client for /api/v1 that sends one person's token."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kwargs):
        """GET /api/v1{path}."""
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs):
        """POST JSON to /api/v1{path}."""
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs):
        """PUT JSON to /api/v1{path}."""
        return self.client.put(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def delete(self, path: str, **kwargs):
        """DELETE /api/v1{path}."""
        return self.client.delete(f"/api/v1{path}", headers=self.headers, **kwargs)


def log_in(client, user: User) -> None:
    """Log a browser-like test client in through the real form (with its CSRF token)."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303), response.status_code


def tripartite(make, **round_overrides: Any) -> dict[str, Any]:
    """A round with a union, an employer, a ministry and a secretariat, each with one person.

    `round_overrides` go to `Factory.round`: a `stage`, or fields of the round's body (title, plan, ...).
    """
    employer = make.user("employers", name="Erin Employer")
    worker = make.user("workers", name="Wanda Worker")
    government = make.user("government", name="Gil Government")
    secretariat = make.user("secretariat", name="Sasha Secretariat")
    round = make.round(employer, invite=(worker.organisation, government.organisation, secretariat.organisation),
                       **round_overrides)
    return {"round": round, "employer": employer, "worker": worker, "government": government,
            "secretariat": secretariat}


__all__ = ["PASSWORD", "ApiClient", "Factory", "log_in", "round_payload", "tripartite"]
