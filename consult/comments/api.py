"""The API's comment routes."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.api.fields import page_of
from consult.api.pagination import paginate
from consult.api.routing import route
from consult.api.session import db_session
from consult.comments import services
from consult.comments.limits import check_posting_rate
from consult.comments.models import Comment, CommentRevision
from consult.comments.schemas import CommentEditIn, CommentIn, CommentOut, CommentQuery, HideIn, ReactionIn, RevisionOut
from consult.policy import aliases_of, is_masked, present_comment
from consult.rounds.models import Section
from consult.rounds.services import get_visible_round

CommentPage = page_of(CommentOut, "CommentPage")


@route("/rounds/<int:round_id>/comments", summary="Comments I may read", tag="comments", query=CommentQuery,
       response=CommentPage, errors=(404, 422))
def list_comments(round_id: int, query):
    """Comments of a round in the order they were posted: plenary, and the caucuses the viewer may read."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    statement = select(Comment).where(Comment.round_id == round_id, view.comment_filter())
    if query["section"]:
        statement = statement.join(Section).where(Section.key == query["section"])
    if query["channel"]:
        statement = statement.where(Comment.channel == query["channel"])
    aliases = aliases_of(session, round_id)

    def present(rows: list[Comment]) -> list[dict]:
        ids = [c.id for c in rows]
        tallies, revisions = services.tallies_of(session, ids), services.revision_counts(session, ids)
        return [present_comment(view, c, aliases, tallies, revisions) for c in rows]

    return paginate(session, statement, Comment.id, query, present, public=Comment.public_id)


@route("/rounds/<int:round_id>/comments/<comment_id>", summary="One comment", tag="comments",
       response=CommentOut, errors=(404,))
def get_comment(round_id: int, comment_id: str):
    """A comment, if the viewer may read it."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    comment = services.visible_comment(session, view, comment_id)
    return present_comment(view, comment, aliases_of(session, round_id), services.tallies_of(session, [comment.id]),
                           services.revision_counts(session, [comment.id]))


@route("/rounds/<int:round_id>/comments", "POST", summary="Post a comment", tag="comments", body=CommentIn,
       response=CommentOut, status=201, errors=(403, 404, 409, 413, 422, 429))
def post_comment(round_id: int, body):
    """Post on a section, in plenary or in my own constituency's caucus."""
    session = db_session()
    user = require_user()
    check_posting_rate(user.id)
    comment = services.post_comment(session, user, round_id, body)
    return _present_one(session, user, round_id, comment, is_new=True)


def _present_one(session, user, round_id: int, comment: Comment, *, is_new: bool = False) -> dict:
    """The comment as its requester sees it now; a new one has no reactions or revisions to count."""
    view = get_visible_round(session, user, round_id)
    masked = is_masked(view.round, comment.author_constituency, view.constituency)
    aliases = aliases_of(session, round_id) if masked else {}
    if is_new:
        return present_comment(view, comment, aliases)
    return present_comment(view, comment, aliases, services.tallies_of(session, [comment.id]),
                           services.revision_counts(session, [comment.id]))


@route("/rounds/<int:round_id>/comments/<comment_id>", "PUT", summary="Edit my comment", tag="comments",
       body=CommentEditIn, response=CommentOut, errors=(403, 404, 409, 413, 422, 429))
def edit_comment(round_id: int, comment_id: str, body):
    """The author rewrites their comment; everyone who can read it can read its history."""
    session = db_session()
    user = require_user()
    check_posting_rate(user.id)
    comment = services.edit_comment(session, user, round_id, comment_id, body["body"])
    return _present_one(session, user, round_id, comment)


@route("/rounds/<int:round_id>/comments/<comment_id>/revisions", summary="A comment's earlier versions",
       tag="comments", response=RevisionOut, many=True, errors=(404,))
def list_revisions(round_id: int, comment_id: str):
    """Earlier versions, oldest first; a hidden comment's history is the secretariat's only."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    comment = services.visible_comment(session, view, comment_id)
    if comment.is_hidden and not view.is_secretariat:
        return []
    return session.scalars(select(CommentRevision).where(CommentRevision.comment_id == comment.id)
                           .order_by(CommentRevision.id)).all()


@route("/rounds/<int:round_id>/comments/<comment_id>/hide", "POST", summary="Hide a comment (moderation)",
       tag="comments", body=HideIn, response=CommentOut, errors=(403, 404, 409, 422))
def hide_comment(round_id: int, comment_id: str, body):
    """The secretariat hides a comment with a reason; a tombstone with the reason stays in the thread."""
    session = db_session()
    user = require_user()
    comment = services.hide_comment(session, user, round_id, comment_id, body["reason"])
    return _present_one(session, user, round_id, comment)


@route("/rounds/<int:round_id>/comments/<comment_id>/reaction", "PUT", summary="React to a comment",
       tag="comments", body=ReactionIn, response=CommentOut, errors=(404, 409, 422))
def react(round_id: int, comment_id: str, body):
    """Agree, disagree or question; `null` takes my reaction back. Tallies are per constituency."""
    session = db_session()
    user = require_user()
    comment = services.react(session, user, round_id, comment_id, body["kind"])
    return _present_one(session, user, round_id, comment)
