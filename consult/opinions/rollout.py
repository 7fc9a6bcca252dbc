"""What a profile asks of the plan: the items it requires, and a rollout that starts only after the consultation.

eu-ai-act (Art. 26(7)): a high-risk system is put into service only after the workers' representatives and
the affected workers were informed; consult reads that as: the rollout starts after the package's release and
after the end of the stage the workflow's [rollout] table names. Checked when the round opens (against the
earliest end its stage lengths allow), when it starts or moves stage (against the planned deadline), and
when the rollout dates change.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from consult.errors import Invalid
from consult.workflow.definitions import Workflow
from consult.workflow.timeline import add_duration

ITEM_NAMES = {"decision_categories": "the categories of automated decision, their main parameters and weight",
              "data_recipients": "the recipients of workers' data and transfers within the group",
              "monitored_data": "the categories of data and actions its monitoring systems monitor (Art. 9(1))",
              "account_decisions": "the decisions its systems take or support, including restricting, suspending or "
                                   "terminating an account, and their grounds (Art. 9(1))",
              "platform_workers_in_member_state": "the number of platform workers in the Member State (Art. 13(2))",
              "impact_assessment": "the data-protection impact assessment and how it is provided to the "
                                   "representatives (Art. 8)"}
#: Items a profile requires only of some plans, checked by their own rule (consult/informing/plan_rules.py).
CONDITIONAL_ITEMS = frozenset({"deployer_checklist"})


def require_plan_items(workflow: Workflow, plan: dict[str, Any]) -> None:
    """422 naming each plan item the workflow requires and the plan leaves empty."""
    missing = {item: [f"The {workflow.title or workflow.key} workflow requires {ITEM_NAMES[item]}."]
               for item in sorted(workflow.legal.plan_requires - CONDITIONAL_ITEMS) if plan.get(item) in (None, "", [])}
    if missing:
        raise Invalid("The plan lacks items this workflow requires.",
                      fields={f"plan.{k}": v for k, v in missing.items()})


def earliest_end(workflow: Workflow, now: datetime, time_zone: str, lengths: dict[str, timedelta]) -> datetime | None:
    """The earliest end of the rollout rule's stage if the round started now: every stage at its full length."""
    rule = workflow.legal.rollout
    if rule is None:
        return None
    moment = now
    for stage in workflow.stages:
        if stage.on_deadline == "manual":
            continue
        length = lengths.get(stage.key) or stage.duration or (stage.clock.length if stage.clock else None)
        if length is None:
            return None
        moment = add_duration(moment, length, time_zone)
        if stage.key == rule.after_stage:
            return moment
    return None


def rollout_clash(workflow: Workflow, rollout_starts_on: date, is_high_risk: bool, end: datetime | None,
                  time_zone: str) -> date | None:
    """The consultation's last local day when the rollout starts on or before it (the rule applies), else None."""
    rule = workflow.legal.rollout
    if rule is None or end is None or (rule.only_if_high_risk and not is_high_risk):
        return None
    application = workflow.duties.application
    if application is not None and rollout_starts_on < application.applies_from:
        return None  # the obligation does not apply yet on the day the system is put into service (Art. 113)
    last_day = end.astimezone(ZoneInfo(time_zone)).date()
    return last_day if rollout_starts_on <= last_day else None


def check_rollout(workflow: Workflow, rollout_starts_on: date, is_high_risk: bool, end: datetime | None,
                  time_zone: str, *, planned: bool) -> None:
    """422 naming the law when the rollout starts on or before the local day the consultation ends."""
    rule = workflow.legal.rollout
    last_day = rollout_clash(workflow, rollout_starts_on, is_high_risk, end, time_zone)
    if last_day is None or rule is None:  # no rule, no clash: the second only says so to the checker
        return
    application = workflow.duties.application
    when = "is planned to end" if planned else "can end at the earliest"
    message = (f"The rollout cannot start on {rollout_starts_on.isoformat()}: the {rule.after_stage} stage {when} "
               f"on {last_day.isoformat()}, and under {rule.basis} the system is put into service only after the "
               "information package is released and the consultation has ended. Move the rollout to "
               f"{(last_day + timedelta(days=1)).isoformat()} or later.")
    if application is not None:
        message = f"{message} {application.sentence()}"
    raise Invalid(message, fields={"plan.rollout_starts_on": [message]}, basis=rule.basis)
