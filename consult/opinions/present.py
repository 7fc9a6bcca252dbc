"""The round's legal procedure as a participant, or an appointed expert, is shown it (the API and the pages)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.informing.present import affected_workers_of
from consult.opinions.clock_text import present_clock
from consult.opinions.conciliation import revisions_of
from consult.opinions.establishment import profile_warning
from consult.opinions.expert_calendar import calendar_of, cost_split
from consult.opinions.experts import caucus_comments, cost_bearer, experts_of, term_of
from consult.opinions.models import Expert, Opinion, PlanRevision
from consult.opinions.record import rollout_warning
from consult.opinions.services import consents_of, opinions_of
from consult.package.reading import present_package
from consult.policy import RoundView, aliases_of, member_in_charge_shown, present_comment
from consult.timeline.rules import workflow_of
from consult.workflow.duties import describe


def present_opinion(opinion: Opinion) -> dict[str, Any]:
    """An opinion with its response."""
    response = opinion.response
    return {"id": opinion.public_id, "constituency": opinion.constituency.value, "section": opinion.section_key,
            "verdict": opinion.verdict.value, "reasons": opinion.reasons, "is_deemed": opinion.is_deemed,
            "basis": opinion.basis, "given_at": opinion.given_at.isoformat(),
            "signed_by": opinion.signed_by.display_name if opinion.signed_by else None,
            "response": {"reasons": response.reasons, "by": response.responded_by.display_name,
                         "at": response.responded_at.isoformat()} if response else None}


def present_expert(session: Session, view: RoundView, expert: Expert, bearer: dict[str, Any] | None) -> dict[str, Any]:
    """An appointed expert, their term and the costs recorded; the member in charge named only to those who see
    that constituency's people by name, and to the expert, who works with them."""
    constituency = expert.constituency.value
    shown = member_in_charge_shown(view.round, constituency, view.constituency) or view.expert_for is not None
    return {"id": expert.public_id, "constituency": constituency, "name": expert.user.display_name,
            "firm": expert.firm, "reason": expert.reason, "brief": expert.brief,
            "member_in_charge": expert.member_in_charge.display_name if shown else None,
            "appointed_at": expert.appointed_at.isoformat(), "term": term_of(session, expert, view.round),
            "costs": [{"amount_minor": c.amount_minor, "currency": c.currency, "description": c.description}
                      for c in expert.costs],
            "employer_bears_costs": bearer["employer_bears_costs"] if bearer else None,
            "calendar": calendar_of(session, view.round, expert), "cost_split": cost_split(session, view.round, expert)}


def clock_of(session: Session, view: RoundView) -> dict[str, Any] | None:
    """The current stage's legal clock, if it has one."""
    stage = workflow_of(session, view.round).stage(view.round.stage)
    if stage.clock is None:
        return None
    return present_clock(session, view.round, stage)


def procedure_of(session: Session, view: RoundView) -> dict[str, Any]:
    """Everything of the procedure a participant sees: all of it is plenary."""
    round = view.round
    workflow = workflow_of(session, round)
    bearer = cost_bearer(session, round)
    return {"opinions": [present_opinion(o) for o in opinions_of(session, round.id)],
            "consents": consents_of(session, round),
            "experts": [present_expert(session, view, e, bearer) for e in experts_of(session, round.id)],
            "clock": clock_of(session, view), "expert_costs": bearer,
            "is_legal": workflow.legal.jurisdiction is not None,
            "profile_warning": profile_warning(session.info["workflows"], workflow, round.establishment_country,
                                               round.time_zone),
            "rollout_warning": rollout_warning(session, round),
            "plan_revisions": [present_revision(r) for r in revisions_of(session, round.id)],
            "duties": describe(workflow.duties),
            "affected_workers": affected_workers_of(session, view)}


def present_revision(revision: PlanRevision) -> dict[str, Any]:
    """A version of the plan as the API shows it."""
    return {"version": revision.version, "kind": revision.kind.value, "function": revision.function,
            "description": revision.description, "revised_at": revision.revised_at.isoformat()}


def expert_package(session: Session, view: RoundView) -> list[dict[str, Any]]:
    """The released package as the expert may read it, each version downloaded through the expert's own route."""
    documents = present_package(session, view)["documents"]
    for document in documents:
        for version in document["versions"]:
            version["download"] = (f"/api/v1/rounds/{view.round.id}/expert/documents/{document['id']}/versions/"
                                   f"{version['version']}/file")
    return documents


def expert_brief(session: Session, view: RoundView) -> dict[str, Any]:
    """What the appointed expert reads: the appointment, the released package (every party's documents and the
    appointing constituency's), and that constituency's caucus."""
    round = view.round
    appointment = session.scalar(select(Expert).where(Expert.round_id == round.id, Expert.user_id == view.user_id))
    aliases = aliases_of(session, round.id)
    return {"round_id": round.id, "title": round.title, "constituency": view.expert_for,
            "appointment": present_expert(session, view, appointment, cost_bearer(session, round)),
            "package": expert_package(session, view),
            "caucus": [present_comment(view, comment, aliases) for comment in caucus_comments(session, view)]}


def appointed_experts(session: Session, view: RoundView) -> list[dict[str, Any]]:
    """The round's experts with their terms, as the people page lists them."""
    return [present_expert(session, view, e, None) for e in experts_of(session, view.round.id)]
