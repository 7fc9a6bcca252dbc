"""Schema pieces every feature uses: trimmed text with limits, and the paginated-list envelope."""

from __future__ import annotations

import re

from marshmallow import Schema, fields, validate


class Text(fields.String):
    """A string that is stripped of surrounding white space and must not be blank when required."""

    def __init__(self, *, max_length: int, required: bool = True, **kwargs) -> None:
        minimum = 1 if required else 0
        super().__init__(required=required, validate=validate.Length(min=minimum, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


#: Row ids are 32-bit in every database consult runs on; a larger number names nothing.
ID_MAX = 2**31 - 1


class Number(fields.Integer):
    """An integer; given as text (a query string, a form), only ASCII digits with an optional minus sign.

    marshmallow's Integer reads text with `int()`, which also takes "２", "٣", " 5" and "1_0"."""

    def _validated(self, value):
        if isinstance(value, str) and not re.fullmatch(r"-?[0-9]{1,18}", value):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def Id(**kwargs) -> Number:  # noqa: N802 (reads as a field class in schemas)
    """A row id: a strict positive integer within the databases' integer range."""
    return Number(strict=True, validate=validate.Range(min=1, max=ID_MAX), **kwargs)


class PageQuery(Schema):
    """Cursor pagination: at most `limit` items after the opaque `cursor` of the previous page."""

    limit = Number(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A list envelope: {"items": [...], "next_cursor": "..." or null}."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )


class DurationField(fields.String):
    """A length of time written "7d", "48h", "30m" or "90s", between one second and a year."""

    default_error_messages = {"invalid_duration": 'Give a length such as "7d", "48h", "30m" or "90s" '
                                                  "(at most 365 days)."}

    def _deserialize(self, value, attr, data, **kwargs):
        from consult.workflow.definitions import parse_duration

        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            duration = parse_duration(text)
        except ValueError:
            duration = None
        # Months are for the legal clocks of workflow files; a length given here is counted in days or less.
        if duration is None or duration.unit == "months" or not 1 <= duration.delta.total_seconds() <= 365 * 86400:
            raise self.make_error("invalid_duration")
        return duration

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value.amount}{value.unit[0]}"
