"""What the record says about a legal clock: the reading an uncertain extension follows, a company agreement's
délais, the BDESE notice that starts the clock, and the establishment CSEs' opinions of a two-level consultation.

Each is an event in the round's log, written by its service in the caller's transaction; the clock
(consult/opinions/clocks.py) reads them and is set again in the same transaction. Who may record each, and when,
is the governance table. An establishment CSE's opinion is due 7 days before the central CSE's deadline; at that
moment the scheduler records the missing ones as deemed negative (R2312-6 II). Those opinions are kept in their
own table (`establishment_opinions`, one per establishment), besides their events.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.errors import Conflict, Invalid
from consult.events.services import append_event
from consult.opinions.clocks import AGREEMENT_RECORDED, READING_RECORDED, clock_state
from consult.opinions.models import EstablishmentOpinion, Verdict
from consult.policy import PARTICIPANTS
from consult.rounds import governance
from consult.rounds.models import Round, RoundStatus
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of
from consult.workflow.calendar import end_of

BDESE_NOTIFIED = "bdese.notified"
BASIS = "Code du travail R2312-6 II"
TRANSMITTED, DEEMED = "establishment_opinion.transmitted", "establishment_opinion.deemed"


def _clock_stage(session: Session, round: Round):
    stage = workflow_of(session, round).stage(round.stage)
    if stage.clock is None:
        raise Conflict("The round's current stage has no legal clock.", stage=round.stage)
    return stage


def record_reading(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The secretariat records which reading of an uncertain next-working-day extension the round follows."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "record_clock_facts")
    stage = _clock_stage(session, view.round)
    jurisdiction = workflow_of(session, view.round).legal.jurisdiction
    if jurisdiction.next_working_day != "uncertain":
        raise Conflict("This workflow's law is not uncertain about a deadline on a non-working day: there is no "
                       "reading to choose.")
    payload = {"stage": stage.key, "reading": data["reading"], "reason": data["reason"], "basis": jurisdiction.basis}
    append_event(session, view.round, READING_RECORDED, actor_id=actor.id, audience=PARTICIPANTS, payload=payload)
    return payload


def record_agreement(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The secretariat records the company agreement whose délai replaces the defaults and their extensions."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "record_clock_facts")
    stage = _clock_stage(session, view.round)
    if stage.clock.agreement_basis is None:
        raise Conflict("This workflow's law sets the clock's length; an agreement cannot change it.")
    payload = {"stage": stage.key, "reference": data["reference"], "length": data["length"],
               "basis": stage.clock.agreement_basis}
    append_event(session, view.round, AGREEMENT_RECORDED, actor_id=actor.id, audience=PARTICIPANTS, payload=payload)
    return payload


def notify_bdese(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The employer records that the information is available in the BDESE: the clock may start from it."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "notify_bdese")
    stage = _clock_stage(session, view.round)
    if BDESE_NOTIFIED not in stage.clock.starts_with:
        raise Conflict("This workflow's clock does not start from the BDESE.")
    payload = {"stage": stage.key, "description": data["description"], "basis": "Code du travail R2312-5"}
    append_event(session, view.round, BDESE_NOTIFIED, actor_id=actor.id, audience=PARTICIPANTS, payload=payload)
    return payload


def establishment_deadline(session: Session, round: Round) -> datetime | None:
    """24:00 of the day 7 days (the clock's `establishment_opinions`) before the central CSE's last day."""
    stage = workflow_of(session, round).stage(round.stage)
    if stage.clock is None or stage.clock.establishment_opinions is None or not round.establishments:
        return None
    state = clock_state(session, round, stage)
    if state.governing is None or state.place is None:
        return None
    last = (state.governing - timedelta(seconds=1)).astimezone(state.place.zone_info).date()
    return end_of(last - timedelta(days=stage.clock.establishment_opinions.amount), state.place.time_zone)


def establishment_opinions(session: Session, round: Round) -> dict[str, dict]:
    """Each establishment's transmitted or deemed opinion (their table), by establishment."""
    rows = session.scalars(select(EstablishmentOpinion).where(EstablishmentOpinion.round_id == round.id)
                           .order_by(EstablishmentOpinion.id))
    return {row.establishment: {"establishment": row.establishment, "verdict": row.verdict.value,
                                "reasons": row.reasons, "is_deemed": row.is_deemed, "basis": row.basis,
                                "at": row.given_at.isoformat()} for row in rows}


def transmit_establishment_opinion(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> dict:
    """An establishment CSE's opinion, transmitted before its deadline (7 days before the central CSE's)."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "transmit_establishment_opinion", "workers")
    round = view.round
    _clock_stage(session, round)
    if data["establishment"] not in (round.establishments or []):
        raise Invalid("No such establishment in this consultation.", fields={"establishment": [
            f"Use one of: {', '.join(round.establishments or []) or 'none (a single-level consultation)'}."]})
    if data["establishment"] in establishment_opinions(session, round):
        raise Conflict("This establishment's opinion is in the record already; it stands as given.")
    due = establishment_deadline(session, round)
    if due is not None and utcnow() >= due:
        raise Conflict("The establishment's time limit has passed: its opinion is deemed negative (R2312-6 II).")
    payload = {"establishment": data["establishment"], "verdict": data["verdict"].value, "reasons": data["reasons"],
               "basis": BASIS}
    now = utcnow()  # the row and its event say the same moment
    session.add(EstablishmentOpinion(round_id=round.id, establishment=data["establishment"], verdict=data["verdict"],
                                     reasons=data["reasons"], is_deemed=False, basis=BASIS,
                                     transmitted_by_id=actor.id, given_at=now))
    session.flush()
    append_event(session, round, TRANSMITTED, actor_id=actor.id, audience=PARTICIPANTS, payload=payload, at=now)
    return payload


def deem_establishment_opinions(session: Session, round: Round, now: datetime) -> None:
    """At the establishments' deadline, each missing establishment opinion is deemed negative (R2312-6 II)."""
    if round.status != RoundStatus.OPEN:
        return
    due = establishment_deadline(session, round)
    if due is None or due > now:
        return
    recorded = establishment_opinions(session, round)
    for establishment in round.establishments:
        if establishment in recorded:
            continue
        reasons = ("No opinion was transmitted to the central CSE 7 days before its deadline: the establishment "
                   "CSE's opinion is deemed negative.")
        session.add(EstablishmentOpinion(round_id=round.id, establishment=establishment,
                                         verdict=Verdict.DEEMED_NEGATIVE, reasons=reasons, is_deemed=True,
                                         basis=BASIS, given_at=due))
        session.flush()
        append_event(session, round, DEEMED, actor_id=None, audience=PARTICIPANTS, payload={
            "establishment": establishment, "verdict": "deemed_negative", "deadline_at": due.isoformat(),
            "reasons": reasons, "basis": BASIS})


def establishment_wake(session: Session, round: Round) -> list[datetime]:
    """The establishments' deadline, so the scheduler wakes for it."""
    due = establishment_deadline(session, round) if round.status == RoundStatus.OPEN else None
    return [due] if due is not None and len(establishment_opinions(session, round)) < len(round.establishments) \
        else []
