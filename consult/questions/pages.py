"""The questions page: what was asked of the employer, its state and answer; forms to ask, answer, withdraw."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from consult.accounts.auth import require_user
from consult.api.session import db_session
from consult.errors import ConsultError
from consult.questions import services
from consult.questions.reading import list_questions
from consult.questions.schemas import AnswerIn, QuestionIn, WithdrawIn
from consult.rounds import governance
from consult.rounds.models import RoundStatus
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of
from consult.web import pages
from consult.web.forms import handle_form
from consult.workflow import engine


def _render(round_id: int, *, error: ConsultError | None = None, posted: dict | None = None):
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    questions = list_questions(session, view)
    may_ask = (governance.may(session, view, "ask_question") and view.round.status != RoundStatus.PAUSED
               and engine.is_open(workflow_of(session, view.round), view.round.stage, "ask", view.constituency.value))
    context = {"round": view.round, "view": view, "questions": questions, "error": error, "posted": posted or {},
               "open_count": sum(q["state"] == "open" for q in questions), "may_ask": may_ask,
               "may_answer": governance.may(session, view, "answer_question"),
               "may_withdraw_any": view.is_secretariat and governance.may(session, view, "withdraw_question",
                                                                            view.constituency.value),
               "me": view.user_id, "sections": view.round.sections}
    return render_template("questions.html", **context), error.status if error else 200


@pages.route("/rounds/<int:round_id>/questions")
@login_required
def questions_page(round_id: int):
    """Questions to the employer, open ones first in the count."""
    return _render(round_id)


def _done(round_id: int):
    return lambda _question: url_for("pages.questions_page", round_id=round_id)


def _again(round_id: int):
    return lambda posted, error: _render(round_id, error=error, posted=posted)


@pages.route("/rounds/<int:round_id>/questions", methods=["POST"])
@login_required
def ask_form(round_id: int):
    """Ask a question from the page."""
    return handle_form(QuestionIn(), lambda session, data: services.ask_question(session, require_user(), round_id,
                                                                                  data),
                       done=_done(round_id), again=_again(round_id), saved=_("Your question was posted."))


@pages.route("/rounds/<int:round_id>/questions/<question_id>/answer", methods=["POST"])
@login_required
def answer_form(round_id: int, question_id: str):
    """Answer a question from the page."""
    return handle_form(AnswerIn(), lambda session, data: services.answer_question(
        session, require_user(), round_id, question_id, data["answer"]),
        done=_done(round_id), again=_again(round_id), saved=_("The answer was posted."))


@pages.route("/rounds/<int:round_id>/questions/<question_id>/withdraw", methods=["POST"])
@login_required
def withdraw_form(round_id: int, question_id: str):
    """Withdraw a question from the page."""
    return handle_form(WithdrawIn(), lambda session, data: services.withdraw_question(
        session, require_user(), round_id, question_id, data["reason"]),
        done=_done(round_id), again=_again(round_id), saved=_("The question was withdrawn."))
