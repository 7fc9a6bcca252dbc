"""The outcome document's content: built from the round, in canonical JSON, identified by its SHA-256 digest."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.comments.models import Channel, Comment
from consult.opinions.record import document_parts
from consult.outcomes.models import Commitment, Outcome, PositionVersion, Stance
from consult.outcomes.schemas import SignatureOut
from consult.package.record import package_record, unanswered_record
from consult.policy import counts_commenters, shows_people
from consult.rounds.duty_fields import plan_record
from consult.rounds.models import Participant, Round, Signatory
from consult.rounds.schemas import PlanOut


def canonical_json(document: dict[str, Any]) -> str:
    """One spelling for one content: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(canonical: str) -> str:
    """The SHA-256 digest (hex) of a canonical document."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def current_positions(session: Session, round_id: int) -> dict[int, PositionVersion]:
    """The latest version of each section's position, by section id."""
    latest: dict[int, PositionVersion] = {}
    for version in session.scalars(select(PositionVersion).where(PositionVersion.round_id == round_id)
                                   .order_by(PositionVersion.version)):
        latest[version.section_id] = version
    return latest


def build_document(session: Session, round: Round) -> dict[str, Any]:
    """Everything the parties sign, as plain data: commenters by name only under `named` (consult/policy/)."""
    positions = current_positions(session, round.id)
    stances: dict[int, list[Stance]] = {}
    for stance in session.scalars(select(Stance).where(Stance.round_id == round.id).order_by(Stance.constituency)):
        stances.setdefault(stance.section_id, []).append(stance)
    sections = []
    for section in round.sections:
        position = positions.get(section.id)
        sections.append({
            "key": section.key, "title": section.title, "impact_statement": section.impact_statement,
            "position": {"version": position.version, "text": position.text, "text_html": position.text_html}
            if position else None,
            "stances": [{"constituency": s.constituency.value, "stance": s.stance.value, "statement": s.statement,
                         "position_version": s.position_version} for s in stances.get(section.id, [])],
        })
    commitments = session.scalars(select(Commitment).where(Commitment.round_id == round.id).order_by(Commitment.id))
    people: dict[int, list[str]] = {}
    commenters: dict[int, set[int]] = {}
    plenary = session.scalars(select(Comment).where(Comment.round_id == round.id, Comment.channel == Channel.PLENARY)
                              .order_by(Comment.id))
    for comment in plenary:
        commenters.setdefault(comment.author_organisation_id, set()).add(comment.author_id)
        names = people.setdefault(comment.author_organisation_id, [])
        if shows_people(round, comment.author_constituency.value) and comment.author.display_name not in names:
            names.append(comment.author.display_name)
    participants = session.scalars(select(Participant).where(Participant.round_id == round.id,
                                                             Participant.removed_at.is_(None))
                                   .order_by(Participant.id))
    signatories = session.scalars(select(Signatory).where(Signatory.round_id == round.id)
                                  .order_by(Signatory.constituency))
    document = {
        "round": {"id": round.id, "title": round.title, "workflow": round.workflow, "time_zone": round.time_zone,
                  "employer": round.employer.name, "language": round.language},
        "plan": plan_record(PlanOut().dump(round.plan)),
        "sections": sections,
        "commitments": [{"id": c.id, "description": c.description, "owner": c.owner.name, "kpi": c.kpi,
                         "target": c.target, "due_on": c.due_on.isoformat()} for c in commitments],
        "participants": [{"organisation": p.organisation.name, "constituency": p.organisation.constituency.value,
                          "people": people.get(p.organisation_id, []),
                          "commenters": len(commenters.get(p.organisation_id, ()))
                          if counts_commenters(round, p.organisation.constituency.value) else None}
                         for p in participants],
        "signatories": [{"constituency": s.constituency.value, "name": s.user.display_name,
                         "organisation": s.user.organisation.name, "role": s.user.role_title} for s in signatories],
        "required_constituencies": list(round.required_constituencies),
        **document_parts(session, round),
    }
    # Added only where there is something, so outcomes of rounds without a package keep their old shape.
    if (package := package_record(session, round.id)) is not None:
        document["information_package"] = package
    if unanswered := unanswered_record(session, round.id):
        document["unanswered_questions"] = unanswered
    return document


def public_document(round: Round, document: dict[str, Any]) -> dict[str, Any]:
    """A frozen document as anyone may be shown it: masked commenters never listed, counted where allowed.

    Outcomes frozen before the unlinkability rule (consult/policy/) listed pseudonyms per organisation
    inside the signed text; they keep that text and its digest, and every path shows them through this.
    """
    return {**document, "participants": [_counted(round, entry) for entry in document.get("participants", [])]}


def _counted(round: Round, entry: dict[str, Any]) -> dict[str, Any]:
    if shows_people(round, entry["constituency"]):
        return entry
    count = entry.get("commenters", len(entry["people"])) if counts_commenters(round, entry["constituency"]) else None
    return {**entry, "people": [], "commenters": count}


def is_legacy(round: Round, document: dict[str, Any]) -> bool:
    """Whether a frozen document lists masked commenters (frozen before the unlinkability rule)."""
    return any(entry["people"] and not shows_people(round, entry["constituency"])
               for entry in document.get("participants", []))


def verification_record(session, digest: str) -> dict:
    """What the record says about a digest; only frozen or signed outcomes are on record for the public."""
    outcome = session.scalar(select(Outcome).where(Outcome.digest == digest).order_by(Outcome.id.desc()).limit(1))
    if outcome is None:
        return {"digest": digest, "on_record": False, "status": None, "round_title": None, "time_zone": None,
                "version": None, "frozen_at": None, "signed_at": None, "signatures": []}
    round = json.loads(outcome.canonical)["round"]
    return {"digest": digest, "on_record": True, "status": outcome.status.value,
            "round_title": round["title"], "time_zone": round.get("time_zone"), "version": outcome.version,
            "frozen_at": outcome.frozen_at, "signed_at": outcome.signed_at,
            "signatures": [SignatureOut(only=("constituency", "name", "organisation", "role", "signed_at",
                                              "reservation")).dump(s) for s in outcome.signatures]}
