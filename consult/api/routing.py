"""The API's one code path: parse with a schema, call the view, dump with a schema, commit once.

Every route is declared with `route`, which also records what the OpenAPI document needs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext
from marshmallow import Schema, ValidationError

from consult.api.messages import translated
from consult.api.session import run_after_commit
from consult.errors import BadRequest, Invalid

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class RouteSpec:
    """What the OpenAPI document says about one route."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    public: bool = False
    errors: tuple[int, ...] = field(default_factory=tuple)
    many: bool = False


ROUTES: list[RouteSpec] = []


#: How deep an input may nest objects and lists; consult's deepest schema (a round's plan) needs 4.
MAX_DEPTH = 32


def _problems(data: Any) -> tuple[bool, dict[str, list[str]]]:
    """Whether the input nests deeper than MAX_DEPTH, and the fields whose text holds a NUL character (which
    no database column may store); walked without recursion, so no input can exhaust the stack."""
    found: dict[str, list[str]] = {}
    pending: list[tuple[Any, str, int]] = [(data, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                found[path or "_schema"] = ["Text may not contain NUL (\\u0000) characters."]
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_DEPTH:
            return True, {}
        items = value.items() if isinstance(value, dict) else enumerate(value)
        pending.extend((item, f"{path}.{key}" if path else str(key), depth + 1) for key, item in items)
    return False, found


def load_input(schema: Schema, data: Any) -> Any:
    """Every entry point's input, through its schema: 422 (Invalid) naming each bad field, NUL refused, 400 for
    input nested deeper than any schema."""
    if not isinstance(data, dict):
        raise Invalid(gettext("Send an object."), fields={"_schema": [gettext("Invalid input type.")]})
    too_deep, nul = _problems(data)
    if too_deep:
        raise BadRequest(gettext("The input nests objects or lists more than %(depth)s levels deep.", depth=MAX_DEPTH))
    if nul:
        raise Invalid(gettext("The input is not valid."), fields=nul)
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise Invalid(gettext("The input is not valid."), fields=translated(messages)) from error


def _json_body() -> Any:
    if not request.is_json:
        raise BadRequest(gettext("Send a JSON body with Content-Type: application/json."))
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # the parser's own stack: a body nested thousands of levels deep
        raise BadRequest(gettext("The body nests objects or lists more than %(depth)s levels deep.",
                                 depth=MAX_DEPTH)) from None
    if data is None:
        raise BadRequest(gettext("The body is not valid JSON."))
    return data


def route(rule: str, method: str = "GET", *, summary: str, tag: str, body: type[Schema] | None = None,
          query: type[Schema] | None = None, response: type[Schema] | None = None, status: int = 200,
          public: bool = False, errors: tuple[int, ...] = (), many: bool = False) -> Callable:
    """Declare an API route; the view gets `body=` and `query=` already validated and returns plain data."""

    # One instance of each schema serves every request (marshmallow's schemas keep no state between calls).
    query_schema, body_schema = query() if query else None, body() if body else None
    response_schema = response(many=many) if response else None

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def endpoint(**kwargs: Any):
            if query_schema is not None:
                kwargs["query"] = load_input(query_schema, request.args.to_dict())
            if body_schema is not None:
                kwargs["body"] = load_input(body_schema, _json_body())
            result = view(**kwargs)
            payload = response_schema.dump(result) if response_schema is not None else result
            if method in WRITE_METHODS:
                current_app.extensions["consult.db"].session.commit()
                run_after_commit()
            if status == 204:
                return "", 204
            return jsonify(payload), status

        endpoint.open_to_anyone = public  # type: ignore[attr-defined]  # see consult.accounts.auth
        api_v1.add_url_rule(rule, view.__name__, endpoint, methods=[method])
        ROUTES.append(RouteSpec(rule, method, view.__name__, summary, tag, body, query, response, status,
                                public, errors, many))
        return endpoint

    return decorator
