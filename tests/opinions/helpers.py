"""The opinions tests' world: rounds on the legal profiles, an expert from outside, the package's release."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import select

from consult.accounts.models import User
from consult.events.models import Event
from tests.factories import PLAN, tripartite
from tests.package.files import PDF
from tests.package.helpers import attach

REASON = {"reason": "Agreed at the steering meeting."}


def at(text: str) -> datetime:
    """An ISO timestamp from the API."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def plan(**fields: Any) -> dict[str, Any]:
    """The factories' plan with some fields changed."""
    return {**copy.deepcopy(PLAN), **fields}


def profile_world(make, workflow: str, *, stage: str = "draft", signatories: bool = True, **overrides: Any) -> dict:
    """A tripartite round on a legal profile, its signatories named, and an expert's account outside it."""
    world = tripartite(make, workflow=workflow, stage=stage, **overrides)
    if signatories:
        for party in ("worker", "employer", "government"):
            if world[party].constituency.value not in world["round"].required_constituencies:
                continue  # a profile that fixes who signs (de-betrvg: employer and works council)
            make.signatory(world["secretariat"], world["round"], world[party].constituency.value, world[party])
    world["expert"] = make.user("observers", name="Eva Expert")  # an organisation that is not invited
    world["second_worker"] = make.user(world["worker"].organisation, name="Wim Worker")
    return world


def expert_body(world: dict, user: User | None = None) -> dict[str, Any]:
    """A valid appointment of the world's expert by the workers."""
    return {"expert_user_id": (user or world["expert"]).id, "firm": "Cabinet Syndex",
            "reason": "The system monitors pick rates: the CSE needs an independent reading of the DPIA.",
            "brief": "Assess the monitoring functions, the data kept and the effect on working conditions.",
            "member_in_charge_user_id": world["second_worker"].id}


def start_with_package(api, world: dict) -> datetime:
    """The employer attaches the vendor's documentation in the draft and the secretariat starts the round: the
    package is released as the round starts (consult/package); when, as the package shows it."""
    round_id = world["round"].id
    attached = attach(api(world["employer"]), round_id, "dpia.pdf", PDF, title="Data-protection impact assessment")
    assert attached.status_code == 201, attached.get_json()
    started = api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    assert started.status_code == 200, started.get_json()
    [release] = api(world["worker"]).get(f"/rounds/{round_id}/package").get_json()["releases"]
    return at(release["released_at"])


def event_types(db, round_id: int) -> list[str]:
    """The round's event types in sequence order."""
    with db.transaction(write=False) as session:
        return list(session.scalars(select(Event.type).where(Event.round_id == round_id).order_by(Event.seq)))
