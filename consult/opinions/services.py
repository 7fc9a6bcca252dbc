"""Giving a formal opinion, answering it with a reasoned response, deciding consent per function: each with its event.

An opinion is the constituency's act, signed off by the signatory it named for the round; once given it
stands (a formal opinion is not edited: the event log and the outcome keep what was said). The employer whose
plan it is answers each opinion once, with its reasons. Consent is decided per function of the plan by the
constituency the workflow's [consent] table names; a later decision replaces an earlier one, and both are in
the log. Who may do each, and when, is the governance table; in which stage, the workflow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, User
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, Invalid, NotFound
from consult.events.services import append_event
from consult.opinions.conciliation import rulings_of
from consult.opinions.models import OVERALL, ConsentDecision, FunctionConsent, Opinion, OpinionResponse
from consult.outcomes import voiding
from consult.policy import PARTICIPANTS, RoundView
from consult.public_ids import by_reference, new_public_id
from consult.rounds import governance
from consult.rounds.models import Round, Signatory
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of


def _signatory_of(session: Session, round: Round, constituency: str) -> Signatory | None:
    return session.scalar(select(Signatory).where(Signatory.round_id == round.id,
                                                  Signatory.constituency == Constituency(constituency)))


def _require_signatory(session: Session, view: RoundView, what: str) -> str:
    constituency = view.constituency.value
    signatory = _signatory_of(session, view.round, constituency)
    if signatory is None or signatory.user_id != view.user_id:
        raise Forbidden(f"Only the {constituency}' named signatory {what}: name a signatory first "
                        "(on the round's people page).")
    return constituency


def give_opinion(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> Opinion:
    """A constituency's formal opinion on the plan or a section, signed off by its signatory."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "give_opinion", view.constituency.value)
    constituency = _require_signatory(session, view, "gives the formal opinion")
    section = data["section"]
    if section != OVERALL and section not in {s.key for s in view.round.sections}:
        raise Invalid("No such section.", fields={"section": [
            f"Use {OVERALL!r} or one of: {', '.join(s.key for s in view.round.sections)}."]})
    existing = session.scalar(select(Opinion).where(Opinion.round_id == round_id,
                                                    Opinion.constituency == Constituency(constituency),
                                                    Opinion.section_key == section))
    if existing is not None:
        raise Conflict(f"The {constituency} gave their opinion on {section} already; a formal opinion stands as given.")
    opinion = Opinion(public_id=new_public_id("o"),
                      round_id=round_id, constituency=Constituency(constituency), section_key=section,
                      verdict=data["verdict"], reasons=data["reasons"], signed_by_id=actor.id)
    session.add(opinion)
    session.flush()
    append_event(session, view.round, "opinion.given", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"opinion_id": opinion.public_id, "constituency": constituency, "section": section,
                          "verdict": opinion.verdict.value, "reasons": opinion.reasons})
    return opinion


def respond_to_opinion(session: Session, actor: User, round_id: int, opinion_id: str | int,
                       reasons: str) -> OpinionResponse:
    """The employer's reasoned response to one opinion."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "respond_to_opinion")
    opinion = by_reference(session, Opinion, round_id, opinion_id)
    if opinion is None:
        raise NotFound("No such opinion in this round.")
    if opinion.response is not None:
        raise Conflict("This opinion has its reasoned response already.")
    response = OpinionResponse(opinion_id=opinion.id, reasons=reasons, responded_by_id=actor.id)
    session.add(response)
    session.flush()
    session.refresh(opinion, ["response"])
    append_event(session, view.round, "opinion.answered", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"opinion_id": opinion.public_id, "constituency": opinion.constituency.value,
                          "section": opinion.section_key, "reasons": reasons})
    return response


def decide_consent(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> FunctionConsent:
    """Consent given or refused for one function of the plan, by the constituency the workflow names."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "decide_consent", view.constituency.value, stage=False)
    rule = workflow_of(session, view.round).legal.consent
    if rule is None:
        raise Conflict("This round's workflow asks no consent per function.", stage=view.round.stage)
    if view.constituency.value != rule.by:
        raise Forbidden(f"Consent per function is the {rule.by}' decision ({rule.basis}).")
    governance.require_stage(session, view, "decide_consent", view.constituency.value)
    _require_signatory(session, view, "records consent")
    function = data["function"]
    if function not in view.round.plan.functions:
        raise Invalid("The plan does not list this function.",
                      fields={"function": [f"Use one of: {', '.join(view.round.plan.functions)}."]})
    if data["decision"] == ConsentDecision.REFUSED and not data["reasons"]:
        raise Invalid("Say why consent is refused: the reasons go to the record and the outcome.",
                      fields={"reasons": ["Required when consent is refused."]})
    consent = session.scalar(select(FunctionConsent).where(FunctionConsent.round_id == round_id,
                                                           FunctionConsent.function == function))
    previous = consent.decision.value if consent is not None else None
    if consent is None:
        consent = FunctionConsent(round_id=round_id, function=function)
        session.add(consent)
    consent.decision, consent.reasons, consent.decided_by_id = data["decision"], data["reasons"], actor.id
    consent.decided_at = utcnow()
    session.flush()
    voiding.void_standing_outcome(session, view.round, actor, f"The {rule.by} decided consent for {function}.")
    append_event(session, view.round, "consent.decided", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"function": function, "decision": consent.decision.value, "reasons": consent.reasons,
                          "replaces": previous,
                          "next_step": rule.if_refused if consent.decision == ConsentDecision.REFUSED else None})
    return consent


def opinions_of(session: Session, round_id: int) -> list[Opinion]:
    """Every opinion of a round, in the order given."""
    return list(session.scalars(select(Opinion).where(Opinion.round_id == round_id).order_by(Opinion.id)))


def consents_of(session: Session, round: Round) -> list[dict[str, Any]]:
    """Each function of the plan with its decision: given, refused, or not decided (which is not agreed), and the
    conciliation board's ruling where one replaces consent; a function is settled by either."""
    rule = workflow_of(session, round).legal.consent
    if rule is None:
        return []
    decided = {c.function: c for c in session.scalars(select(FunctionConsent)
                                                      .where(FunctionConsent.round_id == round.id))}
    rulings = rulings_of(session, round.id)
    rows = []
    for function in round.plan.functions:
        consent, ruling = decided.get(function), rulings.get(function)
        decision = consent.decision.value if consent else "undecided"
        is_agreed = decision == ConsentDecision.GIVEN.value
        rows.append({"function": function, "decision": decision, "reasons": consent.reasons if consent else "",
                     "is_agreed": is_agreed, "is_settled": is_agreed or ruling is not None,
                     "next_step": None if is_agreed or ruling is not None else rule.if_refused,
                     "decided_at": consent.decided_at if consent else None, "basis": rule.basis,
                     "ruling": None if ruling is None else {
                         "ruling": ruling.ruling.value, "terms": ruling.terms, "reference": ruling.reference,
                         "ruled_on": ruling.ruled_on.isoformat(), "basis": rule.conciliation_basis}})
    return rows


def unsettled_functions(session: Session, round: Round) -> list[str]:
    """The functions with neither consent nor a ruling, each with its state: "monitoring (refused)"."""
    return [f"{row['function']} ({row['decision']})" for row in consents_of(session, round) if not row["is_settled"]]
