"""Consent per function gates the rollout (BetrVG §87(1) no. 6): no function is introduced before it is settled.

Consent of the works council (or the conciliation board's ruling, §87(2)) is a precondition of introducing a
monitoring-capable function. consult reads that as: a round is refused when its rollout starts on or before
the day the works council can first decide (the start of the first stage that opens consent, every earlier
stage at its full length, in the round's time zone); while the round runs, every page says which functions
the rollout still waits for. Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from consult.errors import Invalid
from consult.workflow.definitions import Workflow
from consult.workflow.timeline import add_duration


def earliest_consent(workflow: Workflow, now: datetime, time_zone: str,
                     lengths: dict[str, timedelta]) -> datetime | None:
    """When the consenting constituency can first decide if the round started now (None: no such stage)."""
    rule = workflow.legal.consent
    if rule is None or "rollout" not in rule.gates:
        return None
    moment = now
    for stage in workflow.stages:
        if stage.on_deadline == "manual":
            continue
        if rule.by in stage.open.get("consent", frozenset()):
            return moment
        length = lengths.get(stage.key) or stage.duration
        if length is None:
            return None
        moment = add_duration(moment, length, time_zone)
    return None


def check_consent_rollout(workflow: Workflow, rollout_starts_on: date, now: datetime, time_zone: str,
                          lengths: dict[str, timedelta]) -> None:
    """422 naming §87 when the rollout starts on or before the local day consent can first be given."""
    first = earliest_consent(workflow, now, time_zone, lengths)
    rule = workflow.legal.consent
    if first is None or rule is None:  # no rule, no earliest consent: the second only says so to the checker
        return
    first_day = first.astimezone(ZoneInfo(time_zone)).date()
    if rollout_starts_on > first_day:
        return
    message = (f"The rollout cannot start on {rollout_starts_on.isoformat()}: under {rule.basis} each "
               "monitoring-capable function is introduced only after the works council's consent or the "
               f"conciliation board's ruling ({rule.conciliation_basis}), and consent can be given from "
               f"{first_day.isoformat()} at the earliest. Move the rollout to "
               f"{(first_day + timedelta(days=1)).isoformat()} or later.")
    raise Invalid(message, fields={"plan.rollout_starts_on": [message]}, basis=rule.basis)


def consent_rollout_waits(workflow: Workflow, unsettled: list[Any]) -> bool:
    """Whether the procedure page must say what the rollout still waits for (consent gates the rollout and a
    function is neither consented to nor ruled on)."""
    rule = workflow.legal.consent
    return rule is not None and "rollout" in rule.gates and bool(unsettled)
