"""URL converters: an id in a path is a 32-bit positive integer, else the route does not match (404)."""

from werkzeug.routing import IntegerConverter

from consult.api.fields import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:...>` limited to the databases' integer range, so a huge id is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
