"""The timeline's refusals in the reader's language: actions not open in a stage, unmet gates, round statuses.

The workflow engine stays pure and speaks English (consult/workflow/engine.py); entry points show people
these sentences instead, built from the same facts, with constituencies and stages named by the label filters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from consult.rounds.models import RoundStatus
from consult.web.labels import constituency_name, stage_name
from consult.workflow import engine
from consult.workflow.definitions import Workflow

ACTION_NAMES = {
    "ask": _l("Questions to the employer"), "answer": _l("Answers to questions"), "comment": _l("Plenary comments"),
    "caucus": _l("Caucus comments"), "draft": _l("Drafting positions"), "comment_draft": _l("Comments on drafts"),
    "stance": _l("Recording stances"), "sign": _l("Signing"), "edit_plan": _l("Editing the plan"),
    "opinion": _l("Formal opinions"), "respond": _l("Reasoned responses"),
    "appoint_expert": _l("Appointments of experts"), "consent": _l("Decisions on consent"),
    "rule": _l("Rulings of the conciliation board"), "revise_functions": _l("Revisions of the plan's functions"),
}
#: A round's status, and what is refused to a round in it ("The round is paused: it cannot be extended now.").
STATUS_NAMES = {RoundStatus.OPEN: _l("open"), RoundStatus.PAUSED: _l("paused"), RoundStatus.HELD: _l("held"),
                RoundStatus.BLOCKED: _l("blocked")}
DONE_NAMES = {"extended": _l("extended"), "paused": _l("paused"), "resumed": _l("resumed"), "held": _l("held"),
              "advanced": _l("advanced")}


def _names(keys: list[str]) -> str:
    return ", ".join(constituency_name(key) for key in sorted(keys))


def refusal(workflow: Workflow, stage_key: str, action: str) -> str:
    """Why an action is refused in this stage, for a 409."""
    stage = workflow.stage(stage_key)
    return cast(str, gettext("%(actions)s are not open to you in the %(stage)s stage.",  # flask_babel is untyped
                             actions=str(ACTION_NAMES.get(action, action)),
                             stage=stage_name(stage.key, stage.title).lower()))


def gate_reasons(workflow: Workflow, stage_key: str, facts: Mapping[str, Any]) -> list[str]:
    """Why a stage may not end yet, one sentence per unmet gate (empty when every gate holds)."""
    reasons = []
    for gate in workflow.stage(stage_key).gates:
        if not engine.GATE_CHECKS[gate](facts):
            continue
        if gate == "signatories_named":
            missing = sorted(set(facts["required_constituencies"]) - set(facts["signatories"]))
            reasons.append(gettext("No signatory named for: %(constituencies)s.", constituencies=_names(missing)))
        elif gate == "stances_recorded":
            reasons.append(gettext("Stances still missing: %(constituencies)s.",
                                   constituencies=_names(list(facts.get("stances_missing", [])))))
        elif gate == "outcome_signed":
            missing = facts.get("signatures_missing", facts["required_constituencies"])
            reasons.append(gettext("Not yet signed by: %(constituencies)s.", constituencies=_names(list(missing))))
        else:
            reasons.append(engine.GATE_CHECKS[gate](facts))
    return reasons


def status_name(status: RoundStatus) -> str:
    """A round's status in the reader's language."""
    return str(STATUS_NAMES.get(status, status))


def done_name(action: str) -> str:
    """What was refused to the round ("extended", "paused"...), in the reader's language."""
    return str(DONE_NAMES.get(action, action))
