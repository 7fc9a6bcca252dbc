"""The round as a workspace: which forms are open to this viewer now, each section's counts and what is new
since their last visit, and search inside a round.

Reading goes through the policy (`RoundView.comment_filter`: never another side's caucus); the only write is
the viewer's own reading mark (`mark_visited`), a cursor on what they have read rather than a change to the
round, so it appends no event to the round's log (one event per page view would fill the log and tell every
participant when each person reads).
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from consult.comments.models import Comment, CommentReaction, Reaction
from consult.db import utcnow
from consult.policy import SOCIAL_PARTNERS, RoundView
from consult.rounds.governance import Phase, phase_of
from consult.rounds.models import RoundStatus, RoundVisit
from consult.timeline.rules import workflow_of
from consult.workflow import engine

#: Search results shown at once (the newest first); the page says how many more matched.
RESULTS = 50


def open_to_post(session: Session, view: RoundView) -> dict[str, bool]:
    """Whether this viewer may post now in plenary and in their caucus: the same rules `post_comment` applies."""
    round = view.round
    shut = {"plenary": False, "caucus": False}
    if view.constituency is None or round.status == RoundStatus.PAUSED or phase_of(session, round) == Phase.CONCLUDED:
        return shut
    workflow = workflow_of(session, round)
    side = view.constituency.value
    return {"plenary": engine.plenary_action(workflow, round.stage, side) is not None,
            "caucus": view.constituency in SOCIAL_PARTNERS and engine.is_open(workflow, round.stage, "caucus", side)}


#: The viewer's reading mark, built once: every round page reads it (a statement's key is worked out once too).
_SEEN = select(RoundVisit.seen_comment_id).where(RoundVisit.round_id == bindparam("round_id"),
                                                 RoundVisit.user_id == bindparam("user_id"))


def last_seen(session: Session, view: RoundView) -> int | None:
    """The last comment id the round page showed this viewer (None: never visited)."""
    if view.user_id is None:
        return None
    return session.scalar(_SEEN, {"round_id": view.round.id, "user_id": view.user_id})


def mark_visited(session: Session, view: RoundView, seen_comment_id: int) -> None:
    """Remember that this viewer has now seen the round up to `seen_comment_id` (never moves backwards)."""
    if view.user_id is None:
        return
    where = (RoundVisit.round_id == view.round.id, RoundVisit.user_id == view.user_id)
    visit = session.scalar(select(RoundVisit).where(*where))
    if visit is None:
        try:
            with session.begin_nested():  # two tabs opening the round at once: the second updates
                session.add(RoundVisit(round_id=view.round.id, user_id=view.user_id, seen_comment_id=seen_comment_id,
                                       visited_at=utcnow()))
            return
        except IntegrityError:
            visit = session.scalar(select(RoundVisit).where(*where))
    visit.seen_comment_id = max(visit.seen_comment_id, seen_comment_id)
    visit.visited_at = utcnow()


def is_searching(query: dict) -> bool:
    """Whether the page was asked to search or filter (any filter given)."""
    return bool(query.get("q") or query.get("topic") or query.get("constituency") or query.get("unanswered")
                or query.get("mine"))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_comments(session: Session, view: RoundView, query: dict, section_ids: dict[str, int]
                    ) -> tuple[list[Comment], int]:
    """The comments of this round that this viewer may read and that match every filter, newest first
    (RESULTS at most), and how many matched in all.

    Text matches the comment's own words only, never an author's name or organisation (so a search cannot
    link a pseudonym to a person), and never the withheld text of a hidden comment. An unanswered question
    is a top-level comment that asks (a question mark, or a "question" reaction) and has no reply yet.
    """
    conditions = [Comment.round_id == view.round.id, view.comment_filter()]
    if not view.is_secretariat:
        conditions.append(Comment.is_hidden.is_(False))
    if query.get("q"):
        conditions.append(Comment.body.ilike(f"%{_escaped(query['q'])}%", escape="\\"))
    if query.get("topic"):
        conditions.append(Comment.section_id == section_ids.get(query["topic"], 0))
    if query.get("constituency"):
        conditions.append(Comment.author_constituency == query["constituency"])
    if query.get("mine"):
        conditions.append(Comment.author_id == (view.user_id or 0))
    if query.get("unanswered"):
        reply = aliased(Comment)
        asked = exists().where(CommentReaction.comment_id == Comment.id, CommentReaction.kind == Reaction.QUESTION)
        conditions += [Comment.parent_id.is_(None), or_(Comment.body.contains("?"), asked),
                       ~exists().where(reply.parent_id == Comment.id)]
    where = and_(*conditions)
    total = session.scalar(select(func.count()).select_from(Comment).where(where)) or 0
    found = session.scalars(select(Comment).where(where).order_by(Comment.id.desc()).limit(RESULTS)).unique().all()
    return list(found), total
