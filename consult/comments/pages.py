"""Comment actions from plain forms (no JavaScript needed): post or reply, edit my comment, react.

Each goes through `handle_form` with the API's schema and service; a refused form shows its page again
with the text kept and the problem named.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from marshmallow import Schema, fields, validate

from consult.accounts.auth import require_user
from consult.api.routing import load_input
from consult.api.session import db_session
from consult.comments.limits import check_posting_rate
from consult.comments.models import Comment
from consult.comments.schemas import CommentEditIn, CommentIn, ReactionIn
from consult.comments.services import edit_comment, post_comment, react, tallies_of, visible_comment
from consult.comments.threads import MAX_DEPTH, comment_labels, my_reactions, revisions_of
from consult.errors import ConsultError, Forbidden, NotFound
from consult.policy import aliases_of, present_comment
from consult.rounds.anonymity import anonymity_before_posting
from consult.rounds.pages import render_round
from consult.rounds.services import get_visible_round
from consult.web import pages
from consult.web.forms import form_fields, handle_form


def _in_thread(comment: Comment) -> str:
    """The round page at a comment, with its section's thread (and channel) selected."""
    return url_for("pages.round_page", round_id=comment.round_id, section=comment.section.key,
                   channel=comment.channel.value, _anchor=f"comment-{comment.public_id}")


def _shown(round_id: int, comment_id: str) -> tuple:
    """The viewer's view of the round and the comment as the policy shows it to them (404 if they may not)."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    comment = visible_comment(session, view, comment_id)
    history = revisions_of(session, [comment.id])
    shown = present_comment(view, comment, aliases_of(session, round_id), tallies_of(session, [comment.id]),
                            {k: len(v) for k, v in history.items()})
    shown["history"] = history.get(comment.id, []) if shown["revisions"] else []
    return view, comment, shown


def _render_comment_page(template: str, round_id: int, comment_id: str, *, problem: ConsultError | None = None,
                         draft: dict | None = None, status: int = 200):
    view, comment, shown = _shown(round_id, comment_id)
    if template == "comment_edit.html" and comment.author_id != view.user_id:
        raise Forbidden(gettext("Only the author edits a comment."))
    return render_template(template, view=view, round=view.round, comment=shown, problem=problem,
                           draft=draft or {}, zone=ZoneInfo(view.round.time_zone),
                           labels=comment_labels(), anonymity=anonymity_before_posting(db_session(), view)), status


@pages.route("/rounds/<int:round_id>/comments", methods=["POST"])
@login_required
def post_comment_form(round_id: int):
    """Post a comment or a reply (with `parent_id`) from the plain form, then show it in its thread."""
    user = require_user()

    def action(session, data):
        check_posting_rate(user.id)
        return post_comment(session, user, round_id, data)

    def again(form, error):
        parent = form.get("parent_id")
        if isinstance(parent, str) and parent:
            try:
                return _render_comment_page("comment_reply.html", round_id, parent, problem=error, draft=form,
                                            status=error.status)
            except NotFound:  # no such comment to reply to: the round page names the problem
                pass
        return render_round(round_id, problem=error, draft=form, status=error.status)

    return handle_form(CommentIn(), action, done=_in_thread, again=again, form=form_fields(),
                       saved=gettext("Your comment is posted."))


@pages.route("/rounds/<int:round_id>/comments/<comment_id>/reply")
@login_required
def reply_page(round_id: int, comment_id: str):
    """A comment and a form to reply to it."""
    return _render_comment_page("comment_reply.html", round_id, comment_id)


@pages.route("/rounds/<int:round_id>/comments/<comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment_page(round_id: int, comment_id: str):
    """The author rewrites their comment; the earlier text stays in its history."""
    user = require_user()
    if request.method == "GET":
        return _render_comment_page("comment_edit.html", round_id, comment_id)

    def action(session, data):
        check_posting_rate(user.id)
        return edit_comment(session, user, round_id, comment_id, data["body"])

    return handle_form(CommentEditIn(), action, done=_in_thread, saved=gettext("Your comment is changed."),
                       again=lambda form, error: _render_comment_page("comment_edit.html", round_id, comment_id,
                                                                      problem=error, draft=form, status=error.status))


@pages.route("/rounds/<int:round_id>/comments/<comment_id>/reaction", methods=["POST"])
@login_required
def react_form(round_id: int, comment_id: str):
    """Agree, disagree or question a comment (`kind=none` takes my reaction back)."""
    user = require_user()
    form = form_fields()
    if form.get("kind") == "none":
        form["kind"] = None
    return handle_form(ReactionIn(), lambda session, data: react(session, user, round_id, comment_id, data["kind"]),
                       done=_in_thread, form=form,
                       again=lambda posted, error: render_round(round_id, problem=error, status=error.status))


class FragmentQuery(Schema):
    """How deep the live page shows the comment it asks for (its place in the thread): ?depth=2."""

    depth = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_DEPTH))


@pages.route("/rounds/<int:round_id>/comments/<comment_id>/fragment")
@login_required
def comment_fragment(round_id: int, comment_id: str):
    """One comment as the round page shows it (the same macro, with its buttons, organisation and time), for
    live.js to put in place of a pushed comment; the policy decides what this viewer sees, as on the page."""
    depth = load_input(FragmentQuery(), request.args.to_dict())["depth"]
    view, comment, shown = _shown(round_id, comment_id)
    shown["my_reaction"] = my_reactions(db_session(), view, [comment.id]).get(comment.id)
    shown["depth"] = depth
    return render_template("_comment_fragment.html", view=view, round=view.round, comments=[shown],
                           zone=ZoneInfo(view.round.time_zone), labels=comment_labels())
