"""The API's one code path: parse with a schema, call the view, dump with a schema, commit once.

Every route is declared with `route`, which also records what the OpenAPI document needs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema, ValidationError

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


def _nul_fields(data: Any, path: str = "") -> dict[str, list[str]]:
    """Fields whose text holds a NUL character, which no database column may store."""
    if isinstance(data, str):
        return {path or "_schema": ["Text may not contain NUL (\\u0000) characters."]} if "\x00" in data else {}
    found: dict[str, list[str]] = {}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.update(_nul_fields(value, f"{path}.{key}" if path else str(key)))
    return found


def load_input(schema: Schema, data: Any) -> Any:
    """Every entry point's input, through its schema: 422 (Invalid) naming each bad field, NUL refused."""
    if not isinstance(data, dict):
        raise Invalid("Send an object.", fields={"_schema": ["Invalid input type."]})
    nul = _nul_fields(data)
    if nul:
        raise Invalid("The input is not valid.", fields=nul)
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise Invalid("The input is not valid.", fields=messages) from error


def _json_body() -> Any:
    if not request.is_json:
        raise BadRequest("Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("The body is not valid JSON.")
    return data


def route(rule: str, method: str = "GET", *, summary: str, tag: str, body: type[Schema] | None = None,
          query: type[Schema] | None = None, response: type[Schema] | None = None, status: int = 200,
          public: bool = False, errors: tuple[int, ...] = (), many: bool = False) -> Callable:
    """Declare an API route; the view gets `body=` and `query=` already validated and returns plain data."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def endpoint(**kwargs: Any):
            if query is not None:
                kwargs["query"] = load_input(query(), request.args.to_dict())
            if body is not None:
                kwargs["body"] = load_input(body(), _json_body())
            result = view(**kwargs)
            payload = response(many=many).dump(result) if response is not None else result
            if method in WRITE_METHODS:
                current_app.extensions["consult.db"].session.commit()
                run_after_commit()
            if status == 204:
                return "", 204
            return jsonify(payload), status

        api_v1.add_url_rule(rule, view.__name__, endpoint, methods=[method])
        ROUTES.append(RouteSpec(rule, method, view.__name__, summary, tag, body, query, response, status,
                                public, errors, many))
        return endpoint

    return decorator
