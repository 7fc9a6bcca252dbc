"""The API's timeline routes: read it; start, extend, pause, resume, hold and advance a round."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round
from consult.timeline import services
from consult.timeline.clock import stage_dates
from consult.timeline.rules import workflow_of
from consult.timeline.schemas import ExtendIn, ReasonIn, TimelineOut

ACTION_ERRORS = (403, 404, 409, 422)


def present_timeline(round: Round) -> dict:
    """Every stage of the round's workflow with its planned and actual times."""
    session = db_session()
    workflow = workflow_of(session, round)
    rows = {row.key: row for row in stage_dates(session, round)}
    zone = ZoneInfo(round.time_zone)
    stages = []
    for stage in workflow.stages:
        row = rows.get(stage.key)
        deadline = row.deadline_at if row else None
        stages.append({
            "key": stage.key, "title": stage.title, "starts_at": row.starts_at if row else None,
            "deadline_at": deadline, "deadline_local": deadline.astimezone(zone).isoformat() if deadline else None,
            "entered_at": row.entered_at if row else None, "on_deadline": stage.on_deadline,
            "is_current": stage.key == round.stage,
            "open": {action: sorted(who) for action, who in stage.open.items()},
        })
    return {"round_id": round.id, "workflow": round.workflow, "stage": round.stage, "status": round.status,
            "status_reason": round.status_reason, "time_zone": round.time_zone, "paused_at": round.paused_at,
            "stages": stages}


@route("/rounds/<int:round_id>/timeline", summary="The round's stages, deadlines and status", tag="timeline",
       response=TimelineOut, errors=(404,))
def get_timeline(round_id: int):
    """Planned and actual dates of every stage; every participant sees it."""
    return present_timeline(get_visible_round(db_session(), require_user(), round_id).round)


@route("/rounds/<int:round_id>/timeline/start", "POST", summary="Start the round (leave the draft)",
       tag="timeline", body=ReasonIn, response=TimelineOut, errors=ACTION_ERRORS)
def start(round_id: int, body):
    """The employer or the secretariat starts the round; every deadline is planned from now."""
    return present_timeline(services.start_round(db_session(), require_user(), round_id, body["reason"]))


@route("/rounds/<int:round_id>/timeline/extend", "POST", summary="Extend the current stage", tag="timeline",
       body=ExtendIn, response=TimelineOut, errors=ACTION_ERRORS)
def extend(round_id: int, body):
    """The secretariat gives the current stage more time; later deadlines move by the same amount."""
    return present_timeline(services.extend_stage(db_session(), require_user(), round_id, body["by"],
                                                  body["reason"]))


@route("/rounds/<int:round_id>/timeline/pause", "POST", summary="Pause the round (stop the clock)",
       tag="timeline", body=ReasonIn, response=TimelineOut, errors=ACTION_ERRORS)
def pause(round_id: int, body):
    """The secretariat stops the clock; nothing is open until the round resumes."""
    return present_timeline(services.pause_round(db_session(), require_user(), round_id, body["reason"]))


@route("/rounds/<int:round_id>/timeline/resume", "POST", summary="Resume a paused, held or blocked round",
       tag="timeline", body=ReasonIn, response=TimelineOut, errors=ACTION_ERRORS)
def resume(round_id: int, body):
    """The secretariat restarts the clock; after a pause the deadlines move by the time stood still."""
    return present_timeline(services.resume_round(db_session(), require_user(), round_id, body["reason"]))


@route("/rounds/<int:round_id>/timeline/hold", "POST", summary="Hold the round in its stage", tag="timeline",
       body=ReasonIn, response=TimelineOut, errors=ACTION_ERRORS)
def hold(round_id: int, body):
    """The secretariat keeps the round in its stage past the deadline."""
    return present_timeline(services.hold_round(db_session(), require_user(), round_id, body["reason"]))


@route("/rounds/<int:round_id>/timeline/advance", "POST", summary="Advance to the next stage now",
       tag="timeline", body=ReasonIn, response=TimelineOut, errors=ACTION_ERRORS)
def advance(round_id: int, body):
    """The secretariat ends the current stage now, if its gates hold."""
    return present_timeline(services.advance_round(db_session(), require_user(), round_id, body["reason"]))
