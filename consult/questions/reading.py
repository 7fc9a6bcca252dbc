"""Questions as one viewer may see them (API, pages, dashboard, the outcome)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.policy import RoundView, aliases_of, present_comment
from consult.questions.models import Question, QuestionState


def present_question(view: RoundView, question: Question, aliases: dict[int, int],
                     names: dict[int, str]) -> dict[str, Any]:
    """A question: the comment's text and author as the policy shows them, the state, the answer."""
    comment = present_comment(view, question.comment, aliases)
    withdrawn_by = None
    if question.withdrawn_by_id is not None:
        withdrawn_by = "asker" if question.withdrawn_by_id == question.comment.author_id else "secretariat"
    return {"id": question.public_id, "comment_id": comment["id"], "section": comment["section"],
            "state": question.state.value, "asked_by": comment["author"], "body": comment["body"],
            "body_html": comment["body_html"], "asked_at": question.asked_at, "answer": question.answer,
            "answer_html": question.answer_html, "answered_by": names.get(question.answered_by_id or 0),
            "answered_at": question.answered_at, "withdrawn_at": question.withdrawn_at,
            "withdrawn_by": withdrawn_by, "withdraw_reason": question.withdraw_reason}


def list_questions(session: Session, view: RoundView, state: QuestionState | None = None) -> list[dict[str, Any]]:
    """The round's questions, oldest first (all plenary: every participant reads them)."""
    statement = select(Question).where(Question.round_id == view.round.id).order_by(Question.id)
    if state is not None:
        statement = statement.where(Question.state == state)
    questions = list(session.scalars(statement).unique())
    answerers = {q.answered_by_id for q in questions if q.answered_by_id}
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(answerers))).all()) \
        if answerers else {}
    aliases = aliases_of(session, view.round.id)
    return [present_question(view, q, aliases, names) for q in questions if view.may_see_comment(q.comment)]


def open_counts(session: Session, round_ids: list[int]) -> dict[int, int]:
    """How many questions are open per round, in one query (the dashboard)."""
    if not round_ids:
        return {}
    rows = session.execute(select(Question.round_id, func.count()).where(
        Question.round_id.in_(round_ids), Question.state == QuestionState.OPEN).group_by(Question.round_id))
    return dict(rows.all())
