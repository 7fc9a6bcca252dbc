"""Questions to the employer: ask (a plenary comment that is also a question), answer, withdraw; the gate.

A question is a comment like any other (its thread, its moderation, its author shown under the identity
policy) with a state beside it. Events, each to every participant:
- `question.asked`: payload question_id, comment_id, section; its actor is shown as `present_actor` says (a
  masked worker as the workers' side: the pseudonym stays on the comment);
- `question.answered`: by the employer, named;
- `question.withdrawn`: by the asker or the secretariat (with its reason).
The workflow gate `questions_answered` holds when no question of the round is open.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.comments.markdown import render_markdown
from consult.comments.models import Channel
from consult.comments.services import post_comment
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, NotFound
from consult.events.services import append_event
from consult.policy import PARTICIPANTS, RoundView
from consult.public_ids import by_reference, hold, new_public_id
from consult.questions.models import Question, QuestionState
from consult.rounds import governance
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round


def ask_question(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> Question:
    """Ask the employer a question on a section, in plenary, where the stage opens questions to the asker."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "ask_question")
    comment = post_comment(session, actor, round_id, {"section": data["section"], "body": data["body"],
                                                      "channel": Channel.PLENARY, "parent_id": None})
    question = Question(public_id=new_public_id("q"), round_id=view.round.id, comment=comment, state=QuestionState.OPEN,
                        asked_at=comment.created_at or utcnow())
    session.add(question)
    session.flush()
    hold(session, question)
    append_event(session, view.round, "question.asked", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"question_id": question.public_id, "comment_id": comment.public_id,
                          "section": comment.section.key})
    return question


def visible_question(session: Session, view: RoundView, question_ref: str | int) -> Question:
    """A question of this round a URL names (public id, or an old link's row id); 404 otherwise."""
    question = by_reference(session, Question, view.round.id, question_ref)
    if question is None or not view.may_see_comment(question.comment):
        raise NotFound("No such question.")
    return question


def _open_one(session: Session, view: RoundView, question_id: str | int) -> Question:
    question = visible_question(session, view, question_id)
    if question.state != QuestionState.OPEN:
        raise Conflict(f"This question is {question.state.value} already.", state=question.state.value)
    return question


def answer_question(session: Session, actor: User, round_id: int, question_id: str | int, answer: str) -> Question:
    """The employer answers an open question, once; the answer is Markdown, sanitised like a comment."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "answer_question")
    question = _open_one(session, view, question_id)
    question.state, question.answer, question.answer_html = QuestionState.ANSWERED, answer, render_markdown(answer)
    question.answered_by_id, question.answered_at = actor.id, utcnow()
    append_event(session, view.round, "question.answered", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"question_id": question.public_id, "comment_id": question.comment.public_id,
                          "answered_at": question.answered_at.isoformat()})
    return question


def withdraw_question(session: Session, actor: User, round_id: int, question_id: str | int, reason: str) -> Question:
    """The asker withdraws their open question, or the secretariat does; either says why."""
    view = get_visible_round(session, actor, round_id, lock=True)
    # The table's OWN is the asker's constituency: another side's question is the table's 403, before the phase.
    asked = by_reference(session, Question, round_id, question_id)
    asker = asked.comment.author_constituency.value if asked is not None else view.constituency.value
    governance.require(session, view, "withdraw_question", asker)
    question = _open_one(session, view, question_id)
    by_asker = question.comment.author_id == actor.id
    if not by_asker and not view.is_secretariat:
        raise Forbidden("Only the person who asked a question, or the secretariat, withdraws it.")
    question.state, question.withdrawn_by_id, question.withdrawn_at = QuestionState.WITHDRAWN, actor.id, utcnow()
    question.withdraw_reason = reason
    append_event(session, view.round, "question.withdrawn", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"question_id": question.public_id, "comment_id": question.comment.public_id,
                          "by": "asker" if by_asker else "secretariat", "reason": reason})
    return question


#: Built once: every round page counts the open questions.
_OPEN = select(Question.id).where(Question.round_id == bindparam("round_id"), Question.state == QuestionState.OPEN) \
    .order_by(Question.id)


def open_question_ids(session: Session, round_id: int) -> list[int]:
    """The round's questions still open, oldest first."""
    return list(session.scalars(_OPEN, {"round_id": round_id}))


def question_facts(session: Session, round: Round) -> dict[str, Any]:
    """The round's open questions, for the gate that waits for every answer."""
    return {"questions_open": open_question_ids(session, round.id)}


def question_facts_many(session: Session, rounds: list[Round]) -> dict[int, dict[str, Any]]:
    """`question_facts` of many rounds in one query (the clock judges hundreds at once)."""
    found: dict[int, list[int]] = {round.id: [] for round in rounds}
    for round_id, question_id in session.execute(
            select(Question.round_id, Question.id).where(Question.round_id.in_(list(found)),
                                                         Question.state == QuestionState.OPEN)
            .order_by(Question.id)):
        found[round_id].append(question_id)
    return {round_id: {"questions_open": ids} for round_id, ids in found.items()}
