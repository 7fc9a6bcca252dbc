"""The event log as the API and the live push show it."""

from marshmallow import Schema, fields, validate

from consult.api.fields import ID_MAX, Number
from consult.comments.schemas import AuthorOut, CommentOut


class EventQuery(Schema):
    """Replay: the events after a sequence number the client already holds."""

    after = Number(load_default=0, validate=validate.Range(min=0, max=ID_MAX))
    limit = Number(load_default=200, validate=validate.Range(min=1, max=1000))


class EventOut(Schema):
    """One event as the viewer may see it."""

    round_id = fields.Integer()
    seq = fields.Integer()
    type = fields.String()
    actor = fields.Nested(AuthorOut, allow_none=True)
    payload = fields.Dict()
    created_at = fields.DateTime()
    comment = fields.Nested(CommentOut, required=False)


class EventPage(Schema):
    """A page of replay; `last_seq` is the round's newest sequence number."""

    items = fields.List(fields.Nested(EventOut))
    last_seq = fields.Integer()
