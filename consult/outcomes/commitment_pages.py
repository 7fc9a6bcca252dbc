"""A commitment's page after the round: its KPI, target, due date, progress history and chart; the owner's
progress form; opening a follow-up round from it. Plain forms through the API's schemas and services."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.api.session import db_session
from consult.errors import ConsultError, NotFound
from consult.outcomes import followup
from consult.outcomes.kpi_chart import kpi_chart
from consult.outcomes.models import Commitment, CommitmentUpdate, OutcomeStatus
from consult.outcomes.schemas import CommitmentUpdateIn, FollowUpIn
from consult.outcomes.services import live_outcome
from consult.rounds import governance
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round
from consult.web import pages
from consult.web.dates import decimal
from consult.web.forms import field_errors, form_fields, handle_form


def _labels() -> dict[str, tuple[str, str | None]]:
    return {
        "value": (_("The KPI's value now"),
                   _("As you measure it, e.g. “2 audits” or “35 per cent”; the chart plots its first number.")),
        "note": (_("Note (optional)"), None),
        "evidence": (_("Links to evidence (optional)"), _("One web address (http or https) a line, at most 10.")),
        "completes": (_("The commitment is met"), _("After this report no more progress is reported on it.")),
        "title": (_("Title of the follow-up round"), None),
    }


def tracked_commitment(session, round: Round, commitment_id: int) -> Commitment:
    """A commitment of this round, or 404."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None or commitment.round_id != round.id:
        raise NotFound(_("No such commitment."))
    return commitment


def progress_of(session, commitment: Commitment) -> list[CommitmentUpdate]:
    """A commitment's progress reports, oldest first."""
    return list(session.scalars(select(CommitmentUpdate).where(CommitmentUpdate.commitment_id == commitment.id)
                                .order_by(CommitmentUpdate.id)))


def chart_for(commitment: Commitment, updates: list[CommitmentUpdate]) -> dict | None:
    """The KPI chart with its numbers written in the page's language."""
    chart = kpi_chart([(u.posted_at, u.value) for u in updates], commitment.target)
    if chart is not None:
        for mark in chart["scale"]:
            mark["label"] = decimal(mark["value"])
        chart["target_label"] = decimal(chart["target"])
    return chart


def _render(round_id: int, commitment_id: int, *, failed: str | None = None, error: ConsultError | None = None,
            values: dict | None = None, status: int | None = None):
    session = db_session()
    user = require_user()
    view = get_visible_round(session, user, round_id)
    round = view.round
    commitment = tracked_commitment(session, round, commitment_id)
    updates = progress_of(session, commitment)
    outcome = live_outcome(session, round.id)
    signed = outcome is not None and outcome.status == OutcomeStatus.SIGNED
    follow_ups = session.execute(select(Round.id, Round.title).where(
        Round.follow_up_of_round_id == round.id, Round.follow_up_of_commitment_id == commitment.id)
        .order_by(Round.id)).all()
    if error is not None and status is None:
        status = error.status
    # The two forms' fields have distinct names, so one `values` and one `errors` serve both.
    values = {"title": _("Follow-up: %(commitment)s", commitment=commitment.description)[:200], **(values or {})}
    return render_template(
        "commitment.html", round=round, commitment=commitment, updates=updates, status=followup.status_of(commitment),
        chart=chart_for(commitment, updates), follow_ups=follow_ups, signed=signed,
        may_report=signed and not commitment.completed_at and user.organisation_id == commitment.owner_organisation_id
        and governance.may(session, view, "report_progress"),
        may_follow_up=signed and governance.may(session, view, "follow_up"),
        failed=failed, error=error, errors=field_errors(error.fields) if error and error.fields else {},
        values=values, fields=_labels()), status or 200


@pages.route("/rounds/<int:round_id>/commitments/<int:commitment_id>")
@login_required
def commitment_page(round_id: int, commitment_id: int):
    """One commitment: what, who, KPI and target, due date, status, its progress as a table and a chart."""
    return _render(round_id, commitment_id)


def _again(round_id: int, commitment_id: int, failed: str):
    return lambda posted, error: _render(round_id, commitment_id, failed=failed, error=error, values=posted)


@pages.route("/rounds/<int:round_id>/commitments/<int:commitment_id>/progress", methods=["POST"])
@login_required
def report_progress_form(round_id: int, commitment_id: int):
    """The owner's progress report: the KPI's value, a note, links to evidence (one a line)."""
    posted = form_fields()
    evidence = posted.pop("evidence", "")
    data = {**posted, "evidence": [line.strip() for line in evidence.splitlines() if line.strip()]}
    user = require_user()
    return handle_form(
        CommitmentUpdateIn(), lambda session, body: followup.post_update(session, user, round_id, commitment_id, body),
        form=data, done=lambda _u: url_for("pages.commitment_page", round_id=round_id, commitment_id=commitment_id,
                                           _anchor="progress"),
        again=lambda _data, error: _render(round_id, commitment_id, failed="progress", error=error,
                                           values={**posted, "evidence": evidence}),
        saved=_("The progress is reported."))


@pages.route("/rounds/<int:round_id>/commitments/<int:commitment_id>/follow-up", methods=["POST"])
@login_required
def open_follow_up_form(round_id: int, commitment_id: int):
    """Open a fast-track round about this commitment, with the original plan and parties; go to it."""
    user = require_user()
    return handle_form(
        FollowUpIn(), lambda session, body: followup.open_follow_up(session, user, round_id, commitment_id,
                                                                    body["title"]),
        done=lambda follow_up: url_for("pages.round_page", round_id=follow_up.id),
        again=_again(round_id, commitment_id, "follow-up"), saved=_("The follow-up round is open as a draft."))
