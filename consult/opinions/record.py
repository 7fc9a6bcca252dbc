"""What opinions, responses, consents and experts add to the gates, the rollout rule and the outcome document."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.errors import Conflict, Invalid
from consult.opinions.conciliation import revisions_of
from consult.opinions.consent_rollout import consent_rollout_waits
from consult.opinions.experts import cost_bearer, experts_of
from consult.opinions.models import OVERALL
from consult.opinions.rollout import check_rollout, rollout_clash
from consult.opinions.services import consents_of, opinions_of, unsettled_functions
from consult.rounds.models import Round
from consult.timeline.models import PlannedStage
from consult.timeline.rules import workflow_of
from consult.web.dates import end_of_day, legal_day
from consult.web.labels import function_name


def opinion_facts(session: Session, round: Round) -> dict[str, Any]:
    """Which constituencies owe an overall opinion, which opinions await a response, which functions a decision."""
    workflow = workflow_of(session, round)
    asked = set()
    for stage in workflow.stages:
        asked |= set(stage.open.get("opinion", ()))
    opinions = opinions_of(session, round.id)
    given = {o.constituency.value for o in opinions if o.section_key == OVERALL}
    return {"opinions_missing": sorted(asked - given),
            "responses_missing": [f"{o.constituency.value} ({o.section_key})" for o in opinions
                                  if o.response is None and not o.is_deemed],
            "consents_missing": [row["function"] for row in consents_of(session, round)
                                 if row["decision"] == "undecided"]}


def settlement_facts(session: Session, round: Round) -> dict[str, Any]:
    """The functions neither consented nor ruled on, and the articles the gate's message names."""
    rule = workflow_of(session, round).legal.consent
    if rule is None:
        return {"consents_unsettled": []}
    return {"consents_unsettled": unsettled_functions(session, round), "consent_basis": rule.basis,
            "conciliation_basis": rule.conciliation_basis}


def check_rollout_on_entry(session: Session, round: Round, actor_id: int | None) -> None:
    """A person who starts or advances the round is refused when the planned end falls after the rollout."""
    workflow = workflow_of(session, round)
    rule = workflow.legal.rollout
    if rule is None or actor_id is None:
        return  # the scheduler never refuses to move the clock; the page and the record say it instead
    end = session.scalar(select(PlannedStage.deadline_at).where(PlannedStage.round_id == round.id,
                                                                PlannedStage.key == rule.after_stage))
    try:
        check_rollout(workflow, round.plan.rollout_starts_on, round.plan.is_high_risk, end, round.time_zone,
                      planned=True)
    except Invalid as error:  # at a stage's entry the plan is not the input: the state clashes (409)
        raise Conflict(error.message, fields=error.fields, basis=rule.basis) from error



def rollout_warning(session: Session, round: Round) -> str | None:
    """The rollout rule's refusal, as a warning for pages, when the planned end now falls after the rollout."""
    workflow = workflow_of(session, round)
    rule = workflow.legal.rollout
    if rule is None:
        unsettled = [row for row in consents_of(session, round) if not row["is_settled"]]
        if not consent_rollout_waits(workflow, unsettled):
            return None
        consent = workflow.legal.consent
        states = {"refused": gettext("refused"), "undecided": gettext("not decided")}
        functions = ", ".join(gettext("%(function)s (%(state)s)", function=function_name(row["function"]),
                                      state=states.get(row["decision"], row["decision"])) for row in unsettled)
        return gettext("The rollout planned for %(day)s may not introduce %(functions)s before the works council's "
                       "consent or the conciliation board's ruling (%(basis)s; %(conciliation)s).",
                       day=legal_day(round.plan.rollout_starts_on), functions=functions, basis=consent.basis,
                       conciliation=consent.conciliation_basis)
    end = session.scalar(select(PlannedStage.deadline_at).where(PlannedStage.round_id == round.id,
                                                                PlannedStage.key == rule.after_stage))
    last_day = rollout_clash(workflow, round.plan.rollout_starts_on, round.plan.is_high_risk, end, round.time_zone)
    if last_day is None:
        return None
    return gettext("The rollout planned for %(day)s comes before the end of the consultation, planned for "
                   "%(end)s: under %(basis)s the system is put into service only after the information package is "
                   "released and the consultation has ended.", day=legal_day(round.plan.rollout_starts_on),
                   end=end_of_day(last_day, round.time_zone), basis=rule.basis)


def document_parts(session: Session, round: Round) -> dict[str, Any]:
    """The outcome document's opinions, responses, consents and experts; empty parts are left out, so a round
    without them keeps the document it always had."""
    parts: dict[str, Any] = {}
    opinions = opinions_of(session, round.id)
    if opinions:
        parts["opinions"] = [{
            "constituency": o.constituency.value, "section": o.section_key, "verdict": o.verdict.value,
            "reasons": o.reasons, "is_deemed": o.is_deemed, "basis": o.basis, "given_at": o.given_at.isoformat(),
            "signed_by": o.signed_by.display_name if o.signed_by else None,
            "response": {"reasons": o.response.reasons, "by": o.response.responded_by.display_name,
                         "at": o.response.responded_at.isoformat()} if o.response else None,
        } for o in opinions]
    consents = consents_of(session, round)
    if consents:
        parts["consents"] = [{**row, "decided_at": row["decided_at"].isoformat() if row["decided_at"] else None}
                             for row in consents]
    revisions = revisions_of(session, round.id)
    if revisions:
        parts["plan_revisions"] = [{"version": r.version, "kind": r.kind.value, "function": r.function,
                                    "description": r.description, "revised_at": r.revised_at.isoformat()}
                                   for r in revisions]
    agreement = workflow_of(session, round).legal.signatories
    if agreement is not None:
        parts["agreement"] = {"document": agreement.document, "basis": agreement.basis,
                              "signed_by": list(agreement.required)}
    experts = experts_of(session, round.id)
    if experts:
        bearer = cost_bearer(session, round)
        parts["experts"] = [{
            "constituency": e.constituency.value, "name": e.user.display_name, "firm": e.firm, "reason": e.reason,
            "brief": e.brief, "member_in_charge": e.member_in_charge.display_name,
            "appointed_at": e.appointed_at.isoformat(),
            "costs": [{"amount_minor": c.amount_minor, "currency": c.currency, "description": c.description}
                      for c in e.costs],
            "employer_bears_costs": bearer["employer_bears_costs"] if bearer else None,
        } for e in experts]
    return parts
