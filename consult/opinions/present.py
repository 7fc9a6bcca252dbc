"""The round's legal procedure as a participant, or an appointed expert, is shown it (the API and the pages)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.opinions.clock_text import present_clock
from consult.opinions.establishment import profile_warning
from consult.opinions.experts import caucus_comments, cost_bearer, experts_of
from consult.opinions.models import Expert, Opinion
from consult.opinions.record import rollout_warning
from consult.opinions.services import consents_of, opinions_of
from consult.package.reading import present_package
from consult.policy import RoundView, aliases_of, present_comment
from consult.timeline.rules import workflow_of


def present_opinion(opinion: Opinion) -> dict[str, Any]:
    """An opinion with its response."""
    response = opinion.response
    return {"id": opinion.id, "constituency": opinion.constituency.value, "section": opinion.section_key,
            "verdict": opinion.verdict.value, "reasons": opinion.reasons, "is_deemed": opinion.is_deemed,
            "basis": opinion.basis, "given_at": opinion.given_at.isoformat(),
            "signed_by": opinion.signed_by.display_name if opinion.signed_by else None,
            "response": {"reasons": response.reasons, "by": response.responded_by.display_name,
                         "at": response.responded_at.isoformat()} if response else None}


def present_expert(expert: Expert, bearer: dict[str, Any] | None) -> dict[str, Any]:
    """An appointed expert and the costs recorded."""
    return {"id": expert.id, "constituency": expert.constituency.value, "name": expert.user.display_name,
            "firm": expert.firm, "reason": expert.reason, "brief": expert.brief,
            "member_in_charge": expert.member_in_charge.display_name, "appointed_at": expert.appointed_at.isoformat(),
            "costs": [{"amount_minor": c.amount_minor, "currency": c.currency, "description": c.description}
                      for c in expert.costs],
            "employer_bears_costs": bearer["employer_bears_costs"] if bearer else None}


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
            "experts": [present_expert(e, bearer) for e in experts_of(session, round.id)],
            "clock": clock_of(session, view), "expert_costs": bearer,
            "is_legal": workflow.legal.jurisdiction is not None,
            "profile_warning": profile_warning(session.info["workflows"], workflow, round.establishment_country,
                                               round.time_zone),
            "rollout_warning": rollout_warning(session, round)}


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
            "appointment": present_expert(appointment, cost_bearer(session, round)),
            "package": expert_package(session, view),
            "caucus": [present_comment(view, comment, aliases) for comment in caucus_comments(session, view)]}
