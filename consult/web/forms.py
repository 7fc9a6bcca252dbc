"""Plain HTML forms: one path from a posted form, through its schema and a service, to one commit.

Every page that changes something posts a form here. The form's fields carry the same names as the API
schema's fields, so one schema checks both. Bad input (422) or a clash with the current state (409)
shows the same page again with the person's text kept and the problems named; nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from marshmallow import Schema
from sqlalchemy.orm import Session

from consult.api.routing import load_input
from consult.api.session import db_session, run_after_commit
from consult.errors import Conflict, ConsultError, Invalid

#: What a page shows again after a refused form: (form as posted, the error) -> a response.
Again = Callable[[dict[str, Any], ConsultError], Any]


#: Inputs a page carries for browsers' password managers only (a hidden `username` beside a password, as
#: https://www.chromium.org/developers/design-documents/create-amazing-password-forms/ asks): the browser
#: posts them, the form's schema never sees them.
PASSWORD_MANAGER_FIELDS = ("username",)


def form_fields(*, lists: tuple[str, ...] = (), numbers: tuple[str, ...] = (), nested: bool = False,
                ignored: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted form as a schema's input: no CSRF token, blank fields left out, `lists` as lists.

    `ignored`: inputs the page has for the browser's sake only (`PASSWORD_MANAGER_FIELDS`), left out too.

    `numbers` (ids, versions: strict integer fields) become ints when they are whole numbers, in a list too
    (a field in both); any other text is left as it is, for the schema to refuse by name. With `nested`,
    dotted names build nested objects: `plan.system_name` becomes {"plan": {"system_name": ...}} (give
    `lists` and `numbers` dotted).
    """
    def number(key: str, value: str) -> Any:
        return int(value) if key in numbers and value.isascii() and value.isdigit() else value

    data: dict[str, Any] = {}
    for key in request.form:
        if key == "csrf_token" or key in ignored:
            continue
        if key in lists:
            value: Any = [number(key, v) for v in request.form.getlist(key) if v != ""]
        elif request.form[key] != "":
            value = number(key, request.form[key])
        else:
            continue
        if nested:
            _put(data, key.split("."), value)
        else:
            data[key] = value
    return data


def _put(data: dict[str, Any], path: list[str], value: Any) -> None:
    """Set a value at a dotted path; a dotted name wins over a plain one posted with the same stem."""
    for part in path[:-1]:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    if not isinstance(data.get(path[-1]), dict):
        data[path[-1]] = value


def flat_values(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The inverse of `form_fields(nested=True)`: {"plan": {"sites": "Leeds"}} -> {"plan.sites": "Leeds"}."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flat_values(value, name))
        else:
            flat[name] = value
    return flat


def field_errors(errors: dict[Any, Any], prefix: str = "") -> dict[str, list[str]]:
    """A schema's nested error messages by dotted field name, so each shows beside its form field.

    Errors about one item of a list ({0: [...]}) or about a key or value of a dict ({"key": [...]})
    belong to the field itself.
    """
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value and all(isinstance(k, int) or k in ("key", "value") for k in value):
            flat.setdefault(name, []).extend(_messages(value))
        elif isinstance(value, dict):
            for inner, messages in field_errors(value, name).items():
                flat.setdefault(inner, []).extend(messages)
        else:
            flat.setdefault(name, []).extend(_messages(value))
    return flat


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [message for inner in value.values() for message in _messages(inner)]
    if isinstance(value, list | tuple):
        return [message for inner in value for message in _messages(inner)]
    return [str(value)]


def handle_form(schema: Schema, action: Callable[[Session, dict[str, Any]], Any], *, done: Callable[[Any], str],
                again: Again, form: dict[str, Any] | None = None, saved: str | None = None):
    """Load the form with `schema`, run `action(session, data)`, commit once and redirect to `done(result)`.

    A 422 or 409 rolls back and answers `again(form, error)`; any other refusal reaches the error page.
    """
    posted = form_fields() if form is None else form
    session = db_session()
    try:
        result = action(session, load_input(schema, posted))
        session.commit()
    except (Invalid, Conflict) as error:
        session.rollback()
        return again(posted, error)
    run_after_commit()
    if saved:
        flash(saved, "saved")
    # 303: the browser follows with a GET, so a reload does not post the form twice.
    return redirect(done(result), 303)

