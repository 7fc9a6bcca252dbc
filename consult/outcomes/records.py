"""Open exports of a round's positions, stances and comments, as JSON or CSV, as the requester may see them."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from consult.accounts.auth import require_user, session_or_token
from consult.api.routing import load_input, route
from consult.api.session import db_session
from consult.comments.models import Comment
from consult.outcomes.models import PositionVersion, Stance
from consult.policy import RoundView, aliases_of, present_comment
from consult.rounds.services import get_visible_round
from consult.web import pages
from consult.web.csvdata import csv_response

KINDS = ("positions", "stances", "comments")
COLUMNS = {
    "positions": ["section", "version", "text", "drafted_at"],
    "stances": ["section", "constituency", "stance", "statement", "position_version", "recorded_at"],
    "comments": ["id", "section", "parent_id", "channel", "caucus", "author", "author_organisation",
                 "author_constituency", "body", "created_at", "edited_at", "is_hidden", "hidden_reason"],
}


class RecordsQuery(Schema):
    """Which records to export."""

    what = fields.String(load_default="comments", validate=validate.OneOf(KINDS))


class RecordsOut(Schema):
    """Rows of one kind, each a flat object with the columns of the CSV."""

    what = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.Dict())


def records(view: RoundView, what: str) -> list[dict[str, Any]]:
    """Flat rows the viewer may see: caucus comments only of their own caucus, authors under the identity policy."""
    session = db_session()
    round = view.round
    if what == "positions":
        rows = session.scalars(select(PositionVersion).where(PositionVersion.round_id == round.id)
                               .order_by(PositionVersion.section_id, PositionVersion.version))
        return [{"section": p.section.key, "version": p.version, "text": p.text,
                 "drafted_at": p.drafted_at.isoformat()} for p in rows]
    if what == "stances":
        rows = session.scalars(select(Stance).where(Stance.round_id == round.id)
                               .order_by(Stance.section_id, Stance.constituency))
        return [{"section": s.section.key, "constituency": s.constituency.value, "stance": s.stance.value,
                 "statement": s.statement, "position_version": s.position_version,
                 "recorded_at": s.recorded_at.isoformat()} for s in rows]
    aliases = aliases_of(session, round.id)
    comments = session.scalars(select(Comment).where(Comment.round_id == round.id, view.comment_filter())
                               .order_by(Comment.id)).unique()
    flat = []
    for comment in comments:
        shown = present_comment(view, comment, aliases)
        flat.append({"id": shown["id"], "section": shown["section"], "parent_id": shown["parent_id"],
                     "channel": shown["channel"], "caucus": shown["caucus"], "author": shown["author"]["name"],
                     "author_organisation": shown["author"]["organisation"],
                     "author_constituency": shown["author"]["constituency"], "body": shown["body"],
                     "created_at": shown["created_at"].isoformat(),
                     "edited_at": shown["edited_at"].isoformat() if shown["edited_at"] else None,
                     "is_hidden": shown["is_hidden"], "hidden_reason": shown["hidden_reason"]})
    return flat


@route("/rounds/<int:round_id>/records", summary="Positions, stances or comments as open data", tag="outcome",
       query=RecordsQuery, response=RecordsOut, errors=(404, 422))
def export_records(round_id: int, query):
    """JSON rows; the same rows as CSV at /rounds/<id>/records.csv?what=..."""
    view = get_visible_round(db_session(), require_user(), round_id)
    return {"what": query["what"], "columns": COLUMNS[query["what"]], "rows": records(view, query["what"])}


@pages.route("/rounds/<int:round_id>/records.csv")
@session_or_token
def export_records_csv(round_id: int):
    """The same rows as CSV."""
    what = load_input(RecordsQuery(), request.args.to_dict())["what"]
    view = get_visible_round(db_session(), require_user(), round_id)
    columns = COLUMNS[what]
    return csv_response(f"round-{round_id}-{what}.csv", columns,
                        ([row.get(column) for column in columns] for row in records(view, what)))
