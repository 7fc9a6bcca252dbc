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


def form_fields(*, lists: tuple[str, ...] = (), numbers: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted form as a schema's input: no CSRF token, blank fields left out, `lists` as lists.

    `numbers` (ids, versions: strict integer fields) become ints when they are whole numbers; any other
    text is left as it is, for the schema to refuse by name.
    """
    data: dict[str, Any] = {}
    for key in request.form:
        if key == "csrf_token":
            continue
        if key in lists:
            data[key] = [v for v in request.form.getlist(key) if v != ""]
        elif request.form[key] != "":
            data[key] = request.form[key]
            if key in numbers and data[key].isascii() and data[key].isdigit():
                data[key] = int(data[key])
    return data


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

