"""The API's comment routes."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.api.fields import page_of
from consult.api.pagination import paginate
from consult.api.routing import route
from consult.api.session import db_session
from consult.comments import services
from consult.comments.models import Comment
from consult.comments.schemas import CommentIn, CommentOut, CommentQuery
from consult.errors import NotFound
from consult.policy import aliases_of, present_comment
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
    return paginate(session, statement, Comment.id, query,
                    lambda rows: [present_comment(view, c, aliases) for c in rows])


@route("/rounds/<int:round_id>/comments/<int:comment_id>", summary="One comment", tag="comments",
       response=CommentOut, errors=(404,))
def get_comment(round_id: int, comment_id: int):
    """A comment, if the viewer may read it."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    comment = session.get(Comment, comment_id)
    if comment is None or comment.round_id != round_id or not view.may_see_comment(comment):
        raise NotFound("No such comment.")
    return present_comment(view, comment, aliases_of(session, round_id))


@route("/rounds/<int:round_id>/comments", "POST", summary="Post a comment", tag="comments", body=CommentIn,
       response=CommentOut, status=201, errors=(403, 404, 409, 413, 422))
def post_comment(round_id: int, body):
    """Post on a section, in plenary or in my own constituency's caucus."""
    session = db_session()
    user = require_user()
    comment = services.post_comment(session, user, round_id, body)
    view = get_visible_round(session, user, round_id)
    return present_comment(view, comment, aliases_of(session, round_id))
