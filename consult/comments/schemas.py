"""What a comment looks like going in and coming out of the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.api.fields import Opaque, PageQuery, Reference, Text
from consult.comments.models import Channel, Reaction

#: A comment's Markdown may be this long; DESIGN's people write long, but not books.
BODY_MAX = 20_000


class CommentIn(Schema):
    """Posting a comment on a section, in plenary or in the author's own caucus."""

    section = fields.String(required=True, validate=validate.Length(min=1, max=40))
    body = Text(max_length=BODY_MAX)
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.PLENARY)
    parent_id = Reference(load_default=None, allow_none=True)


class CommentEditIn(Schema):
    """A new text for my comment."""

    body = Text(max_length=BODY_MAX)


class HideIn(Schema):
    """Hiding a comment: the reason is shown in its place."""

    reason = Text(max_length=500)


class ReactionIn(Schema):
    """My reaction to a comment; null takes it back."""

    kind = fields.Enum(Reaction, by_value=True, required=True, allow_none=True)


class RevisionOut(Schema):
    """An earlier version of a comment."""

    body = fields.String()
    body_html = fields.String()
    written_at = fields.DateTime()
    replaced_at = fields.DateTime()


class CommentQuery(PageQuery):
    """Filters of a round's comment list."""

    section = fields.String(load_default=None, validate=validate.Length(max=40))
    channel = fields.Enum(Channel, by_value=True, load_default=None)


class AuthorOut(Schema):
    """An author as the viewer may see them."""

    id = fields.Integer(allow_none=True)
    name = fields.String()
    organisation = fields.String(allow_none=True)
    constituency = fields.String()
    role = fields.String(allow_none=True)


class CommentOut(Schema):
    """A comment as the viewer may see it; a hidden one has no body for anyone but the secretariat."""

    id = Opaque()
    round_id = fields.Integer()
    section = fields.String()
    parent_id = Opaque(allow_none=True)
    channel = fields.String()
    caucus = fields.String(allow_none=True)
    author = fields.Nested(AuthorOut)
    body = fields.String(allow_none=True)
    body_html = fields.String(allow_none=True)
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    is_hidden = fields.Boolean()
    hidden_reason = fields.String(allow_none=True)
    revisions = fields.Integer(metadata={"description": "How many earlier versions the comment has"})
    reactions = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                            metadata={"description": 'Per kind and constituency: {"agree": {"workers": 2}}'})
