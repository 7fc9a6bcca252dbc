"""What a question to the employer looks like going in and coming out of the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.api.fields import Line, Opaque, Text
from consult.comments.schemas import BODY_MAX, AuthorOut
from consult.questions.models import QuestionState


class QuestionIn(Schema):
    """Asking the employer a question on a section (it is posted as a plenary comment too)."""

    section = fields.String(required=True, validate=validate.Length(min=1, max=40))
    body = Text(max_length=BODY_MAX)


class AnswerIn(Schema):
    """The employer's answer (Markdown, sanitised)."""

    answer = Text(max_length=BODY_MAX)


class WithdrawIn(Schema):
    """Withdrawing a question says why (shown to every participant, on one line: bidirectional overrides could
    make it read as something else)."""

    reason = Line(max_length=500)


class QuestionQuery(Schema):
    """Filters of a round's question list."""

    state = fields.Enum(QuestionState, by_value=True, load_default=None)


class QuestionOut(Schema):
    """A question as the viewer may see it: its asker under the identity policy, its state, the answer."""

    id = Opaque()
    comment_id = Opaque(metadata={"description": "The comment that asks it (opaque)"})
    section = fields.String()
    state = fields.String()
    asked_by = fields.Nested(AuthorOut)
    body = fields.String(allow_none=True)
    body_html = fields.String(allow_none=True)
    asked_at = fields.DateTime()
    answer = fields.String(allow_none=True)
    answer_html = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_by = fields.String(allow_none=True, metadata={"description": "asker or secretariat"})
    withdraw_reason = fields.String(allow_none=True)
