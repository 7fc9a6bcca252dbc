"""The dashboard and the round page, with a plain form for comments (works without JavaScript)."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.api.routing import load_input
from consult.api.session import db_session
from consult.comments.limits import check_posting_rate
from consult.comments.models import Comment
from consult.comments.schemas import CommentIn
from consult.comments.services import post_comment, revision_counts, tallies_of
from consult.errors import Invalid
from consult.policy import aliases_of, present_comment
from consult.rounds.models import Participant, Round
from consult.rounds.services import get_visible_round
from consult.web import pages


@pages.route("/")
@login_required
def dashboard():
    """My rounds, with each one's stage."""
    user = require_user()
    mine = select(Participant.round_id).where(
        Participant.organisation_id == user.organisation_id, Participant.removed_at.is_(None))
    rounds = db_session().scalars(select(Round).where(Round.id.in_(mine)).order_by(Round.id.desc())).unique().all()
    from consult.outcomes.followup_api import my_commitments

    overdue = [c for c in my_commitments(user) if c.status == "overdue"]
    return render_template("dashboard.html", rounds=rounds, user=user, overdue=overdue)


def _render_round(round_id: int, *, errors: dict | None = None, draft: dict | None = None, status: int = 200):
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    aliases = aliases_of(session, round_id)
    comments = session.scalars(select(Comment).where(Comment.round_id == round_id, view.comment_filter())
                               .order_by(Comment.id)).unique().all()
    ids = [c.id for c in comments]
    tallies, revisions = tallies_of(session, ids), revision_counts(session, ids)
    threads: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for comment in comments:
        shown = present_comment(view, comment, aliases, tallies, revisions)
        threads[(shown["section"], shown["channel"])].append(shown)
    threads = {key: as_tree(items) for key, items in threads.items()}
    from consult.timeline.api import present_timeline

    return render_template("round.html", view=view, round=view.round, threads=threads, errors=errors or {},
                           timeline=present_timeline(view.round), zone=ZoneInfo(view.round.time_zone),
                           draft=draft or {}), status


#: Replies deeper than this are shown at this depth, in order, so a long exchange stays readable.
MAX_DEPTH = 3


def as_tree(comments: list[dict]) -> list[dict]:
    """Comments in reading order (each reply after its parent) with a display depth capped at MAX_DEPTH."""
    children: dict[int | None, list[dict]] = defaultdict(list)
    present = {c["id"] for c in comments}
    for comment in comments:
        parent = comment["parent_id"] if comment["parent_id"] in present else None
        children[parent].append(comment)
    ordered: list[dict] = []
    stack = [(c, 0) for c in reversed(children[None])]
    while stack:
        comment, depth = stack.pop()
        ordered.append({**comment, "depth": min(depth, MAX_DEPTH)})
        stack.extend((child, depth + 1) for child in reversed(children[comment["id"]]))
    return ordered


@pages.route("/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    """The plan, its sections and their threads."""
    return _render_round(round_id)


@pages.route("/rounds/<int:round_id>/comments", methods=["POST"])
@login_required
def post_comment_form(round_id: int):
    """Post a comment from the plain form, then show it in its thread."""
    form = {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
    session = db_session()
    try:
        data = load_input(CommentIn(), form)
        check_posting_rate(require_user().id)
        comment = post_comment(session, require_user(), round_id, data)
    except Invalid as error:
        session.rollback()
        return _render_round(round_id, errors=error.fields, draft=form, status=422)
    session.commit()
    return redirect(url_for("pages.round_page", round_id=round_id, _anchor=f"comment-{comment.id}"))
