"""Schema pieces every feature uses: trimmed text with limits, one-line names and titles, addresses, and the
paginated-list envelope."""

from __future__ import annotations

import re
import unicodedata

from marshmallow import Schema, ValidationError, fields, validate

from consult.vocabulary import N_  # a schema's own messages: `load_input` translates them
from consult.workflow.definitions import parse_duration


class Text(fields.String):
    """A string that is stripped of surrounding white space and must not be blank when required."""

    def __init__(self, *, max_length: int, required: bool = True, **kwargs) -> None:
        minimum = 1 if required else 0
        super().__init__(required=required, validate=validate.Length(min=minimum, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


#: Bidi embeddings, overrides (U+202A-202E) and isolates (U+2066-2069), UAX #9: they reorder what a reader sees
#: around them, so "Alice\u202eecilA" reads as another name. The implicit marks LRM, RLM and ALM (U+200E,
#: U+200F, U+061C) stay allowed: they order neutral characters only (a number after a Hebrew name) and
#: cannot reverse letters. ZWJ and ZWNJ (U+200D, U+200C), which scripts need, are not controls (Cf) either.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Cc: C0 and C1 controls (CR, LF, NUL, TAB, VT, FF, NEL, FS...); Zl, Zp: U+2028, U+2029; Cs: lone
#: surrogates (no encoding can carry them: PostgreSQL and mail refuse them).
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
ONE_LINE = N_("Must be one line of text: no line breaks, control characters or bidirectional overrides.")


def unsafe_characters(value: str) -> list[str]:
    """The characters of `value` a header or a name must not hold, as U+XXXX (empty: it is safe)."""
    if value.isprintable():  # no Cc, Cs, Zl, Zp, nor a bidi control (Cf): the common case, in C
        return []
    return [f"U+{ord(c):04X}" for c in value
            if unicodedata.category(c) in REFUSED_CATEGORIES or c in BIDI_CONTROLS]


def one_line(value: str) -> None:
    """Refuse what breaks a mail header or disguises a name: see `unsafe_characters`."""
    if unsafe_characters(value):
        raise ValidationError(ONE_LINE)


class Line(Text):
    """Trimmed one-line text that may reach a mail header or name someone: a title, a name, a file name."""

    def __init__(self, *, max_length: int, not_blank: bool = False, **kwargs) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(one_line)
        if not_blank:  # optional, but when given it must say something
            self.validators.append(validate.Length(min=1))


ASCII_ADDRESS = N_("Give the address in ASCII characters: addresses with other characters (internationalised "
                   "addresses) are not accepted. For a domain with accents, give its xn-- form.")


def ascii_address(value: str) -> None:
    """Refuse internationalised addresses (RFC 6531): consult sends mail without SMTPUTF8 (docs/notifications.md)."""
    if not value.isascii():
        raise ValidationError(ASCII_ADDRESS)


class Address(fields.Email):
    """An e-mail address: RFC 5321's length, one line, ASCII only (docs/notifications.md)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=[validate.Length(max=254), one_line, ascii_address], **kwargs)

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


class Reference(fields.String):
    """A row named by its opaque public id (consult/public_ids.py); the row id of an older link resolves too."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("metadata", {"description": "An opaque id, as the API gives it"})
        super().__init__(validate=[validate.Length(min=1, max=20), validate.Regexp(r"^[a-z0-9]+$")], **kwargs)


def Opaque(**kwargs) -> fields.String:  # noqa: N802 (a field, named like one)
    """An opaque id going out: it names a row and counts nothing across audiences."""
    kwargs.setdefault("metadata", {"description": "Opaque: it counts nothing across audiences"})
    return fields.String(**kwargs)


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
