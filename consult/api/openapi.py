"""The OpenAPI 3 document, generated from the routes' own schemas."""

from __future__ import annotations

import re
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from consult.api.routing import ROUTES, api_v1

ERROR_DESCRIPTIONS = {
    400: "The request could not be read (not JSON, or nested more than 32 levels deep).",
    401: "No valid session or API token.",
    403: "Not allowed for this person.",
    404: "No such thing, or not visible to this person.",
    409: "Conflicts with the current state.",
    413: "The request body is too large.",
    422: "The input is not valid; `fields` says why.",
    429: "Too many requests.",
}


class ErrorBody(Schema):
    """The one error shape, with the context some errors add (each key documented here, nothing else)."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", required=True)
    stage = fields.String(metadata={"description": "409: the round's stage, which does not allow the action"})
    status = fields.String(metadata={"description": "409: the round's status (paused, held, blocked)"})
    reasons = fields.List(fields.String(), metadata={"description": "409: the gates that do not hold yet"})
    current = fields.Dict(metadata={"description": "409: the current version, e.g. of a position or an outcome"})
    retry_at = fields.Integer(metadata={"description": "429: when to try again (Unix time)"})


class Error(Schema):
    """Every error answer: {"error": {"code", "message", "fields"}}."""

    error = fields.Nested(ErrorBody, required=True)


def _path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", api_v1.url_prefix + rule)


def _parameters(rule: str) -> list[dict]:
    found = re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", rule)
    return [{"in": "path", "name": name, "required": True,
             "schema": {"type": "integer" if converter == "int" else "string"}} for converter, name in found]


@cache
def openapi_document() -> dict:
    """Build the document once per process from every declared route."""
    spec = APISpec(
        title="consult API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "Tripartite consultations on AI systems used at work."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=Error)
    paths: dict[str, dict] = {}
    for r in ROUTES:
        operation: dict = {"summary": r.summary, "tags": [r.tag], "operationId": r.endpoint,
                           "parameters": _parameters(r.rule), "responses": {}}
        if not r.public:
            operation["security"] = [{"bearer": []}]
            operation["responses"]["401"] = {"description": ERROR_DESCRIPTIONS[401], "content": {
                "application/json": {"schema": "Error"}}}
        if r.query is not None:
            operation["parameters"].append({"in": "query", "schema": r.query})
            operation["responses"]["422"] = {"description": ERROR_DESCRIPTIONS[422],
                                             "content": {"application/json": {"schema": "Error"}}}
        if r.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": r.body}}}
            for status in (400, 413, 422):
                operation["responses"][str(status)] = {"description": ERROR_DESCRIPTIONS[status],
                                                       "content": {"application/json": {"schema": "Error"}}}
        for status in r.errors:
            operation["responses"][str(status)] = {"description": ERROR_DESCRIPTIONS[status],
                                                   "content": {"application/json": {"schema": "Error"}}}
        if r.status == 204:
            operation["responses"]["204"] = {"description": "Done."}
        else:
            schema = r.response(many=True) if r.many else r.response
            body = {"content": {"application/json": {"schema": schema}}} if r.response else {}
            operation["responses"][str(r.status)] = {"description": "OK", **body}
        paths.setdefault(_path(r.rule), {})[r.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
