"""What a profile's EU-law settings refuse when a round opens: a prohibited practice, stages shorter than the
profile's minimums, and a high-risk plan without the deployer's checklist. Each refusal is a 422 naming its
article; under eu-ai-act it also names the date Art. 26 applies from (consult/workflow/duties.py)."""

from __future__ import annotations

from typing import Any

from consult.errors import Invalid
from consult.workflow.definitions import Duration, Workflow

#: Art. 26(6) of Regulation (EU) 2024/1689: logs kept "for a period ... of at least six months".
LOG_MONTHS_MINIMUM = 6


def _dated(workflow: Workflow, message: str) -> str:
    application = workflow.duties.application
    return f"{message} {application.sentence()}" if application is not None else message


def check_prohibitions(workflow: Workflow, plan: dict[str, Any]) -> None:
    """422 for a plan that declares a practice the profile prohibits (emotion recognition at work)."""
    for prohibition in workflow.duties.prohibitions:
        if prohibition.practice == "emotion_recognition_at_work" and plan.get("emotion_recognition") == "at_work":
            message = (f"A system that infers the emotions of people at work is prohibited: {prohibition.basis}, "
                       f"since {prohibition.applies_from.strftime('%-d %B %Y')}. No round is opened for it; only "
                       "a use for medical or safety reasons is excepted.")
            raise Invalid(message, fields={"plan.emotion_recognition": [message]}, basis=prohibition.basis)


def check_minimum_lengths(workflow: Workflow, lengths: dict[str, Duration | None]) -> None:
    """422 naming each stage a round would make shorter than the profile's minimum, and the law behind it."""
    minimums = workflow.duties.minimum_lengths
    if minimums is None:
        return
    short = [f"{key}: {given.amount}{given.unit[0]} is shorter than the minimum of "
             f"{minimums.lengths[key].amount}{minimums.lengths[key].unit[0]}"
             for key, given in sorted(lengths.items())
             if key in minimums.lengths and given is not None and given.delta < minimums.lengths[key].delta]
    if short:
        message = _dated(workflow, f"Stages too short for the {workflow.key} profile ({'; '.join(short)}): "
                                   f"{minimums.basis}.")
        raise Invalid(message, fields={"stage_lengths": short}, basis=minimums.basis)


def check_deployer_checklist(workflow: Workflow, plan: dict[str, Any], is_high_risk: bool) -> None:
    """422 naming each missing item of a high-risk plan's deployer checklist (Arts. 26(2), 26(6), 27; GDPR 35)."""
    if "deployer_checklist" not in workflow.legal.plan_requires or not is_high_risk:
        return
    checklist = plan.get("deployer_checklist") or {}
    missing: dict[str, list[str]] = {}
    if not checklist:
        missing["plan.deployer_checklist"] = [
            "A high-risk plan states who oversees the system (Art. 26(2)), how long its logs are kept (Art. 26(6)), "
            "its data-protection impact assessment (GDPR Art. 35) and, where Art. 27 applies, its "
            "fundamental-rights impact assessment."]
    elif checklist.get("log_retention_months", 0) < LOG_MONTHS_MINIMUM:
        missing["plan.deployer_checklist.log_retention_months"] = [
            "Art. 26(6): the deployer keeps the system's logs for at least six months."]
    if checklist.get("fria_applies") and not checklist.get("fria_reference"):
        missing["plan.deployer_checklist.fria_reference"] = [
            "Art. 27: a body governed by public law, or a private entity providing public services, assesses the "
            "impact on fundamental rights before deploying a high-risk system: give its reference."]
    if missing:
        raise Invalid(_dated(workflow, "The plan is high-risk: its deployer's checklist is incomplete."),
                      fields=missing, basis="Regulation (EU) 2024/1689, Arts. 26 and 27")
