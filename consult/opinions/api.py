"""The API's procedure routes: opinions and reasoned responses, consent per function, experts and their costs."""

from __future__ import annotations

from consult.accounts.auth import require_user
from consult.api.routing import ROUTES, RouteSpec, api_v1, route
from consult.api.session import after_commit, db_session
from consult.errors import NotFound
from consult.live.rooms import disconnect_user
from consult.opinions import conciliation, expert_steps, experts, services
from consult.opinions.conciliation_schemas import PlanVersionIn, PlanVersionOut, RulingIn
from consult.opinions.models import RevisionKind
from consult.opinions.present import expert_brief, present_expert, present_opinion, present_revision, procedure_of
from consult.opinions.schemas import (
    ConsentIn,
    ConsentOut,
    CostIn,
    CostOut,
    EndExpertIn,
    ExpertBriefOut,
    ExpertIn,
    ExpertOut,
    OpinionIn,
    OpinionOut,
    ProcedureOut,
    ResponseIn,
    ResponseOut,
    StepIn,
    StepOut,
)
from consult.package.download import attachment
from consult.package.reading import visible_version
from consult.package.services import package_settings
from consult.rounds.plan import AIFunction
from consult.rounds.services import get_visible_round

WRITE_ERRORS = (403, 404, 409, 422)


@route("/rounds/<int:round_id>/procedure", summary="Opinions, responses, consents, experts and the legal clock",
       tag="procedure", response=ProcedureOut, errors=(404,))
def get_procedure(round_id: int):
    """Every participant sees the whole procedure: opinions and responses are plenary acts."""
    session = db_session()
    return procedure_of(session, get_visible_round(session, require_user(), round_id))


@route("/rounds/<int:round_id>/opinions", "POST", summary="Give my constituency's formal opinion (its signatory)",
       tag="procedure", body=OpinionIn, response=OpinionOut, status=201, errors=WRITE_ERRORS)
def give_opinion(round_id: int, body):
    """The signatory signs off the constituency's opinion on the plan or a section."""
    return present_opinion(services.give_opinion(db_session(), require_user(), round_id, body))


@route("/rounds/<int:round_id>/opinions/<opinion_id>/response", "POST", summary="Answer an opinion with reasons",
       tag="procedure", body=ResponseIn, response=ResponseOut, status=201, errors=WRITE_ERRORS)
def respond_to_opinion(round_id: int, opinion_id: str, body):
    """The employer's reasoned response, once per opinion."""
    response = services.respond_to_opinion(db_session(), require_user(), round_id, opinion_id, body["reasons"])
    return {"reasons": response.reasons, "by": response.responded_by.display_name,
            "at": response.responded_at.isoformat()}


@route("/rounds/<int:round_id>/consents", "POST", summary="Give or refuse consent for one function of the plan",
       tag="procedure", body=ConsentIn, response=ConsentOut, status=201, errors=WRITE_ERRORS)
def decide_consent(round_id: int, body):
    """Consent per function, by the constituency the workflow names (through its signatory)."""
    session = db_session()
    consent = services.decide_consent(session, require_user(), round_id, {**body, "function": body["function"].value})
    round = get_visible_round(session, require_user(), round_id).round
    return next(row for row in services.consents_of(session, round) if row["function"] == consent.function)


@route("/rounds/<int:round_id>/rulings", "POST", summary="Record the conciliation board's ruling on one function",
       tag="procedure", body=RulingIn, response=ConsentOut, status=201, errors=WRITE_ERRORS)
def record_ruling(round_id: int, body):
    """The secretariat records the Einigungsstelle's ruling; it replaces consent (BetrVG §87(2))."""
    session = db_session()
    ruling = conciliation.record_ruling(session, require_user(), round_id, {**body, "function": body["function"].value})
    round = get_visible_round(session, require_user(), round_id).round
    return next(row for row in services.consents_of(session, round) if row["function"] == ruling.function)


def _revise(round_id: int, function: str, kind: RevisionKind, body) -> dict:
    if function not in {f.value for f in AIFunction}:
        raise NotFound("No such function.")
    return present_revision(conciliation.revise_function(db_session(), require_user(), round_id, function, kind,
                                                         body["description"]))


@route("/rounds/<int:round_id>/plan/functions/<function>/withdrawal", "POST",
       summary="Withdraw a function from the plan (a new plan version)", tag="procedure", body=PlanVersionIn,
       response=PlanVersionOut, status=201, errors=WRITE_ERRORS)
def withdraw_function(round_id: int, function: str, body):
    """The employer takes a function out of the plan instead of waiting for consent or a ruling."""
    return _revise(round_id, function, RevisionKind.WITHDRAWN, body)


@route("/rounds/<int:round_id>/plan/functions/<function>/changes", "POST",
       summary="Change a function substantially (a new plan version; reopens its consent)", tag="procedure",
       body=PlanVersionIn, response=PlanVersionOut, status=201, errors=WRITE_ERRORS)
def change_function(round_id: int, function: str, body):
    """The employer changes a function; consent and any ruling given for it as it was no longer count."""
    return _revise(round_id, function, RevisionKind.CHANGED, body)


@route("/rounds/<int:round_id>/experts", "POST", summary="Appoint an expert for my constituency", tag="procedure",
       body=ExpertIn, response=ExpertOut, status=201, errors=WRITE_ERRORS)
def appoint_expert(round_id: int, body):
    """The appointment states why, who, the brief and the member in charge."""
    session = db_session()
    appointment = experts.appoint_expert(session, require_user(), round_id, body)
    view = get_visible_round(session, require_user(), round_id)
    return present_expert(session, view, appointment, experts.cost_bearer(session, view.round))


@route("/rounds/<int:round_id>/experts/<expert_id>/end", "POST", summary="End an expert's appointment",
       tag="procedure", body=EndExpertIn, response=ExpertOut, errors=WRITE_ERRORS)
def end_expert(round_id: int, expert_id: str, body):
    """The appointing constituency's decision, with its reason: the expert's access ends at once, sockets too."""
    session = db_session()
    appointment = experts.end_expert(session, require_user(), round_id, expert_id, body["reason"])
    user_id = appointment.user_id
    after_commit(lambda: disconnect_user(user_id))
    view = get_visible_round(session, require_user(), round_id)
    return present_expert(session, view, appointment, experts.cost_bearer(session, view.round))


@route("/rounds/<int:round_id>/experts/<expert_id>/costs", "POST", summary="Record a cost of an expert's work",
       tag="procedure", body=CostIn, response=CostOut, status=201, errors=WRITE_ERRORS)
def record_expert_cost(round_id: int, expert_id: str, body):
    """The employer, the secretariat or the appointing constituency."""
    return experts.record_cost(db_session(), require_user(), round_id, expert_id, body)


@route("/rounds/<int:round_id>/experts/<expert_id>/steps", "POST", summary="Record a step of an expert's "
       "calendar", tag="procedure", body=StepIn, response=StepOut, status=201, errors=WRITE_ERRORS)
def record_expert_step(round_id: int, expert_id: str, body):
    """The employer, the secretariat or the appointing side's signatory: once per step."""
    step = expert_steps.record_step(db_session(), require_user(), round_id, expert_id, body)
    return {"step": step.step, "note": step.note, "recorded_at": step.recorded_at.isoformat()}


@route("/rounds/<int:round_id>/expert", summary="What I may read as an expert appointed in this round",
       tag="procedure", response=ExpertBriefOut, errors=(404,))
def get_expert_brief(round_id: int):
    """Only the round's appointed experts: their appointment and their constituency's caucus; 404 for anyone else."""
    session = db_session()
    return expert_brief(session, experts.get_expert_view(session, require_user(), round_id))


def expert_download(round_id: int, document_id: str, version: int):
    """A released version the expert may read, as an attachment (never inline); 404 for anyone else."""
    session = db_session()
    view = experts.get_expert_view(session, require_user(), round_id)
    found = visible_version(session, view, document_id, version)
    if found is None:
        raise NotFound("No such document.")
    return attachment(found, package_settings(session).store.read(found.storage_key))


EXPERT_DOWNLOAD_RULE = "/rounds/<int:round_id>/expert/documents/<document_id>/versions/<int:version>/file"
api_v1.add_url_rule(EXPERT_DOWNLOAD_RULE, "expert_download_document", expert_download, methods=["GET"])
ROUTES.append(RouteSpec(EXPERT_DOWNLOAD_RULE, "GET", "expert_download_document",
                        "Download a released document as the round's expert (attachment)", "procedure", errors=(404,)))
