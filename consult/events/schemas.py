"""The event log as the API and the live push show it."""

from marshmallow import Schema, ValidationError, fields, post_load, validate

from consult.api.fields import Number
from consult.comments.schemas import AuthorOut, CommentOut
from consult.events.cursor import parse


class EventQuery(Schema):
    """Replay: the events after the cursor the client already holds (`participants:12,caucus:workers:3`;
    empty or 0: none)."""

    after = fields.String(load_default="", validate=validate.Length(max=400))
    limit = Number(load_default=200, validate=validate.Range(min=1, max=1000))

    @post_load
    def _cursor(self, data, **_kwargs):
        cursor = parse(data["after"])
        if cursor is None:
            raise ValidationError("Give the cursor of the last page, as audience:number pairs separated by commas "
                                  "(participants:12,caucus:workers:3), or 0.", "after")
        return {**data, "after": cursor}


class EventOut(Schema):
    """One event as the viewer may see it."""

    round_id = fields.Integer()
    audience = fields.String()
    seq = fields.Integer()  # the event's number among its audience's (never the round's count)
    type = fields.String()
    actor = fields.Nested(AuthorOut, allow_none=True)
    payload = fields.Dict()
    created_at = fields.DateTime()
    comment = fields.Nested(CommentOut, required=False)


class EventPage(Schema):
    """A page of replay: `cursor` is where the next page starts (give it as `after`); `heads` is each of the
    viewer's audiences' count now."""

    items = fields.List(fields.Nested(EventOut))
    cursor = fields.String()
    heads = fields.Dict(keys=fields.String(), values=fields.Integer())
