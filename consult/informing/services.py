"""Listing the workers a plan affects and informing each of them: each write appends its event.

AI Act Art. 26(7) has the employer inform "the workers' representatives and the affected workers"; the
Platform Work Directive Art. 9(1) has the platform inform each person performing platform work. The
representatives are informed by the round itself; each listed worker gets the same information, by mail
through the outbox (sent after the commit) or as a printable letter the employer hands over. The events carry
counts and row ids only: names and addresses never enter the record that every party reads.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.db import utcnow
from consult.errors import Conflict
from consult.events.services import append_event
from consult.informing.models import AffectedWorker
from consult.notifications.outbox import enqueue
from consult.policy import PARTICIPANTS
from consult.rounds import governance
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of
from consult.workflow.duties import IndividualInformation

MAIL_KIND = "worker.informed"


def duty_of(session: Session, round: Round) -> IndividualInformation:
    """The workflow's individual-information duty; 409 when the workflow informs representatives only."""
    duty = workflow_of(session, round).duties.individual_information
    if duty is None:
        raise Conflict(gettext("This round's workflow informs the workers' representatives only: it lists no "
                               "affected workers."))
    return duty


def counts_of(session: Session, round_id: int) -> dict[str, int]:
    """How many workers are listed and how many were informed, by channel."""
    rows = session.execute(select(AffectedWorker.channel, func.count()).where(AffectedWorker.round_id == round_id)
                           .group_by(AffectedWorker.channel)).all()
    by = {channel: count for channel, count in rows}
    return {"listed": sum(by.values()), "informed": by.get("mail", 0) + by.get("letter", 0),
            "by_mail": by.get("mail", 0), "by_letter": by.get("letter", 0)}


def list_affected_workers(session: Session, actor: User, round_id: int, workers: list[dict[str, Any]]
                          ) -> list[AffectedWorker]:
    """The employer (or the secretariat) adds workers to the list of those the plan affects."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    governance.require(session, view, "list_affected_workers")
    duty_of(session, view.round)
    known = {email.lower() for email in session.scalars(select(AffectedWorker.email).where(
        AffectedWorker.round_id == round_id, AffectedWorker.email.is_not(None)))}
    repeated = sorted(w["email"] for w in workers if w.get("email") and w["email"].lower() in known)
    if repeated:
        raise Conflict(gettext("Nothing was saved: some of these addresses are listed already."),
                       fields={"workers": [gettext("%(email)s is listed already.", email=e) for e in repeated]})
    rows = [AffectedWorker(round_id=round_id, name=w["name"], email=w.get("email") or None, added_by_id=actor.id)
            for w in workers]
    session.add_all(rows)
    session.flush()
    append_event(session, view.round, "affected_workers.listed", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"added": len(rows), **counts_of(session, round_id)})
    return rows


def letter_text(round: Round, worker: AffectedWorker, duty: IndividualInformation) -> str:
    """The information each worker is given, in the round's language: the mail's text and the printed letter."""
    with force_locale(round.language or "en"):
        return render_template("mail/worker_information.txt", round=round, plan=round.plan, worker=worker,
                               duty=duty)


def inform_affected_workers(session: Session, actor: User, round_id: int) -> dict[str, int]:
    """Inform every listed worker not yet informed: a mail where they have an address, else a letter to print."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "inform_affected_workers")
    duty = duty_of(session, view.round)
    waiting = list(session.scalars(select(AffectedWorker).where(
        AffectedWorker.round_id == round_id, AffectedWorker.informed_at.is_(None)).order_by(AffectedWorker.id)))
    if not waiting:
        raise Conflict(gettext("Every listed worker has been informed already; list more workers first."))
    now = utcnow()
    with force_locale(view.round.language or "en"):
        subject = gettext("Information about an AI system at work: %(subject)s", subject=duty.subject)
    for worker in waiting:
        worker.informed_at = now
        if worker.email:
            message = enqueue(session, kind=MAIL_KIND, subject=subject[:200], to_address=worker.email,
                              to_name=worker.name, language=view.round.language,
                              text=letter_text(view.round, worker, duty))
            session.flush()
            worker.channel, worker.outbox_message_id = "mail", message.id
        else:
            worker.channel = "letter"
    session.flush()
    mailed = [w.id for w in waiting if w.channel == "mail"]
    letters = [w.id for w in waiting if w.channel == "letter"]
    append_event(session, view.round, "affected_workers.informed", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"basis": duty.basis, "mailed": len(mailed), "letters": len(letters),
                          "mailed_ids": mailed, "letter_ids": letters, **counts_of(session, round_id)})
    return {"mailed": len(mailed), "letters": len(letters)}
