"""URL converters: an id in a path is a 32-bit positive integer in ASCII digits, else the route does not match (404)."""

from werkzeug.routing import IntegerConverter

from consult.api.fields import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:...>` limited to the databases' integer range, so a huge id is a 404, not a database error.

    Only ASCII digits: werkzeug's `\\d` also matches "２" or "٣", which `int()` would read as 2 and 3, so one
    row would answer to many addresses."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
