"""marshmallow's stock messages in the reader's language (their English text is each one's msgid).

Schemas keep marshmallow's English messages; `load_input` passes every message it reports through
`translated`, which recognises the stock ones (with their numbers and choices) and any message that is a
msgid of the catalogues (a schema's own, marked with `N_`), and leaves the rest as they are.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

#: marshmallow's fixed messages.
FIXED = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Invalid value.": _l("Invalid value."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid number.": _l("Not a valid number."),
    "Number too large.": _l("Number too large."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid datetime."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid URL.": _l("Not a valid URL."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Invalid input type.": _l("Invalid input type."),
    "Unknown field.": _l("Unknown field."),
    "String does not match expected pattern.": _l("String does not match expected pattern."),
    "Not a valid UUID.": _l("Not a valid UUID."),
    "Not a valid period of time.": _l("Not a valid period of time."),
}
#: marshmallow's messages with numbers or choices in them: (pattern, message with %(...)s placeholders).
PATTERNS = [
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     _l("Length must be between %(min)s and %(max)s.")),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"), _l("Shorter than minimum length %(min)s.")),
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"), _l("Longer than maximum length %(max)s.")),
    (re.compile(r"^Length must be (?P<equal>\d+)\.$"), _l("Length must be %(equal)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.$"),
     _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+)\.$"), _l("Must be greater than or equal to %(min)s.")),
    (re.compile(r"^Must be less than or equal to (?P<max>\S+)\.$"), _l("Must be less than or equal to %(max)s.")),
    (re.compile(r"^Must be greater than (?P<min>\S+)\.$"), _l("Must be greater than %(min)s.")),
    (re.compile(r"^Must be less than (?P<max>\S+)\.$"), _l("Must be less than %(max)s.")),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), _l("Must be one of: %(choices)s.")),
]


def translated_message(message: str) -> str:
    """One message in the reader's language, where the catalogues know it."""
    if message in FIXED:
        return str(FIXED[message])
    for pattern, template in PATTERNS:
        found = pattern.match(message)
        if found:
            return str(template) % found.groupdict()
    return gettext(message) if message else message


def translated(messages: Any) -> Any:
    """A schema's nested error messages (dicts, lists, strings) with every string translated."""
    if isinstance(messages, dict):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translated(value) for value in messages]
    return translated_message(messages) if isinstance(messages, str) else messages
