"""The affected workers going in and coming out of the API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from consult.api.fields import Address, Line


class AffectedWorkerIn(Schema):
    """One worker the plan affects: their name, and their e-mail address where they have one (else a letter)."""

    name = Line(max_length=200)
    email = Address(load_default=None, allow_none=True)


class AffectedWorkersIn(Schema):
    """Adding workers to the list of those the plan affects."""

    workers = fields.List(fields.Nested(AffectedWorkerIn), required=True, validate=validate.Length(min=1, max=5000))

    @validates_schema
    def _distinct(self, data: dict, **_kwargs) -> None:
        addresses = [w["email"].lower() for w in data.get("workers", []) if w.get("email")]
        if len(set(addresses)) != len(addresses):
            raise ValidationError("List each e-mail address once.", "workers")


class AffectedWorkerOut(Schema):
    """A listed worker and how they were informed (the employer and the secretariat only)."""

    id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    channel = fields.String(allow_none=True, metadata={"description": "mail, letter, or null (not yet informed)"})
    informed_at = fields.DateTime(allow_none=True)
    letter = fields.String(metadata={"description": "The printable letter's page"})


class AffectedWorkersOut(Schema):
    """The affected workers as the viewer may see them: counts for all, the list for employer and secretariat."""

    basis = fields.String(allow_none=True)
    listed = fields.Integer()
    informed = fields.Integer()
    by_mail = fields.Integer()
    by_letter = fields.Integer()
    workers = fields.List(fields.Nested(AffectedWorkerOut), allow_none=True,
                          metadata={"description": "null for anyone but the employer and the secretariat"})
