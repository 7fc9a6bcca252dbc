"""When consent is refused or never decided: the conciliation board's ruling, or the employer's revision of the plan.

BetrVG §87(2): where employer and works council do not agree on a monitoring-capable function, the conciliation
board (Einigungsstelle, §76) decides, and its ruling replaces their agreement. The secretariat records the
ruling the board handed down, per function, with its reference and date. The employer may instead withdraw the
function from the plan, or change it; each is a new version of the plan. A change is recorded as substantial,
so it reopens the function's consent and any ruling on it: both were given for the function as it was (the
log keeps them). Each write appends its event in the same transaction; who may, and when, is the governance
table; in which stage, the workflow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.errors import Conflict, Invalid
from consult.events.services import append_event
from consult.opinions.models import ConciliationRuling, FunctionConsent, PlanRevision, RevisionKind
from consult.outcomes import voiding
from consult.policy import PARTICIPANTS, RoundView
from consult.rounds import governance
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of
from consult.workflow.legal import ConsentRule

#: The event each kind of revision appends (named in full: the event catalogue's tests read the types here).
REVISED = {RevisionKind.WITHDRAWN: "plan.function_withdrawn", RevisionKind.CHANGED: "plan.function_changed"}


def _consent_rule(session: Session, view: RoundView) -> ConsentRule:
    rule = workflow_of(session, view.round).legal.consent
    if rule is None or not rule.conciliation_basis:
        raise Conflict("This round's workflow has no consent per function settled by a conciliation board.",
                       stage=view.round.stage)
    return rule


def _planned_function(view: RoundView, function: str) -> str:
    if function not in view.round.plan.functions:
        raise Invalid("The plan does not list this function.",
                      fields={"function": [f"Use one of: {', '.join(view.round.plan.functions) or 'none left'}."]})
    return function


def record_ruling(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> ConciliationRuling:
    """The conciliation board's ruling on one function, recorded by the secretariat; it replaces consent."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "record_ruling", stage=False)
    rule = _consent_rule(session, view)
    governance.require_stage(session, view, "record_ruling")
    function = _planned_function(view, data["function"])
    existing = session.scalar(select(ConciliationRuling).where(ConciliationRuling.round_id == round_id,
                                                               ConciliationRuling.function == function))
    if existing is not None:
        raise Conflict(f"The conciliation board's ruling on {function} is recorded already; a substantial change "
                       "of the function reopens it.")
    consent = _consent_of(session, round_id, function)
    if consent is not None and consent.decision.value == "given":
        raise Conflict(f"The works council consented to {function}: there is nothing for the board to settle.")
    ruling = ConciliationRuling(round_id=round_id, function=function, ruling=data["ruling"], terms=data["terms"],
                                reference=data["reference"], ruled_on=data["ruled_on"], recorded_by_id=actor.id)
    session.add(ruling)
    session.flush()
    voiding.void_standing_outcome(session, view.round, actor, f"The conciliation board ruled on {function}.")
    append_event(session, view.round, "conciliation.ruled", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"function": function, "ruling": ruling.ruling.value, "terms": ruling.terms,
                          "reference": ruling.reference, "ruled_on": ruling.ruled_on.isoformat(),
                          "basis": rule.conciliation_basis})
    return ruling


def _consent_of(session: Session, round_id: int, function: str) -> FunctionConsent | None:
    return session.scalar(select(FunctionConsent).where(FunctionConsent.round_id == round_id,
                                                        FunctionConsent.function == function))


def _next_version(session: Session, round_id: int) -> int:
    last = session.scalar(select(func.max(PlanRevision.version)).where(PlanRevision.round_id == round_id))
    return (last or 1) + 1


def _settled_before(session: Session, round_id: int, function: str) -> dict[str, Any]:
    """The consent and ruling a revision sets aside (they stay in the log), removed from the current state."""
    consent = _consent_of(session, round_id, function)
    ruling = session.scalar(select(ConciliationRuling).where(ConciliationRuling.round_id == round_id,
                                                             ConciliationRuling.function == function))
    before = {"consent": consent.decision.value if consent else None, "ruling": ruling.ruling.value if ruling else None}
    for row in (consent, ruling):
        if row is not None:
            session.delete(row)
    return before


def revise_function(session: Session, actor: User, round_id: int, function: str, kind: RevisionKind,
                    description: str) -> PlanRevision:
    """The employer withdraws a function from the plan, or changes it substantially: a new version of the plan."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "revise_functions", stage=False)
    rule = _consent_rule(session, view)
    governance.require_stage(session, view, "revise_functions")
    function = _planned_function(view, function)
    version = _next_version(session, round_id)
    revision = PlanRevision(round_id=round_id, version=version, kind=kind, function=function,
                            description=description, revised_by_id=actor.id)
    session.add(revision)
    before = _settled_before(session, round_id, function)
    if kind == RevisionKind.WITHDRAWN:
        view.round.plan.functions = [f for f in view.round.plan.functions if f != function]
    session.flush()
    voiding.void_standing_outcome(session, view.round, actor, f"Version {version} of the plan {kind.value} "
                                                                 f"{function}.")
    append_event(session, view.round, REVISED[kind], actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"function": function, "plan_version": version, "description": description,
                          "set_aside": before,
                          "reopens": rule.basis if kind == RevisionKind.CHANGED else None})
    return revision


def revisions_of(session: Session, round_id: int) -> list[PlanRevision]:
    """The plan's revisions, oldest first."""
    return list(session.scalars(select(PlanRevision).where(PlanRevision.round_id == round_id)
                                .order_by(PlanRevision.version)))


def rulings_of(session: Session, round_id: int) -> dict[str, ConciliationRuling]:
    """The board's standing rulings by function."""
    return {r.function: r for r in session.scalars(select(ConciliationRuling)
                                                   .where(ConciliationRuling.round_id == round_id))}
