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


def establishment_today(zone: str = "Europe/Berlin") -> date:
    """Today where the establishment is (the test rounds' Member State is DE): the day the round counts from.
    `date.today()` is the machine's (UTC) day, one day behind Berlin between 23:00 and 24:00 UTC."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(zone)).date()


def plan(**fields: Any) -> dict[str, Any]:
    """The factories' plan with some fields changed."""
    return {**copy.deepcopy(PLAN), **fields}


#: A high-risk plan's deployer checklist that passes (AI Act Arts. 26(2), 26(6), 27; GDPR Art. 35).
CHECKLIST = {"oversight_by": "The shift leads, trained on the system, who may override every roster",
             "log_retention_months": 6, "dpia_reference": "DPIA-2026-14, annexed to the package",
             "fria_applies": False}
#: The Platform Work Directive's plan items (Arts. 8, 9(1), 13(2)).
PLATFORM_ITEMS = {"decision_categories": [{"category": "Task offers", "parameters": "distance, rating",
                                           "weight": "60/40"}],
                  "data_recipients": "Group HR in Dublin", "monitored_data": "GPS position during tasks, acceptances",
                  "account_decisions": "Suspension after three no-shows in a month, reviewed by a person",
                  "platform_workers_in_member_state": 300, "impact_assessment": "DPIA-7, in the package"}
#: What each legal profile requires of a plan beyond the factories' plan.
#: The EU profiles: the round states the Member State of its establishment.
ESTABLISHMENT_PROFILES = ("eu-ai-act", "platform-work")
PROFILE_ITEMS = {"eu-ai-act": {"deployer_checklist": CHECKLIST}, "platform-work": PLATFORM_ITEMS}


def profile_plan(workflow: str, **fields: Any) -> dict[str, Any]:
    """The factories' plan with what the profile requires, and some fields changed."""
    return plan(**{**copy.deepcopy(PROFILE_ITEMS.get(workflow, {})), **fields})


def profile_world(make, workflow: str, *, stage: str = "draft", signatories: bool = True, **overrides: Any) -> dict:
    """A tripartite round on a legal profile, its signatories named, and an expert's account outside it."""
    overrides["plan"] = {**copy.deepcopy(PROFILE_ITEMS.get(workflow, {})), **overrides.get("plan", plan())}
    if workflow in ESTABLISHMENT_PROFILES:
        overrides.setdefault("establishment_country", "DE")  # an EU profile counts in the establishment's law
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
