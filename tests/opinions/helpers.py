"""The opinions tests' world: rounds on the legal profiles, an expert from outside, the package's release."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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


def appoint_expert(api, world: dict, user: User | None = None, by: User | None = None) -> dict[str, Any]:
    """Appoint an expert for the workers (every test appoints through here: how an appointment is decided may
    change, the tests' intent does not)."""
    appointed = api(by or world["worker"]).post(f"/rounds/{world['round'].id}/experts", json=expert_body(world, user))
    assert appointed.status_code == 201, appointed.get_json()
    return appointed.get_json()


def end_of_day_months_later(moment: datetime, months: int, zone: str = "Europe/Paris") -> datetime:
    """By hand, from the articles (CPC 641 al. 2, 642 al. 1): the day of the last month with the same number as
    the event's local day (else that month's last day), ending at 24:00 local; as a UTC moment."""
    local = moment.astimezone(ZoneInfo(zone)).date()
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    days_in_month = [31, 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28, 31, 30, 31, 30, 31,
                     31, 30, 31, 30, 31][month - 1]
    last = date(year, month, min(local.day, days_in_month))
    return datetime.combine(last + timedelta(days=1), time(0), ZoneInfo(zone)).astimezone(UTC)
