"""What the conciliation board's rulings and the plan's revisions look like going in and coming out of the API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.api.fields import Line, Text
from consult.opinions.models import RevisionKind, Ruling
from consult.rounds.plan import AIFunction


class RulingIn(Schema):
    """The conciliation board's ruling on one function: what it decided, its terms, its reference and date."""

    function = fields.Enum(AIFunction, by_value=True, required=True)
    ruling = fields.Enum(Ruling, by_value=True, required=True)
    terms = Text(max_length=20_000)
    reference = Line(max_length=200)
    ruled_on = fields.Date(required=True)


class RulingOut(Schema):
    """A recorded ruling."""

    ruling = fields.String()
    terms = fields.String()
    reference = fields.String()
    ruled_on = fields.String()
    basis = fields.String()


class PlanVersionIn(Schema):
    """Why the employer withdraws a function, or what changes in it (a change reopens its consent)."""

    description = Text(max_length=10_000)


class FunctionRevisionIn(PlanVersionIn):
    """The procedure page's form of a revision: the function and the kind, which the API takes from its URL."""

    function = fields.Enum(AIFunction, by_value=True, required=True)
    kind = fields.Enum(RevisionKind, by_value=True, required=True)


class PlanVersionOut(Schema):
    """A new version of the plan."""

    version = fields.Integer()
    kind = fields.String(validate=validate.OneOf(["withdrawn", "changed"]))
    function = fields.String()
    description = fields.String()
    revised_at = fields.String()
