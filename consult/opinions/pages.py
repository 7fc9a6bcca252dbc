"""The procedure page (opinions, responses, consent per function, experts, the legal clock) and the expert's page.

Every form posts here and passes the API's schema and service: one path, one commit (consult/web/forms.py).
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.accounts.models import Organisation, User
from consult.api.session import db_session
from consult.errors import ConsultError, NotFound
from consult.opinions import experts, services
from consult.opinions.present import expert_brief, procedure_of
from consult.opinions.schemas import ConsentIn, CostIn, ExpertIn, OpinionIn, ResponseIn
from consult.policy import RoundView
from consult.rounds import governance
from consult.rounds.models import Participant, Signatory
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of
from consult.web import pages
from consult.web.forms import field_errors, form_fields, handle_form
from consult.workflow import engine

#: Each form of the page: its service call (session, actor, round_id, data, item id) and its schema.
FORMS = {
    "opinion": (lambda s, a, r, d, _i: services.give_opinion(s, a, r, d), OpinionIn, ()),
    "response": (lambda s, a, r, d, i: services.respond_to_opinion(s, a, r, i, d["reasons"]), ResponseIn, ()),
    "consent": (lambda s, a, r, d, _i: services.decide_consent(s, a, r, {**d, "function": d["function"].value}),
                ConsentIn, ()),
    "expert": (lambda s, a, r, d, _i: experts.appoint_expert(s, a, r, d), ExpertIn,
               ("expert_user_id", "member_in_charge_user_id")),
    "cost": (lambda s, a, r, d, i: experts.record_cost(s, a, r, i, d), CostIn, ("amount_minor",)),
}


def _offered(session, view: RoundView) -> set[str]:
    """The forms this viewer may use now: the governance table, then the workflow's current stage."""
    round, own = view.round, view.constituency.value
    workflow = workflow_of(session, round)
    signatory = session.scalar(select(Signatory.user_id).where(Signatory.round_id == round.id,
                                                               Signatory.constituency == view.constituency))
    is_signatory = signatory == view.user_id
    checks = {"opinion": ("give_opinion", "opinion", is_signatory),
              "response": ("respond_to_opinion", "respond", True),
              "consent": ("decide_consent", "consent", is_signatory and workflow.legal.consent is not None
                          and workflow.legal.consent.by == own),
              "expert": ("appoint_expert", "appoint_expert", True)}
    offered = {form for form, (rule, action, extra) in checks.items()
               if extra and governance.may(session, view, rule, own) and round.status != "paused"
               and engine.is_open(workflow, round.stage, action, own)}
    if governance.may(session, view, "record_expert_cost", own):
        offered.add("cost")
    return offered


def may_inform(session, view: RoundView) -> bool:
    """Whether the viewer sees the forms that list and inform the affected workers (the governance table)."""
    return governance.may(session, view, "list_affected_workers") or \
        governance.may(session, view, "inform_affected_workers")


def _members(session, view: RoundView) -> list[User]:
    """The invited representatives of the viewer's constituency (the member in charge is one of them)."""
    return list(session.scalars(select(User).join(Organisation).join(
        Participant, Participant.organisation_id == Organisation.id).where(
        Participant.round_id == view.round.id, Participant.removed_at.is_(None),
        Organisation.constituency == view.constituency).order_by(User.display_name)))


def render_procedure(round_id: int, *, failed: str | None = None, error: ConsultError | None = None,
                     values: dict | None = None):
    """The procedure page, with a refused form's error and posted values where there was one."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    return render_template(
        "round_procedure.html", view=view, round=view.round, procedure=procedure_of(session, view),
        offered=_offered(session, view), may_inform=may_inform(session, view), members=_members(session, view),
        failed=failed, error=error,
        errors=field_errors(error.fields) if error else {}, values=values or {},
    ), error.status if error else 200


@pages.route("/rounds/<int:round_id>/procedure")
@login_required
def round_procedure_page(round_id: int):
    """Opinions and reasoned responses, consent per function, experts, and the legal clock of the stage."""
    return render_procedure(round_id)


@pages.route("/rounds/<int:round_id>/procedure/<form>", methods=["POST"])
@pages.route("/rounds/<int:round_id>/procedure/<form>/<int:item_id>", methods=["POST"])
@login_required
def procedure_form(round_id: int, form: str, item_id: int | None = None):
    """Give an opinion, answer one, decide consent, appoint an expert or record a cost."""
    if form not in FORMS or (form in ("response", "cost")) != (item_id is not None):
        raise NotFound(_("No such form."))
    call, schema, numbers = FORMS[form]
    user = require_user()
    return handle_form(schema(), lambda session, data: call(session, user, round_id, data, item_id),
                       form=form_fields(numbers=numbers),
                       done=lambda _result: url_for("pages.round_procedure_page", round_id=round_id),
                       again=lambda posted, error: render_procedure(round_id, failed=f"{form}{item_id or ''}",
                                                                    error=error, values=posted),
                       saved=_("Saved: every participant sees it in the round's record."))


@pages.route("/rounds/<int:round_id>/expert")
@login_required
def expert_page(round_id: int):
    """The appointed expert's page: their appointment and their constituency's caucus; 404 for anyone else."""
    session = db_session()
    view = experts.get_expert_view(session, require_user(), round_id)
    return render_template("expert.html", round=view.round, brief=expert_brief(session, view))
