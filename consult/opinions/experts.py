"""Appointing an expert for a constituency, ending the appointment, recording the expert's costs, and what the
expert may read.

The appointment is the constituency's decision: its named signatory records it, or the secretariat on its
behalf, with what a CSE's vote states (Code du travail L2315-94 and the case law on it): why an expert, which
firm or person, the brief, and the member in charge; optionally the date its term ends. The expert is a person
outside the round's organisations; the appointment gives them the information package and the appointing
constituency's caucus (consult/policy/), nothing else, for its term only: it ends by a decision (with its
reason), at the end date, at the round's conclusion, or when the person's account is deactivated; an ended
appointment never starts again. Appointing one can move a legal clock: the workflow's extensions react to
`expert.appointed` (consult/opinions/clocks.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, User
from consult.comments.models import Comment
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, Invalid, NotFound
from consult.events.services import append_event, lock_round
from consult.opinions.models import Expert, ExpertCost
from consult.policy import PARTICIPANTS, RoundView, view_round
from consult.public_ids import by_reference, new_public_id
from consult.rounds import governance
from consult.rounds.models import Round, Signatory
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of

DECISION, DEACTIVATED, END_DATE, CONCLUSION = "decision", "deactivated", "end_date", "conclusion"


def _deciding(session: Session, view: RoundView, action: str, constituency: str | None) -> str:
    """The constituency a decision about its expert is for (403 for a role the table never lets take it, 409 for a
    phase that forbids it): the viewer's own, or the one the secretariat names on that constituency's behalf.
    The stage, where the row has one, is the caller's to ask (`governance.require_stage`), for that constituency."""
    if view.is_secretariat:
        governance.require(session, view, action, stage=False)
        if constituency is None:
            raise Invalid("Say for which constituency.", fields={"constituency": [
                "The secretariat records the decision on behalf of one constituency: name it."]})
        return constituency
    own = view.constituency.value
    if constituency not in (None, own):
        raise Forbidden(governance.RULES[action].refused)
    governance.require(session, view, action, own, stage=False)
    return own


def _require_signatory(session: Session, view: RoundView) -> None:
    """A constituency's decision is recorded by its named signatory (or the secretariat on its behalf)."""
    if view.is_secretariat:
        return
    own = view.constituency.value
    signatory = session.scalar(select(Signatory.user_id).where(Signatory.round_id == view.round.id,
                                                               Signatory.constituency == view.constituency))
    if signatory != view.user_id:
        raise Forbidden(f"Only the {own}' named signatory records this decision of the {own} (or the secretariat "
                        "on their behalf): name a signatory first (on the round's people page).")


def end_of_day(round: Round, day: date) -> datetime:
    """24:00 of `day` in the round's time zone, as a UTC instant."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(round.time_zone or "UTC")).astimezone(UTC)


def appoint_expert(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> Expert:
    """A constituency's decision to appoint an expert, as the workflow opens it to them."""
    view = get_visible_round(session, actor, round_id, lock=True)
    constituency = _deciding(session, view, "appoint_expert", data.get("constituency"))
    governance.require_stage(session, view, "appoint_expert", constituency)
    _require_signatory(session, view)
    expert = session.get(User, data["expert_user_id"])
    if expert is None or not expert.is_active:
        raise Invalid("No such person.", fields={"expert_user_id": ["No active account with this id."]})
    if view_round(session, expert, view.round).is_participant:
        raise Invalid("The expert must come from outside the round: their organisation takes part in it.",
                      fields={"expert_user_id": ["A participant of the round cannot be appointed its expert."]})
    if session.scalar(select(Expert.id).where(Expert.round_id == round_id, Expert.user_id == expert.id)):
        raise Conflict(f"{expert.display_name} was appointed in this round already; an ended appointment is "
                       "not restarted.")
    member = session.get(User, data["member_in_charge_user_id"])
    if member is None or member.constituency.value != constituency or \
            not view_round(session, member, view.round).is_participant:
        raise Invalid("The member in charge is one of the appointing constituency's representatives.",
                      fields={"member_in_charge_user_id": [f"No invited {constituency} representative with this id."]})
    ends_on = data.get("ends_on")
    ends_at = end_of_day(view.round, ends_on) if ends_on else None
    if ends_at is not None and ends_at <= utcnow():
        raise Invalid("The end date has passed.", fields={"ends_on": ["Give today or a later day."]})
    appointment = Expert(public_id=new_public_id("e"), round_id=round_id, constituency=Constituency(constituency),
                         user_id=expert.id,
                         firm=data["firm"], reason=data["reason"], brief=data["brief"], member_in_charge_id=member.id,
                         appointed_by_id=actor.id, ends_on=ends_on, ends_at=ends_at)
    session.add(appointment)
    session.flush()
    # The member in charge is not in the event: every participant receives it, and a masked worker is named
    # only to those the policy lets see them (the procedure's `present_expert`).
    append_event(session, view.round, "expert.appointed", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"expert_id": appointment.public_id, "constituency": constituency, "name": expert.display_name,
                          "firm": appointment.firm, "reason": appointment.reason,
                          "ends_on": ends_on.isoformat() if ends_on else None})
    return appointment


def _appointment(session: Session, round: Round, expert_ref: str | int) -> Expert:
    appointment = by_reference(session, Expert, round.id, expert_ref)
    if appointment is None:
        raise NotFound("No such expert in this round.")
    return appointment


def term_of(session: Session, expert: Expert, round: Round, now: datetime | None = None) -> dict[str, Any]:
    """The appointment's term: whether it runs, and if not, how and when it ended."""
    now = now or utcnow()
    how, ended_at = expert.ended_how, expert.ended_at
    if how is None and governance.is_concluded(session, round):
        how = CONCLUSION
    elif how is None and expert.ends_at is not None and expert.ends_at <= now:
        how, ended_at = END_DATE, expert.ends_at
    return {"active": how is None, "ends_on": expert.ends_on.isoformat() if expert.ends_on else None,
            "ended_how": how, "ended_at": ended_at.isoformat() if ended_at else None, "end_reason": expert.end_reason}


def end_expert(session: Session, actor: User, round_id: int, expert_id: str | int, reason: str) -> Expert:
    """The appointing constituency's decision (its signatory, or the secretariat on its behalf) to end an
    appointment, with its reason; the caller cuts the expert's sockets after the commit."""
    view = get_visible_round(session, actor, round_id, lock=True)
    appointment = _appointment(session, view.round, expert_id)
    constituency = appointment.constituency.value
    _deciding(session, view, "end_expert", constituency)
    _require_signatory(session, view)
    if not term_of(session, appointment, view.round)["active"]:
        raise Conflict("This appointment has ended already.")
    _end(session, view.round, appointment, actor.id, DECISION, reason)
    return appointment


def _end(session: Session, round: Round, appointment: Expert, actor_id: int | None, how: str, reason: str) -> None:
    appointment.ended_at, appointment.ended_how, appointment.end_reason = utcnow(), how, reason
    append_event(session, round, "expert.ended", actor_id=actor_id, audience=PARTICIPANTS,
                 payload={"expert_id": appointment.public_id, "constituency": appointment.constituency.value,
                          "name": appointment.user.display_name, "how": how, "reason": reason})


def end_appointments_of(session: Session, actor: User, person: User) -> list[int]:
    """A deactivated person's running appointments end (reactivating them restores none): the rounds touched."""
    rounds = []
    running = session.scalars(select(Expert).where(Expert.user_id == person.id, Expert.ended_at.is_(None))
                              .order_by(Expert.round_id)).all()
    for appointment in running:
        round = lock_round(session, appointment.round_id)
        if round is None or not term_of(session, appointment, round)["active"]:
            continue
        _end(session, round, appointment, actor.id, DEACTIVATED, "The expert's account was deactivated.")
        rounds.append(round.id)
    return rounds


def record_cost(session: Session, actor: User, round_id: int, expert_id: str | int, data: dict[str, Any]) -> ExpertCost:
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
                 payload={"expert_id": appointment.public_id, "amount_minor": cost.amount_minor,
                          "currency": cost.currency, "description": cost.description})
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
    """The expert's own view of a round; 404 for anyone who is not an expert appointed in it for a term that
    still runs (`view_round` drops ended and expired appointments; the round's conclusion ends them here)."""
    round = session.get(Round, round_id)
    view = view_round(session, user, round) if round is not None else None
    if view is None or view.expert_for is None or governance.is_concluded(session, round):
        raise NotFound("No such round.")
    return view


def expert_briefs(session: Session, user: User) -> list[Round]:
    """The rounds whose brief the person may open as an appointed expert (`get_expert_view`), for the dashboard:
    an expert outside the invited organisations has no other way to it."""
    rounds = session.scalars(select(Round).join(Expert, Expert.round_id == Round.id).where(
        Expert.user_id == user.id).order_by(Round.id))
    briefs = []
    for round in rounds:
        try:
            get_expert_view(session, user, round.id)
        except NotFound:
            continue
        briefs.append(round)
    return briefs


def caucus_comments(session: Session, view: RoundView) -> list[Comment]:
    """The comments of the caucus the expert was appointed for (the policy's filter), oldest first."""
    return list(session.scalars(select(Comment).where(Comment.round_id == view.round.id, view.comment_filter())
                                .order_by(Comment.id)))
