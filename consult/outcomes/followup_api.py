"""Routes after the round: progress updates, follow-up rounds, my commitments, the monitoring view."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext
from flask_login import login_required
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.api.routing import load_input, route
from consult.api.session import db_session
from consult.db import utcnow
from consult.errors import NotFound
from consult.outcomes import followup
from consult.outcomes.models import Commitment, CommitmentUpdate
from consult.outcomes.schemas import (
    CommitmentUpdateIn,
    CommitmentUpdateOut,
    FollowUpIn,
    MonitoringOut,
    TrackedCommitmentOut,
)
from consult.rounds.api import present_round
from consult.rounds.models import Participant, Round
from consult.rounds.schemas import RoundOut
from consult.rounds.services import get_visible_round
from consult.web import pages


@route("/rounds/<int:round_id>/commitments/<int:commitment_id>/updates", "POST",
       summary="Report progress on a commitment", tag="follow-up", body=CommitmentUpdateIn,
       response=CommitmentUpdateOut, status=201, errors=(403, 404, 409, 422))
def post_update(round_id: int, commitment_id: int, body):
    """The owner organisation reports the KPI's value, a note and evidence links."""
    return followup.post_update(db_session(), require_user(), round_id, commitment_id, body)


@route("/rounds/<int:round_id>/commitments/<int:commitment_id>/updates", summary="A commitment's progress",
       tag="follow-up", response=CommitmentUpdateOut, many=True, errors=(404,))
def list_updates(round_id: int, commitment_id: int):
    """Every progress report, oldest first."""
    session = db_session()
    round = get_visible_round(session, require_user(), round_id).round
    commitment = session.get(Commitment, commitment_id)
    if commitment is None or commitment.round_id != round.id:
        raise NotFound(gettext("No such commitment."))
    return session.scalars(select(CommitmentUpdate).where(CommitmentUpdate.commitment_id == commitment.id)
                           .order_by(CommitmentUpdate.id)).all()


@route("/rounds/<int:round_id>/commitments/<int:commitment_id>/follow-up", "POST",
       summary="Open a follow-up round from a commitment", tag="follow-up", body=FollowUpIn, response=RoundOut,
       status=201, errors=(403, 404, 409, 422))
def follow_up(round_id: int, commitment_id: int, body):
    """A fast-track round with the original plan and parties, linked to the signed outcome."""
    session = db_session()
    user = require_user()
    round = followup.open_follow_up(session, user, round_id, commitment_id, body["title"])
    return present_round(get_visible_round(session, user, round.id))


def my_commitments(user) -> list[Commitment]:
    """Commitments of the rounds my organisation takes part in, each with its status."""
    session = db_session()
    mine = select(Participant.round_id).where(Participant.organisation_id == user.organisation_id,
                                              Participant.removed_at.is_(None))
    rows = session.execute(select(Commitment, Round.title).join(Round, Round.id == Commitment.round_id)
                           .where(Commitment.round_id.in_(mine)).order_by(Commitment.due_on, Commitment.id)).all()
    tracked = []
    for commitment, title in rows:
        commitment.round_title, commitment.status = title, followup.status_of(commitment)
        tracked.append(commitment)
    return tracked


class MyCommitmentsQuery(Schema):
    """Filter my commitments by status."""

    status = fields.String(load_default=None, validate=validate.OneOf(["open", "overdue", "completed"]))


@route("/me/commitments", summary="Commitments of my rounds", tag="follow-up", query=MyCommitmentsQuery,
       response=TrackedCommitmentOut, many=True)
def list_my_commitments(query):
    """Every commitment of the rounds I take part in, soonest due first; overdue ones are flagged."""
    tracked = my_commitments(require_user())
    return [c for c in tracked if query["status"] in (None, c.status)]


class MonitoringQuery(Schema):
    """How many weeks back."""

    weeks = fields.Integer(load_default=12, validate=validate.Range(min=1, max=104))


def monitoring(user, weeks: int) -> list[dict]:
    """For each of the last `weeks` week-ends: my rounds' commitments open, overdue and met by then."""
    tracked = my_commitments(user)
    today = utcnow()
    series = []
    for back in range(weeks - 1, -1, -1):
        moment = today - timedelta(weeks=back)
        counts = {"open": 0, "overdue": 0, "completed": 0}
        for c in tracked:
            if c.created_at > moment:
                continue
            if c.completed_at and c.completed_at <= moment:
                counts["completed"] += 1
            elif c.overdue_at and c.overdue_at <= moment:
                counts["overdue"] += 1
            else:
                counts["open"] += 1
        series.append({"week_ending": moment.date().isoformat(), **counts})
    return series


@route("/monitoring/commitments", summary="Commitments by status over time", tag="follow-up",
       query=MonitoringQuery, response=MonitoringOut)
def commitments_over_time(query):
    """Weekly counts, for a chart."""
    return {"weeks": monitoring(require_user(), query["weeks"])}


@pages.route("/monitoring")
@login_required
def monitoring_page():
    """The monitoring view: my rounds' commitments by status, week by week, as an SVG chart and a table."""
    weeks = load_input(MonitoringQuery(), request.args.to_dict())["weeks"]
    series = monitoring(require_user(), weeks)
    top = max([w["open"] + w["overdue"] + w["completed"] for w in series] + [1])
    return render_template("monitoring.html", series=series, top=top, commitments=my_commitments(require_user()))
