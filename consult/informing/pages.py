"""The affected workers' forms on the procedure page, and the printable letter for each worker.

The forms post here and pass the API's schema and service (consult/web/forms.py): one path, one commit.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema

from consult.accounts.auth import require_user
from consult.api.session import db_session
from consult.errors import NotFound
from consult.informing import services
from consult.informing.models import AffectedWorker
from consult.informing.schemas import AffectedWorkersIn
from consult.opinions.pages import render_procedure
from consult.policy import sees_affected_workers
from consult.rounds.services import get_visible_round
from consult.web import pages
from consult.web.forms import handle_form


class _Empty(Schema):
    """The inform form: a button, no fields."""


def parse_lines(text: str) -> list[dict[str, str | None]]:
    """One worker per line: "Name, e-mail" or "Name" alone (a letter); the schema checks each."""
    workers = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _comma, email = line.rpartition(",") if "@" in line else (line, "", "")
        workers.append({"name": name.strip(), "email": email.strip() or None})
    return workers


@pages.route("/rounds/<int:round_id>/affected-workers", methods=["POST"])
@login_required
def list_affected_workers_form(round_id: int):
    """The employer or the secretariat lists workers the plan affects."""
    user = require_user()
    return handle_form(AffectedWorkersIn(),
                       lambda session, data: services.list_affected_workers(session, user, round_id, data["workers"]),
                       form={"workers": parse_lines(request.form.get("workers", ""))},
                       done=lambda _result: url_for("pages.round_procedure_page", round_id=round_id) + "#workers",
                       again=lambda posted, error: render_procedure(round_id, failed="workers", error=error,
                                                                    values={"workers": request.form.get("workers")}),
                       saved=_("Saved: the list is seen by the employer and the secretariat only."))


@pages.route("/rounds/<int:round_id>/affected-workers/inform", methods=["POST"])
@login_required
def inform_affected_workers_form(round_id: int):
    """Inform every listed worker not yet informed: a mail each, or a letter to print."""
    user = require_user()
    return handle_form(_Empty(), lambda session, _data: services.inform_affected_workers(session, user, round_id),
                       form={}, done=lambda _r: url_for("pages.round_procedure_page", round_id=round_id) + "#workers",
                       again=lambda posted, error: render_procedure(round_id, failed="inform", error=error),
                       saved=_("Each worker was informed; the delivery is in the round's record."))


@pages.route("/rounds/<int:round_id>/affected-workers/<int:worker_id>/letter")
@login_required
def worker_letter_page(round_id: int, worker_id: int):
    """The information letter for one listed worker, to print and hand over (the employer and the secretariat)."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    worker = session.get(AffectedWorker, worker_id)
    if worker is None or worker.round_id != round_id or not sees_affected_workers(view):
        raise NotFound(_("No such letter."))
    duty = services.duty_of(session, view.round)
    return render_template("worker_letter.html", round=view.round, worker=worker,
                           text=services.letter_text(view.round, worker, duty))
