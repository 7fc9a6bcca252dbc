"""After the round: progress on commitments, review reminders before due dates, overdue flags, follow-up rounds.

The scheduler wakes a concluded round for its commitments' review moments (30 and 7 days before the due
date, in the round's time zone) and for the first moment after the due date, when an unmet commitment is
flagged overdue. Each moment is recorded once, so a retry or a second scheduler never repeats it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, NotFound
from consult.events.services import append_event
from consult.outcomes.models import Commitment, CommitmentUpdate, OutcomeStatus
from consult.outcomes.services import live_outcome
from consult.policy import PARTICIPANTS
from consult.rounds import governance
from consult.rounds.duty_fields import plan_record
from consult.rounds.models import Participant, Round
from consult.rounds.schemas import PlanOut, RoundIn
from consult.rounds.services import get_visible_round, invite_organisation, open_round
from consult.timeline.clock import rearm
from consult.timeline.models import SentReminder
from consult.timeline.rules import workflow_of

#: Review reminders, in days before the due date; OVERDUE marks the moment after it.
REVIEW_DAYS = (30, 7)
OVERDUE = -1


def status_of(commitment: Commitment) -> str:
    """completed, overdue or open."""
    if commitment.completed_at:
        return "completed"
    if commitment.overdue_at:
        return "overdue"
    return "open"


def _local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _moments(commitment: Commitment, zone: str) -> dict[int, datetime]:
    """Review and overdue moments by offset key (days before; OVERDUE for the day after the due date)."""
    due = _local_midnight(commitment.due_on, zone)
    moments = {days: due - timedelta(days=days) for days in REVIEW_DAYS}
    moments[OVERDUE] = _local_midnight(commitment.due_on + timedelta(days=1), zone)
    return moments


def _tracked(session: Session, round: Round) -> list[Commitment]:
    """Open commitments of a signed outcome of a concluded round."""
    if not workflow_of(session, round).stage(round.stage).is_terminal:
        return []  # checked first: it costs no query, and most rounds the scheduler sees are not concluded
    outcome = live_outcome(session, round.id)
    if outcome is None or outcome.status != OutcomeStatus.SIGNED:
        return []
    return list(session.scalars(select(Commitment).where(Commitment.round_id == round.id,
                                                         Commitment.completed_at.is_(None))))


def _sent(session: Session, round: Round) -> set[tuple[str, int]]:
    return set(session.execute(select(SentReminder.stage, SentReminder.offset_seconds).where(
        SentReminder.round_id == round.id, SentReminder.stage.like("commitment:%"))).all())


def wake_moments(session: Session, round: Round) -> list[datetime]:
    """When the scheduler must look at this round's commitments next."""
    tracked = _tracked(session, round)
    sent = _sent(session, round) if tracked else set()
    return [moment for c in tracked for key, moment in _moments(c, round.time_zone).items()
            if (f"commitment:{c.id}", key) not in sent]


def handle_due(session: Session, round: Round, now: datetime) -> None:
    """Send the review reminders that are due and flag what is overdue, each once."""
    tracked = _tracked(session, round)
    if not tracked:
        return  # most rounds the scheduler sees: no query, nothing to flush
    sent = _sent(session, round)
    for commitment in tracked:
        mark = f"commitment:{commitment.id}"
        due = [(key, moment) for key, moment in _moments(commitment, round.time_zone).items()
               if moment <= now and (mark, key) not in sent]
        for key, _moment in due:
            session.add(SentReminder(round_id=round.id, stage=mark, offset_seconds=key, sent_at=now))
        keys = {key for key, _ in due}
        payload = {"commitment_id": commitment.id, "description": commitment.description,
                   "owner": commitment.owner.name, "kpi": commitment.kpi, "target": commitment.target,
                   "due_on": commitment.due_on.isoformat(), "latest_value": commitment.latest_value}
        if OVERDUE in keys:
            commitment.overdue_at = now
            append_event(session, round, "commitment.overdue", actor_id=None, audience=PARTICIPANTS, payload=payload)
        elif keys:
            days = min(keys)
            append_event(session, round, "commitment.review_due", actor_id=None, audience=PARTICIPANTS,
                         payload={**payload, "days_before": days})
    session.flush()



def _commitment(session: Session, round: Round, commitment_id: int) -> Commitment:
    commitment = session.get(Commitment, commitment_id)
    if commitment is None or commitment.round_id != round.id:
        raise NotFound(gettext("No such commitment."))
    return commitment


def post_update(session: Session, actor: User, round_id: int, commitment_id: int,
                data: dict[str, Any]) -> CommitmentUpdate:
    """The owner reports progress: the KPI's value, a note, links to evidence; `completes` declares it met."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    round = view.round
    governance.require(session, view, "report_progress")  # then its named condition: the owner reports
    commitment = _commitment(session, round, commitment_id)
    if actor.organisation_id != commitment.owner_organisation_id:
        raise Forbidden(gettext("Only %(owner)s, the commitment's owner, reports its progress.",
                                owner=commitment.owner.name))
    outcome = live_outcome(session, round.id)
    if outcome is None or outcome.status != OutcomeStatus.SIGNED:
        raise Conflict(gettext("Progress is reported on commitments of a signed outcome."), stage=round.stage)
    if commitment.completed_at:
        raise Conflict(gettext("This commitment was declared met already."))
    update = CommitmentUpdate(commitment_id=commitment.id, value=data["value"], note=data["note"],
                              evidence=list(data["evidence"]), completes=data["completes"], posted_by_id=actor.id)
    session.add(update)
    commitment.latest_value = data["value"]
    if data["completes"]:
        commitment.completed_at = utcnow()
    session.flush()
    append_event(session, round, "commitment.progress", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"commitment_id": commitment.id, "value": update.value, "note": update.note,
                          "evidence": update.evidence, "completes": update.completes})
    rearm(session, round, workflow_of(session, round))
    return update


def open_follow_up(session: Session, actor: User, round_id: int, commitment_id: int, title: str | None) -> Round:
    """Open a fast-track round about a commitment, with the original plan and parties, linked to the outcome."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    original = view.round
    governance.require(session, view, "follow_up")
    commitment = _commitment(session, original, commitment_id)
    outcome = live_outcome(session, original.id)
    if outcome is None or outcome.status != OutcomeStatus.SIGNED:
        raise Conflict(gettext("A follow-up round starts from a signed outcome."), stage=original.stage)
    plan = plan_record(PlanOut().dump(original.plan))
    plan["declares_high_risk"] = plan.pop("is_high_risk")
    plan["impact_statements"] = {s.key: s.impact_statement for s in original.sections if s.key != "system"}
    body = {
        "title": title or f"Follow-up: {commitment.description}"[:200],
        "workflow": "fast-track", "identity_policy": original.identity_policy.value,
        "language": original.language, "time_zone": original.time_zone, "is_public": original.is_public,
        "secretariat_sees_caucus": original.secretariat_sees_caucus,
        "required_constituencies": list(original.required_constituencies),
        "employer_organisation_id": original.employer_id,
        "plan": plan,
        **({"establishment_country": original.establishment_country} if original.establishment_country else {}),
        **({"establishment_region": original.establishment_region} if original.establishment_region else {}),
    }
    follow_up = open_round(session, actor, RoundIn().load(body), inherits_policy=True)
    follow_up.follow_up_of_round_id, follow_up.follow_up_of_commitment_id = original.id, commitment.id
    participants = session.scalars(select(Participant.organisation_id).where(
        Participant.round_id == original.id, Participant.removed_at.is_(None))).all()
    invited = {p.organisation_id for p in follow_up.participants}
    for organisation_id in participants:
        if organisation_id not in invited:
            invite_organisation(session, actor, follow_up.id, organisation_id)
    append_event(session, original, "commitment.follow_up_opened", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"commitment_id": commitment.id, "round_id": follow_up.id, "title": follow_up.title,
                          "outcome_digest": outcome.digest})
    return follow_up
