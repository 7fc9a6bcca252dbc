"""The API's question routes: list, ask, answer, withdraw."""

from __future__ import annotations

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.comments.limits import check_posting_rate
from consult.questions import services
from consult.questions.models import Question
from consult.questions.reading import list_questions
from consult.questions.schemas import AnswerIn, QuestionIn, QuestionOut, QuestionQuery, WithdrawIn
from consult.rounds.services import get_visible_round


def _one(round_id: int, question: Question) -> dict:
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    return next(q for q in list_questions(session, view) if q["id"] == question.public_id)


@route("/rounds/<int:round_id>/questions", summary="Questions to the employer", tag="questions",
       query=QuestionQuery, response=QuestionOut, many=True, errors=(404, 422))
def get_questions(round_id: int, query):
    """Every question of the round with its state and answer; `state=open` for what is still open."""
    session = db_session()
    return list_questions(session, get_visible_round(session, require_user(), round_id), query["state"])


@route("/rounds/<int:round_id>/questions", "POST", summary="Ask the employer a question", tag="questions",
       body=QuestionIn, response=QuestionOut, status=201, errors=(403, 404, 409, 422, 429))
def ask(round_id: int, body):
    """A question on a section, posted in plenary; it stays open until answered or withdrawn."""
    user = require_user()
    check_posting_rate(user.id)
    question = services.ask_question(db_session(), user, round_id, body)
    return _one(round_id, question)


@route("/rounds/<int:round_id>/questions/<question_id>/answer", "POST", summary="Answer a question",
       tag="questions", body=AnswerIn, response=QuestionOut, errors=(403, 404, 409, 422))
def answer(round_id: int, question_id: str, body):
    """The employer answers an open question."""
    question = services.answer_question(db_session(), require_user(), round_id, question_id, body["answer"])
    return _one(round_id, question)


@route("/rounds/<int:round_id>/questions/<question_id>/withdraw", "POST", summary="Withdraw a question",
       tag="questions", body=WithdrawIn, response=QuestionOut, errors=(403, 404, 409, 422))
def withdraw(round_id: int, question_id: str, body):
    """The asker withdraws their question, or the secretariat does with a reason."""
    question = services.withdraw_question(db_session(), require_user(), round_id, question_id, body["reason"])
    return _one(round_id, question)
