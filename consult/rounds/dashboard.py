"""The dashboard: my rounds with their stage and time left, and what waits for me. Reading only.

What waits for a person (each kind one query over all their rounds, so the page costs the same for 3 rounds
as for 300):
- questions to answer: in a round whose current stage opens answering to the person's constituency (the
  employer, in the information stage), top-level plenary comments by other constituencies posted since the
  stage began, not hidden, with no direct reply by anyone of the person's constituency yet;
- stances to record: while recording stances is open to the person's constituency, each section that has
  a drafted position and no stance of that constituency;
- signatures: the person is a named signatory and a frozen outcome has no signature of their constituency.
A paused round waits for no one (nothing is open while the clock stands still).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from consult.accounts.models import User
from consult.comments.models import Channel, Comment
from consult.outcomes.models import Outcome, OutcomeStatus, PositionVersion, Signature, Stance
from consult.questions.reading import open_counts
from consult.rounds.models import Participant, Round, RoundStatus, Section, Signatory
from consult.timeline.models import PlannedStage
from consult.workflow import engine


@dataclass
class Waiting:
    """What waits for one person, by kind."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    stances: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.questions or self.stances or self.signatures)


def my_rounds(session: Session, user: User, now: datetime) -> list[dict[str, Any]]:
    """The rounds my organisation takes part in, newest first, with the current stage's deadline and time left."""
    mine = select(Participant.round_id).where(Participant.organisation_id == user.organisation_id,
                                              Participant.removed_at.is_(None))
    rounds = session.scalars(select(Round).where(Round.id.in_(mine)).order_by(Round.id.desc())).unique().all()
    deadlines = dict(session.execute(
        select(PlannedStage.round_id, PlannedStage.deadline_at)
        .join(Round, and_(Round.id == PlannedStage.round_id, Round.stage == PlannedStage.key))
        .where(Round.id.in_(mine))).all())
    workflows = session.info["workflows"]
    questions = open_counts(session, [round.id for round in rounds])
    listed = []
    for round in rounds:
        deadline = deadlines.get(round.id)
        listed.append({"round": round, "stage_title": workflows[round.workflow].stage(round.stage).title,
                       "deadline_at": deadline, "open_questions": questions.get(round.id, 0),
                       "time_left": time_left(deadline, now) if deadline and round.status == RoundStatus.OPEN
                       else None})
    return listed


def time_left(deadline: datetime, now: datetime) -> str:
    """The time left before a deadline, in words: "3 days left", "5 hours left", "deadline passed"."""
    seconds = (deadline - now).total_seconds()
    if seconds <= 0:
        return gettext("Deadline passed")
    if seconds >= 86400:
        return ngettext("%(num)d day left", "%(num)d days left", int(seconds // 86400))
    if seconds >= 3600:
        return ngettext("%(num)d hour left", "%(num)d hours left", int(seconds // 3600))
    return ngettext("%(num)d minute left", "%(num)d minutes left", max(int(seconds // 60), 1))


def _open_to_me(session: Session, rounds: list[Round], action: str, user: User) -> list[int]:
    workflows = session.info["workflows"]
    return [r.id for r in rounds if r.status != RoundStatus.PAUSED
            and engine.is_open(workflows[r.workflow], r.stage, action, user.constituency.value)]


def waiting_for(session: Session, user: User, rounds: list[Round]) -> Waiting:
    """Questions to answer, stances to record and outcomes to sign, across all my rounds."""
    titles = {r.id: r.title for r in rounds}
    waiting = Waiting()
    answering = _open_to_me(session, rounds, "answer", user)
    if answering:
        reply = aliased(Comment)
        answered = select(reply.id).where(reply.parent_id == Comment.id,
                                          reply.author_constituency == user.constituency).exists()
        rows = session.execute(
            select(Comment.round_id, func.count(), func.min(Comment.id)).join(Round, Round.id == Comment.round_id)
            .where(Comment.round_id.in_(answering), Comment.parent_id.is_(None), Comment.channel == Channel.PLENARY,
                   Comment.author_constituency != user.constituency, Comment.is_hidden.is_(False),
                   Comment.created_at >= Round.stage_entered_at, ~answered)
            .group_by(Comment.round_id).order_by(Comment.round_id.desc()))
        rows = rows.all()
        named = dict(session.execute(select(Comment.id, Comment.public_id).where(
            Comment.id.in_([first for _rid, _count, first in rows]))).all()) if rows else {}
        waiting.questions = [{"round_id": rid, "round_title": titles[rid], "count": count, "first_id": named[first]}
                             for rid, count, first in rows]  # named by its public id, as the round page's anchors
    recording = _open_to_me(session, rounds, "stance", user)
    if recording:
        drafted = select(PositionVersion.id).where(PositionVersion.section_id == Section.id).exists()
        recorded = select(Stance.id).where(Stance.section_id == Section.id,
                                           Stance.constituency == user.constituency).exists()
        rows = session.execute(select(Section.round_id, Section.key, Section.title)
                               .where(Section.round_id.in_(recording), drafted, ~recorded)
                               .order_by(Section.round_id.desc(), Section.ordinal))
        waiting.stances = [{"round_id": rid, "round_title": titles[rid], "section": key, "section_title": title}
                           for rid, key, title in rows]
    if rounds:
        signing = set(_open_to_me(session, rounds, "sign", user))
        signed = select(Signature.id).where(Signature.outcome_id == Outcome.id,
                                            Signature.constituency == Signatory.constituency).exists()
        rows = session.execute(select(Outcome.round_id, Outcome.version, Outcome.digest)
                               .join(Signatory, Signatory.round_id == Outcome.round_id)
                               .where(Signatory.user_id == user.id, Outcome.status == OutcomeStatus.FROZEN,
                                      Outcome.round_id.in_(list(titles)), ~signed)
                               .order_by(Outcome.round_id.desc()))
        waiting.signatures = [{"round_id": rid, "round_title": titles[rid], "version": version, "digest": digest,
                               "open_now": rid in signing} for rid, version, digest in rows]
    return waiting
