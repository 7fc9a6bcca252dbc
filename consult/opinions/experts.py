"""Appointing an expert for a constituency, recording the expert's costs, and what the expert may read.

The appointment states what a CSE's vote must (Code du travail L2315-94 and the case law on it): why an
expert, which firm or person, the brief, and the member in charge. The expert is a person outside the
round's organisations; the appointment gives them the information package and the appointing
constituency's caucus (consult/policy.py), nothing else. Appointing one can move a legal clock: the
workflow's extensions react to `expert.appointed` (consult/opinions/clocks.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.comments.models import Comment
from consult.errors import Conflict, Forbidden, Invalid, NotFound
from consult.events.services import append_event
from consult.opinions.models import Expert, ExpertCost
from consult.policy import PARTICIPANTS, RoundView, view_round
from consult.rounds import governance
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round
from consult.timeline.rules import require_open, workflow_of


def appoint_expert(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> Expert:
    """A constituency appoints an expert, as the workflow opens it to them."""
    view = get_visible_round(session, actor, round_id, lock=True)
    constituency = view.constituency.value
    governance.require(session, view, "appoint_expert", constituency)
    require_open(session, view.round, "appoint_expert", constituency)
    expert = session.get(User, data["expert_user_id"])
    if expert is None or not expert.is_active:
        raise Invalid("No such person.", fields={"expert_user_id": ["No active account with this id."]})
    if view_round(session, expert, view.round).is_participant:
        raise Invalid("The expert must come from outside the round: their organisation takes part in it.",
                      fields={"expert_user_id": ["A participant of the round cannot be appointed its expert."]})
    if session.scalar(select(Expert.id).where(Expert.round_id == round_id, Expert.user_id == expert.id)):
        raise Conflict(f"{expert.display_name} is appointed in this round already.")
    member = session.get(User, data["member_in_charge_user_id"])
    if member is None or member.constituency.value != constituency or \
            not view_round(session, member, view.round).is_participant:
        raise Invalid("The member in charge is one of the appointing constituency's representatives.",
                      fields={"member_in_charge_user_id": [f"No invited {constituency} representative with this id."]})
    appointment = Expert(round_id=round_id, constituency=view.constituency, user_id=expert.id, firm=data["firm"],
                         reason=data["reason"], brief=data["brief"], member_in_charge_id=member.id,
                         appointed_by_id=actor.id)
    session.add(appointment)
    session.flush()
    append_event(session, view.round, "expert.appointed", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"expert_id": appointment.id, "constituency": constituency, "name": expert.display_name,
                          "firm": appointment.firm, "reason": appointment.reason,
                          "member_in_charge": member.display_name})
    return appointment


def _appointment(session: Session, round: Round, expert_id: int) -> Expert:
    appointment = session.get(Expert, expert_id)
    if appointment is None or appointment.round_id != round.id:
        raise NotFound("No such expert in this round.")
    return appointment


def record_cost(session: Session, actor: User, round_id: int, expert_id: int, data: dict[str, Any]) -> ExpertCost:
    """Record a cost of an expert's work: the employer, the appointing constituency or the secretariat."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    grant = governance.require(session, view, "record_expert_cost",
                               view.constituency.value if view.constituency else None)
    appointment = _appointment(session, view.round, expert_id)
    if grant == governance.OWN and view.constituency != appointment.constituency:
        raise Forbidden(governance.RULES["record_expert_cost"].refused)
    cost = ExpertCost(expert_id=appointment.id, amount_minor=data["amount_minor"], currency=data["currency"],
                      description=data["description"], recorded_by_id=actor.id)
    session.add(cost)
    session.flush()
    session.refresh(appointment, ["costs"])
    append_event(session, view.round, "expert.cost_recorded", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"expert_id": appointment.id, "amount_minor": cost.amount_minor, "currency": cost.currency,
                          "description": cost.description})
    return cost


def cost_bearer(session: Session, round: Round) -> dict[str, Any] | None:
    """Whether the plan's numbers cross the workflow's threshold above which the employer bears the costs."""
    rule = workflow_of(session, round).legal.experts
    if rule is None or rule.costs_borne_above is None:
        return None
    # Art. 13(2) of Directive (EU) 2024/2831 counts the platform's workers in the Member State, not the plan's.
    workers = getattr(round.plan, rule.counted_on) or 0
    return {"threshold": rule.costs_borne_above, "workers_affected": workers, "counted_on": rule.counted_on,
            "employer_bears_costs": workers > rule.costs_borne_above, "basis": rule.basis}


def experts_of(session: Session, round_id: int) -> list[Expert]:
    """The round's appointed experts, in the order appointed."""
    return list(session.scalars(select(Expert).where(Expert.round_id == round_id).order_by(Expert.id)))


def get_expert_view(session: Session, user: User | None, round_id: int) -> RoundView:
    """The expert's own view of a round; 404 for anyone who is not an expert appointed in it."""
    round = session.get(Round, round_id)
    view = view_round(session, user, round) if round is not None else None
    if view is None or view.expert_for is None:
        raise NotFound("No such round.")
    return view


def caucus_comments(session: Session, view: RoundView) -> list[Comment]:
    """The comments of the caucus the expert was appointed for (the policy's filter), oldest first."""
    return list(session.scalars(select(Comment).where(Comment.round_id == view.round.id, view.comment_filter())
                                .order_by(Comment.id)))
