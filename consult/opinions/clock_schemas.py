"""What the legal clock's records look like going in: a reading, a company agreement, the BDESE, an establishment."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from consult.api.fields import Text
from consult.opinions.models import Verdict
from consult.opinions.schemas import GIVEN_VERDICTS
from consult.workflow.definitions import parse_duration


class ReadingIn(Schema):
    """Which reading of an uncertain next-working-day extension the round follows, and why."""

    reading = fields.String(required=True, validate=validate.OneOf(["strict", "extended"]),
                            metadata={"description": "strict: the last day as counted; extended: the next working "
                                                     "day (Code de procédure civile art. 642 al. 2)"})
    reason = Text(max_length=2000)


class AgreementIn(Schema):
    """A company agreement that sets the consultation's length (Code du travail L2312-16, L2312-19)."""

    reference = Text(max_length=300, metadata={"description": "The agreement's title, date and article"})
    length = fields.String(required=True, validate=validate.Length(min=2, max=8),
                           metadata={"description": 'The length it sets: "45d", "2mo"'})

    @validates("length")
    def _length(self, value: str, data_key: str) -> None:
        try:
            length = parse_duration(value)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        if length is None or length.unit not in ("days", "months") or not 1 <= length.amount <= 366:
            raise ValidationError('Give the length in days or months, e.g. "45d" or "2mo".')


class BdeseIn(Schema):
    """The employer's notice that the information is available in the BDESE (R2312-5)."""

    description = Text(max_length=2000, metadata={"description": "What was put in the BDESE, and where"})


class EstablishmentOpinionIn(Schema):
    """An establishment CSE's opinion transmitted to the central CSE (R2312-6 II)."""

    establishment = Text(max_length=200)
    verdict = fields.Enum(Verdict, by_value=True, required=True,
                          validate=validate.OneOf([Verdict(v) for v in GIVEN_VERDICTS],
                                                  error="Use agree, agree_with_reservations or disagree."))
    reasons = Text(max_length=20_000)
