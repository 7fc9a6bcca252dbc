"""The procedure page (opinions, responses, consent per function, experts, the legal clock) and the expert's page.

Every form posts here and passes the API's schema and service: one path, one commit (consult/web/forms.py).
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.accounts.models import Constituency, Organisation, User
from consult.api.session import after_commit, db_session
from consult.errors import ConsultError, NotFound
from consult.live.rooms import disconnect_user
from consult.opinions import clock_records, conciliation, expert_steps, experts, services
from consult.opinions.clock_schemas import EstablishmentOpinionIn
from consult.opinions.conciliation_schemas import FunctionRevisionIn, RulingIn
from consult.opinions.present import expert_brief, procedure_of
from consult.opinions.schemas import ConsentIn, CostIn, EndExpertIn, ExpertIn, OpinionIn, ResponseIn, StepIn
from consult.policy import RoundView
from consult.rounds import governance
from consult.rounds.models import Participant, Signatory
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of
from consult.web import pages
from consult.web.forms import field_errors, form_fields, handle_form

#: Each form of the page: its service call (session, actor, round_id, data, item id) and its schema.
FORMS = {
    "opinion": (lambda s, a, r, d, _i: services.give_opinion(s, a, r, d), OpinionIn, ()),
    "response": (lambda s, a, r, d, i: services.respond_to_opinion(s, a, r, i, d["reasons"]), ResponseIn, ()),
    "consent": (lambda s, a, r, d, _i: services.decide_consent(s, a, r, {**d, "function": d["function"].value}),
                ConsentIn, ()),
    "expert": (lambda s, a, r, d, _i: experts.appoint_expert(s, a, r, d), ExpertIn,
               ("expert_user_id", "member_in_charge_user_id")),
    "cost": (lambda s, a, r, d, i: experts.record_cost(s, a, r, i, d), CostIn, ("amount_minor",)),
    "end": (lambda s, a, r, d, i: _ended(experts.end_expert(s, a, r, i, d["reason"])), EndExpertIn, ()),
    "step": (lambda s, a, r, d, i: expert_steps.record_step(s, a, r, i, d), StepIn, ()),
    "ruling": (lambda s, a, r, d, _i: conciliation.record_ruling(s, a, r, {**d, "function": d["function"].value}),
               RulingIn, ()),
    "revision": (lambda s, a, r, d, _i: conciliation.revise_function(s, a, r, d["function"].value, d["kind"],
                                                                      d["description"]), FunctionRevisionIn, ()),
    "establishment": (lambda s, a, r, d, _i: clock_records.transmit_establishment_opinion(s, a, r, d),
                      EstablishmentOpinionIn, ()),
}
WITH_ITEM = ("response", "cost", "end", "step")


def _ended(appointment):
    """Cut the ended expert's sockets once the decision is committed."""
    user_id = appointment.user_id
    after_commit(lambda: disconnect_user(user_id))
    return appointment


def _offered(session, view: RoundView) -> set[str]:
    """The forms this viewer may use now: the governance table (who, in which phase, as the current stage opens
    it, never while paused), then the named conditions it leaves to the service (the signatory, the workflow's
    consent and conciliation board)."""
    round, own = view.round, view.constituency.value
    workflow = workflow_of(session, round)
    signatory = session.scalar(select(Signatory.user_id).where(Signatory.round_id == round.id,
                                                               Signatory.constituency == view.constituency))
    is_signatory = signatory == view.user_id or view.is_secretariat  # the secretariat records on their behalf
    consent = workflow.legal.consent
    by_board = consent is not None and bool(consent.conciliation_basis)  # BetrVG §87(2): the board's ruling
    checks = {"opinion": ("give_opinion", is_signatory),
              "response": ("respond_to_opinion", True),
              "consent": ("decide_consent", is_signatory and consent is not None and consent.by == own),
              # the secretariat records an appointment on behalf of any party the stage opens it to
              "expert": ("appoint_expert", is_signatory),
              # the board's ruling per function, and the employer's withdrawal or change of one
              "ruling": ("record_ruling", by_board), "revision": ("revise_functions", by_board)}
    offered = {form for form, (rule, condition) in checks.items()
               if condition and governance.may(session, view, rule, own)}
    stage = workflow.stage(round.stage)
    if round.establishments and stage.clock is not None and stage.clock.establishment_opinions is not None \
            and governance.may(session, view, "transmit_establishment_opinion", own):
        offered.add("establishment")  # R2312-6 II: the workers' side, or the secretariat on its behalf
    return offered


def may_inform(session, view: RoundView) -> bool:
    """Whether the viewer sees the forms that list and inform the affected workers (the governance table)."""
    return governance.may(session, view, "list_affected_workers") or \
        governance.may(session, view, "inform_affected_workers")


def _members(session, view: RoundView) -> list[User]:
    """The invited representatives of the viewer's constituency (the member in charge is one of them); for the
    secretariat, who records decisions on a constituency's behalf, those of every party that appoints."""
    parties = [Constituency.WORKERS, Constituency.EMPLOYERS, Constituency.GOVERNMENT] if view.is_secretariat \
        else [view.constituency]
    return list(session.scalars(select(User).join(Organisation).join(
        Participant, Participant.organisation_id == Organisation.id).where(
        Participant.round_id == view.round.id, Participant.removed_at.is_(None),
        Organisation.constituency.in_(parties)).order_by(User.display_name)))


def _may_end(session, view: RoundView, procedure: dict) -> set[str]:
    """The experts whose appointment this viewer may end: the secretariat, or the appointing side's signatory."""
    signatory = session.scalar(select(Signatory.user_id).where(Signatory.round_id == view.round.id,
                                                               Signatory.constituency == view.constituency))
    own = view.constituency.value
    if not governance.may(session, view, "end_expert", own):
        return set()
    return {e["id"] for e in procedure["experts"] if view.is_secretariat
            or (e["constituency"] == own and signatory == view.user_id)}


def _may_cost(session, view: RoundView, procedure: dict) -> set[str]:
    """The experts whose costs this viewer may record: any, for the employer and the secretariat; its own
    expert's, for a constituency (the governance table's OWN)."""
    own = view.constituency.value
    if not governance.may(session, view, "record_expert_cost", own):
        return set()
    grant = governance.require_role(view, "record_expert_cost", own)
    return {e["id"] for e in procedure["experts"] if grant != governance.OWN or e["constituency"] == own}


def _may_step(session, view: RoundView, procedure: dict) -> set[str]:
    """The experts whose calendar steps this viewer may record: the employer, the secretariat, or the
    appointing side's signatory."""
    own = view.constituency.value
    if not governance.may(session, view, "record_expert_step", own):
        return set()
    if view.is_secretariat or governance.role_of(view) == governance.Role.EMPLOYER:
        return {e["id"] for e in procedure["experts"]}
    signatory = session.scalar(select(Signatory.user_id).where(Signatory.round_id == view.round.id,
                                                               Signatory.constituency == view.constituency))
    return {e["id"] for e in procedure["experts"] if e["constituency"] == own and signatory == view.user_id}


def render_procedure(round_id: int, *, failed: str | None = None, error: ConsultError | None = None,
                     values: dict | None = None):
    """The procedure page, with a refused form's error and posted values where there was one."""
    session = db_session()
    view = get_visible_round(session, require_user(), round_id)
    procedure = procedure_of(session, view)
    return render_template(
        "round_procedure.html", view=view, round=view.round, procedure=procedure,
        may_end=_may_end(session, view, procedure), may_step=_may_step(session, view, procedure),
        may_cost=_may_cost(session, view, procedure),
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
@pages.route("/rounds/<int:round_id>/procedure/<form>/<item_id>", methods=["POST"])
@login_required
def procedure_form(round_id: int, form: str, item_id: str | None = None):
    """Give an opinion, answer one, decide consent, record a ruling, revise a function, appoint an expert, end an
    appointment, record a cost or a step of its calendar."""
    if form not in FORMS or (form in WITH_ITEM) != (item_id is not None):
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
