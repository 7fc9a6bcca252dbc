"""The timeline page: every stage's dates, and the secretariat's actions on the clock as plain forms."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required

from consult.accounts.auth import require_user
from consult.api.session import db_session
from consult.errors import ConsultError, NotFound
from consult.opinions.clock_text import present_clock
from consult.rounds import governance
from consult.rounds.services import get_visible_round
from consult.timeline import services
from consult.timeline.api import present_timeline
from consult.timeline.rules import workflow_of
from consult.timeline.schemas import ExtendIn, ReasonIn
from consult.web import pages
from consult.web.forms import field_errors, handle_form

#: Each action of the timeline: its service call (session, actor, round_id, data), its schema, and what it says.
ACTIONS = {
    "start": (lambda s, a, r, d: services.start_round(s, a, r, d["reason"]), ReasonIn,
              lazy_gettext("Start the round"),
              lazy_gettext("Leaves the draft: the first stage begins now and every deadline is planned from here.")),
    "extend": (lambda s, a, r, d: services.extend_stage(s, a, r, d["by"], d["reason"]), ExtendIn,
               lazy_gettext("Extend the current stage"),
               lazy_gettext("Every later deadline moves by the same amount.")),
    "pause": (lambda s, a, r, d: services.pause_round(s, a, r, d["reason"]), ReasonIn,
              lazy_gettext("Pause the round"),
              lazy_gettext("The clock stops and nothing is open until the round resumes.")),
    "resume": (lambda s, a, r, d: services.resume_round(s, a, r, d["reason"]), ReasonIn,
               lazy_gettext("Resume the round"),
               lazy_gettext("After a pause, the remaining deadlines move by the time the round stood still.")),
    "hold": (lambda s, a, r, d: services.hold_round(s, a, r, d["reason"]), ReasonIn,
             lazy_gettext("Hold the round in its stage"),
             lazy_gettext("The round stays in this stage past its deadline until you advance or resume it.")),
    "advance": (lambda s, a, r, d: services.advance_round(s, a, r, d["reason"]), ReasonIn,
                lazy_gettext("Advance to the next stage now"),
                lazy_gettext("Ends the current stage now, if its gates hold; the next stage gets its full length.")),
}

#: The governance table's row for each form of the page.
RULE_OF = {"start": "start_round", "extend": "extend_stage", "pause": "pause_round", "resume": "resume_round",
           "hold": "hold_round", "advance": "advance_round"}


def _render(round_id: int, *, failed: str | None = None, error: ConsultError | None = None,
            values: dict | None = None):
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    round = view.round
    stage = workflow_of(session, round).stage(round.stage)
    if stage.on_deadline == "manual":
        offered = ["start"] if governance.may(session, view, "start_round") else []
    elif stage.is_terminal:
        offered = []
    else:
        offered = [key for key in ("extend", "pause", "resume", "hold", "advance")
                   if governance.may(session, view, RULE_OF[key]) and services.may_take(round, key)]
    return render_template(
        "round_timeline.html", view=view, round=round, timeline=present_timeline(round), stage=stage,
        actions=[(key, ACTIONS[key][2], ACTIONS[key][3]) for key in offered], failed=failed, error=error,
        errors=field_errors(error.fields) if error else {}, values=values or {},
        legal={stage.key: present_clock(session, round, stage)["deadline_text"]} if stage.clock else {},
    ), error.status if error else 200


@pages.route("/rounds/<int:round_id>/timeline")
@login_required
def round_timeline_page(round_id: int):
    """The planned and actual dates of every stage; the secretariat's (and in the draft, the employer's) actions."""
    return _render(round_id)


@pages.route("/rounds/<int:round_id>/timeline/<action>", methods=["POST"])
@login_required
def timeline_action_form(round_id: int, action: str):
    """Start, extend, pause, resume, hold or advance the round, with the reason every participant is shown."""
    if action not in ACTIONS:
        raise NotFound(_("No such timeline action."))
    call, schema, _title, _help = ACTIONS[action]
    user = require_user()
    return handle_form(schema(), lambda session, data: call(session, user, round_id, data),
                       done=lambda _round: url_for("pages.round_timeline_page", round_id=round_id),
                       again=lambda posted, error: _render(round_id, failed=action, error=error, values=posted),
                       saved=_("Done: every participant sees the change and its reason."))
