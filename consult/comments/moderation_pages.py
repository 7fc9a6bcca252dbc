"""Moderation pages: the secretariat's list of recent comments across its rounds, and hiding one with a reason."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import and_, false, or_, select

from consult.accounts.auth import require_user
from consult.accounts.models import User
from consult.api.session import db_session
from consult.comments.models import Comment
from consult.comments.schemas import HideIn
from consult.comments.services import hide_comment, visible_comment
from consult.errors import ConsultError, Forbidden
from consult.policy import RoundView, aliases_of, present_comment, view_round
from consult.public_ids import by_reference
from consult.rounds import governance
from consult.rounds.models import Participant, Round
from consult.rounds.services import get_visible_round
from consult.web import pages
from consult.web.forms import field_errors, handle_form

#: Comments per page of the moderation list.
PAGE_SIZE = 30


def _require_secretariat() -> User:
    user = require_user()
    if not user.is_secretariat:
        raise Forbidden(_("Only the secretariat moderates."))
    return user


def _my_views(user: User) -> dict[int, RoundView]:
    """The policy's view of every round the person's organisation takes part in."""
    session = db_session()
    mine = select(Participant.round_id).where(Participant.organisation_id == user.organisation_id,
                                              Participant.removed_at.is_(None))
    rounds = session.scalars(select(Round).where(Round.id.in_(mine))).unique().all()
    return {round.id: view_round(session, user, round) for round in rounds}


def _visible(views: dict[int, RoundView]):
    """The SQL filter of the comments the policy lets this person read, round by round."""
    if not views:
        return false()
    return or_(*(and_(Comment.round_id == round_id, view.comment_filter()) for round_id, view in views.items()))


def _present(views: dict[int, RoundView], comments: list[Comment]) -> list[dict]:
    aliases = {round_id: aliases_of(db_session(), round_id) for round_id in {c.round_id for c in comments}}
    return [{**present_comment(views[c.round_id], c, aliases[c.round_id]), "round": views[c.round_id].round,
             "section_title": c.section.title, "hidden_at": c.hidden_at} for c in comments]


def _before() -> int | None:
    """The row id of the comment a page of older comments starts before (the link names it by public id)."""
    value = request.args.get("before", "")
    if not value or len(value) > 20:
        return None
    found = by_reference(db_session(), Comment, None, value)
    return found.id if found is not None else None


@pages.route("/moderation")
@login_required
def moderation_page():
    """The latest comments of my rounds, newest first, each with a link to hide it; and the hidden ones."""
    user = _require_secretariat()
    session = db_session()
    views = _my_views(user)
    visible = _visible(views)
    before = _before()
    statement = select(Comment).where(visible, Comment.is_hidden.is_(False))
    if before is not None:
        statement = statement.where(Comment.id < before)
    rows = session.scalars(statement.order_by(Comment.id.desc()).limit(PAGE_SIZE + 1)).unique().all()
    latest = rows[:PAGE_SIZE]
    older = latest[-1].public_id if len(rows) > PAGE_SIZE else None
    hidden = session.scalars(select(Comment).where(visible, Comment.is_hidden.is_(True))
                             .order_by(Comment.hidden_at.desc(), Comment.id.desc()).limit(PAGE_SIZE)).unique().all()
    return render_template("moderation.html", latest=_present(views, latest), hidden=_present(views, hidden),
                           older=older, is_first_page=before is None)


def _render_hide(round_id: int, comment_id: str, error: ConsultError | None = None, values: dict | None = None):
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    governance.require_role(view, "hide_comment")
    comment = visible_comment(session, view, comment_id)
    shown = present_comment(view, comment, aliases_of(session, round_id))
    return render_template("hide_comment.html", round=view.round, comment=shown, section_title=comment.section.title,
                           error=error, errors=field_errors(error.fields) if error else {},
                           values=values or {}), error.status if error else 200


@pages.route("/rounds/<int:round_id>/comments/<comment_id>/hide", methods=["GET", "POST"])
@login_required
def hide_comment_page(round_id: int, comment_id: str):
    """Show a comment and ask why it is to be hidden; hiding leaves a tombstone with the reason in its thread."""
    if request.method == "GET":
        return _render_hide(round_id, comment_id)
    user = require_user()
    return handle_form(HideIn(), lambda session, data: hide_comment(session, user, round_id, comment_id,
                                                                    data["reason"]),
                       done=lambda comment: url_for("pages.round_page", round_id=round_id,
                                                    _anchor=f"comment-{comment.public_id}"),
                       again=lambda posted, error: _render_hide(round_id, comment_id, error, posted),
                       saved=_("The comment is hidden; its thread shows the reason."))
