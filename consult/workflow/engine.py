"""Pure rules: what is open to whom in a stage, and whether a stage's gates hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consult.workflow.definitions import Workflow

ACTION_NAMES = {
    "ask": "Questions to the employer", "answer": "Answers to questions", "comment": "Plenary comments",
    "caucus": "Caucus comments", "draft": "Drafting positions", "comment_draft": "Comments on drafts",
    "stance": "Recording stances", "sign": "Signing", "edit_plan": "Editing the plan",
    "opinion": "Formal opinions", "respond": "Reasoned responses", "appoint_expert": "Appointments of experts",
    "consent": "Decisions on consent", "rule": "Rulings of the conciliation board",
    "revise_functions": "Revisions of the plan's functions",
}


def is_open(workflow: Workflow, stage_key: str, action: str, constituency: str) -> bool:
    """Whether an action is open to a constituency in a stage."""
    return constituency in workflow.stage(stage_key).open.get(action, frozenset())


def refusal(workflow: Workflow, stage_key: str, action: str) -> str:
    """Why an action is refused, naming the stage (for a 409)."""
    stage = workflow.stage(stage_key)
    return f"{ACTION_NAMES.get(action, action)} are not open to you in the {stage.title.lower()} stage."


def plenary_action(workflow: Workflow, stage_key: str, constituency: str) -> str | None:
    """Which action a plenary comment counts as here: a comment, or a question or answer in information."""
    for action in ("comment", "ask", "answer", "comment_draft"):
        if is_open(workflow, stage_key, action, constituency):
            return action
    return None


def _signatories_named(facts: Mapping[str, Any]) -> str | None:
    missing = sorted(set(facts["required_constituencies"]) - set(facts["signatories"]))
    return f"No signatory named for: {', '.join(missing)}." if missing else None


def _stances_recorded(facts: Mapping[str, Any]) -> str | None:
    missing = facts.get("stances_missing", [])
    return f"Stances still missing: {', '.join(missing)}." if missing else None


def _outcome_signed(facts: Mapping[str, Any]) -> str | None:
    missing = facts.get("signatures_missing", facts["required_constituencies"])
    return f"Not yet signed by: {', '.join(sorted(missing))}." if missing else None


def _opinions_given(facts: Mapping[str, Any]) -> str | None:
    missing = facts.get("opinions_missing", [])
    return f"No formal opinion yet from: {', '.join(missing)}." if missing else None


def _responses_given(facts: Mapping[str, Any]) -> str | None:
    missing = facts.get("responses_missing", [])
    return f"Opinions still awaiting the employer's reasoned response: {', '.join(missing)}." if missing else None


def _consents_decided(facts: Mapping[str, Any]) -> str | None:
    missing = facts.get("consents_missing", [])
    return f"Consent not yet decided for: {', '.join(missing)}." if missing else None


def _consents_settled(facts: Mapping[str, Any]) -> str | None:
    unsettled = facts.get("consents_unsettled", [])
    if not unsettled:
        return None
    return (f"Neither the works council's consent nor the conciliation board's ruling for: {', '.join(unsettled)} "
            f"({facts.get('consent_basis', 'BetrVG §87(1) no. 6')}; {facts.get('conciliation_basis', '§87(2)')}): "
            "record the ruling, or the employer withdraws the function.")


def _questions_answered(facts: Mapping[str, Any]) -> str | None:
    open_ids = facts["questions_open"]  # fails loudly if the questions feature did not register its facts
    return f"Questions to the employer still open: {len(open_ids)}." if open_ids else None


def _affected_workers_informed(facts: Mapping[str, Any]) -> str | None:
    if not facts.get("informing_applies"):
        return None
    listed, waiting, basis = facts["workers_listed"], facts["workers_uninformed"], facts["informing_basis"]
    rule = (f"{basis}: the affected workers are informed before the system is put into service or used at the "
            "workplace; the employer lists and informs them")
    if listed == 0:
        return f"No affected worker is listed, so none has been informed ({rule})."
    if waiting:
        return f"{waiting} of the {listed} listed affected workers not yet informed ({rule})."
    return None


GATE_CHECKS = {
    "signatories_named": _signatories_named,
    "stances_recorded": _stances_recorded,
    "outcome_signed": _outcome_signed,
    "opinions_given": _opinions_given,
    "responses_given": _responses_given,
    "consents_decided": _consents_decided,
    "consents_settled": _consents_settled,
    "questions_answered": _questions_answered,
    "affected_workers_informed": _affected_workers_informed,
}


def unmet_gates(workflow: Workflow, stage_key: str, facts: Mapping[str, Any]) -> list[str]:
    """The reasons a stage may not end yet (empty when every gate holds)."""
    reasons = [GATE_CHECKS[gate](facts) for gate in workflow.stage(stage_key).gates]
    return [reason for reason in reasons if reason]
