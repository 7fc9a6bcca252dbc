"""The governance table and the identity policy as the round's people page shows them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from consult.opinions.present import appointed_experts
from consult.policy import RoundView
from consult.rounds import governance
from consult.rounds.governance import GOVERNANCE, OWN, Phase, Role
from consult.rounds.plan import IdentityPolicy
from consult.timeline.messages import ACTION_NAMES

ROLE_LABELS = {
    Role.SECRETARIAT: lazy_gettext("Secretariat"), Role.EMPLOYER: lazy_gettext("The employer"),
    Role.EMPLOYERS: lazy_gettext("Other employers"), Role.WORKERS: lazy_gettext("Workers"),
    Role.GOVERNMENT: lazy_gettext("Government"), Role.OBSERVERS: lazy_gettext("Observers"),
}
PHASE_LABELS = {
    Phase.UNDER_WAY: lazy_gettext("under way"), Phase.FROZEN: lazy_gettext("outcome frozen"),
    Phase.CONCLUDED: lazy_gettext("concluded"),
}
POLICY_LABELS = {
    IdentityPolicy.NAMED: lazy_gettext("Named"), IdentityPolicy.ORGANISATION: lazy_gettext("By organisation"),
    IdentityPolicy.PSEUDONYMOUS: lazy_gettext("Pseudonymous"),
}


def _cell(grant: str | None) -> Any:
    if grant is None:
        return lazy_gettext("no")
    return lazy_gettext("their own side") if grant == OWN else lazy_gettext("yes")


def _stage(rule: governance.Rule) -> str:
    """What the round's current stage must open, if the stage decides (empty: any stage)."""
    if not rule.opens:
        return ""
    return "; " + _("as the stage opens: %(actions)s", actions=", ".join(str(ACTION_NAMES[a]) for a in rule.opens))


def governance_rows() -> list[dict[str, Any]]:
    """The table as the people page shows it, one row per rule, translated."""
    return [{"action": rule.action, "title": _(rule.title), "cells": [_cell(rule.grant(role)) for role in Role],
             "phases": ", ".join(str(PHASE_LABELS[p]) for p in Phase if p in rule.phases) + _stage(rule),
             "conditions": [_(text) for text in rule.conditions]} for rule in GOVERNANCE]


def policy_choices(session: Session, view: RoundView) -> list[tuple[str, Any]]:
    """The identity policies this viewer may switch the round to now (empty: no form)."""
    current = view.round.identity_policy
    choices = []
    for policy in IdentityPolicy:
        if policy == current or not governance.may(session, view, governance.identity_change(current, policy)):
            continue
        weaker = governance.STRENGTH[policy] < governance.STRENGTH[current]
        if weaker and governance.workers_have_written(session, view.round):
            continue
        choices.append((policy.value, POLICY_LABELS[policy]))
    return choices


def people_context(session: Session, view: RoundView) -> dict[str, Any]:
    """What the people page needs from the governance table."""
    return {"rules": governance_rows(), "roles": [ROLE_LABELS[role] for role in Role],
            "phase": PHASE_LABELS[governance.phase_of(session, view.round)],
            "policy_label": POLICY_LABELS[view.round.identity_policy],
            "policy_choices": policy_choices(session, view),
            "may_remove": governance.may(session, view, "remove"),
            "experts": appointed_experts(session, view)}
