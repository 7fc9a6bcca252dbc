"""Drafting positions, recording stances and commitments, freezing the outcome, signing it: each with its event.

Any change to what the outcome says after it was frozen voids the frozen version and the signatures
collected on it, with an event that says so; the secretariat then freezes a new version.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import Organisation, User
from consult.accounts.services import check_password
from consult.comments.markdown import render_markdown
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, Invalid, NotFound
from consult.events.services import append_event
from consult.outcomes.models import (
    Commitment,
    Outcome,
    OutcomeStatus,
    PositionVersion,
    Signature,
    Stance,
    StanceKind,
)
from consult.outcomes.snapshot import build_document, canonical_json, current_positions, digest_of
from consult.outcomes.voiding import void_standing_outcome
from consult.policy import PARTICIPANTS
from consult.rounds import governance
from consult.rounds.models import Round, Section, Signatory
from consult.rounds.services import get_visible_round
from consult.web.labels import constituency_name, section_name


class ReauthenticationFailed(Forbidden):
    """The password given again before signing is not the signatory's."""

    code = "reauthentication_failed"


def _section(session: Session, round: Round, key: str) -> Section:
    section = session.scalar(select(Section).where(Section.round_id == round.id, Section.key == key))
    if section is None:
        raise NotFound(gettext("No such section in this round."))
    return section


def live_outcome(session: Session, round_id: int) -> Outcome | None:
    """The round's frozen or signed outcome, if any version is not void."""
    return session.scalar(select(Outcome).where(Outcome.round_id == round_id, Outcome.status != OutcomeStatus.VOID)
                          .order_by(Outcome.version.desc()).limit(1))


_void_outcome = void_standing_outcome  # a change after freezing voids the frozen version (see governance)


def draft_position(session: Session, actor: User, round_id: int, section_key: str, text: str,
                   base_version: int) -> PositionVersion:
    """Save a new version of a section's position; 409 with the current version if `base_version` is stale."""
    view = get_visible_round(session, actor, round_id, lock=True)
    round = view.round
    governance.require(session, view, "draft_position")
    section = _section(session, round, section_key)
    current = current_positions(session, round.id).get(section.id)
    current_version = current.version if current else 0
    if base_version != current_version:
        raise Conflict(gettext("Someone saved a newer version of this position; your text is not lost: compare it with "
                       "the current version and save again on top of it."), current={
                           "version": current_version, "text": current.text if current else "",
                           "drafted_at": current.drafted_at.isoformat() if current else None})
    version = PositionVersion(round_id=round.id, section_id=section.id, version=current_version + 1, text=text,
                              text_html=render_markdown(text), drafted_by_id=actor.id)
    session.add(version)
    _void_outcome(session, round, actor, f"The position on {section.title} changed.")
    session.flush()
    append_event(session, round, "position.drafted", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"section": section.key, "version": version.version})
    return version


def record_stance(session: Session, actor: User, round_id: int, section_key: str, stance: StanceKind,
                  statement: str) -> Stance:
    """Record (or change) the actor's constituency's stance on a section's current position."""
    view = get_visible_round(session, actor, round_id, lock=True)
    round = view.round
    governance.require(session, view, "record_stance")
    section = _section(session, round, section_key)
    position = current_positions(session, round.id).get(section.id)
    if position is None:
        raise Conflict(gettext("There is no drafted position on this section yet to take a stance on."),
                       stage=round.stage)
    if stance != StanceKind.AGREE and not statement:
        raise Invalid(gettext("Say why: a reservation or a disagreement needs a statement."),
                      fields={"statement": [gettext("Required unless you agree.")]})
    row = session.scalar(select(Stance).where(Stance.section_id == section.id,
                                              Stance.constituency == view.constituency))
    if row is None:
        row = Stance(round_id=round.id, section_id=section.id, constituency=view.constituency)
        session.add(row)
    row.stance, row.statement, row.position_version = stance, statement, position.version
    row.recorded_by_id, row.recorded_at = actor.id, utcnow()
    _void_outcome(session, round, actor, f"The {view.constituency.value} stance on {section.title} changed.")
    session.flush()
    append_event(session, round, "stance.recorded", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"section": section.key, "constituency": view.constituency.value, "stance": stance.value,
                          "statement": statement, "position_version": position.version})
    return row


def record_stances(session: Session, actor: User, round_id: int, stances: dict[str, dict[str, Any]]) -> list[Stance]:
    """Record the actor's constituency's stances on several sections at once: all of them, or none.

    `stances` maps section keys to {"stance", "statement"}. Every section is checked before anything is
    written, so one bad section refuses the whole set (422 naming each such section by its name); a section
    whose stance and statement are already recorded on its current version is left alone and appends nothing.
    """
    view = get_visible_round(session, actor, round_id, lock=True)
    round = view.round
    governance.require(session, view, "record_stance")
    sections = {section.key: section for section in round.sections}
    positions = current_positions(session, round.id)
    problems: dict[str, list[str]] = {}
    for key, given in stances.items():
        section = sections.get(key)
        if section is None:
            problems[key] = [gettext("No such section in this round.")]
        elif positions.get(section.id) is None:
            problems[key] = [gettext("There is no drafted position on this section yet to take a stance on.")]
        elif given["stance"] != StanceKind.AGREE and not given["statement"]:
            problems[key] = [gettext("Say why: a reservation or a disagreement needs a statement.")]
    if problems:
        names = ", ".join(section_name(sections[key].title) if key in sections else key for key in problems)
        raise Invalid(gettext("Nothing was saved: check the stances on %(sections)s.", sections=names),
                      fields={"stances": problems})
    recorded = {row.section_id: row for row in session.scalars(select(Stance).where(
        Stance.round_id == round.id, Stance.constituency == view.constituency))}
    changed = []
    for section in round.sections:  # in the plan's order, so the log reads like the page
        given = stances.get(section.key)
        if given is None:
            continue
        row = recorded.get(section.id)
        if row is not None and (row.stance, row.statement, row.position_version) == (
                given["stance"], given["statement"], positions[section.id].version):
            continue
        changed.append(record_stance(session, actor, round_id, section.key, given["stance"], given["statement"]))
    return changed


def add_commitment(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> Commitment:
    """Add a commitment to the outcome (the secretariat, while drafting is open)."""
    view = get_visible_round(session, actor, round_id, lock=True)
    round = view.round
    governance.require(session, view, "add_commitment")
    owner = session.get(Organisation, data["owner_organisation_id"])
    taking_part = {p.organisation_id for p in round.participants if p.removed_at is None}
    if owner is None or owner.id not in taking_part:
        raise Invalid(gettext("The owner must be an organisation taking part in the round."),
                      fields={"owner_organisation_id": [gettext("Not an organisation of this round.")]})
    commitment = Commitment(round_id=round.id, description=data["description"], owner_organisation_id=owner.id,
                            kpi=data["kpi"], target=data["target"], due_on=data["due_on"], created_by_id=actor.id)
    session.add(commitment)
    _void_outcome(session, round, actor, "A commitment was added.")
    session.flush()
    append_event(session, round, "commitment.added", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"commitment_id": commitment.id, "owner": owner.name, "kpi": commitment.kpi,
                          "due_on": commitment.due_on.isoformat()})
    return commitment


def freeze_outcome(session: Session, actor: User, round_id: int) -> Outcome:
    """Freeze the outcome as it stands into a new version; the same content frozen again is the same version."""
    view = get_visible_round(session, actor, round_id, lock=True)
    round = view.round
    governance.require(session, view, "freeze_outcome")
    canonical = canonical_json(build_document(session, round))
    digest = digest_of(canonical)
    current = live_outcome(session, round.id)
    if current is not None and current.digest == digest:
        return current
    if current is not None:
        _void_outcome(session, round, actor, "A new version was frozen.")
    version = (session.scalar(select(func.max(Outcome.version)).where(Outcome.round_id == round.id)) or 0) + 1
    outcome = Outcome(round_id=round.id, version=version, digest=digest, canonical=canonical,
                      status=OutcomeStatus.FROZEN, frozen_by_id=actor.id)
    session.add(outcome)
    session.flush()
    append_event(session, round, "outcome.frozen", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"version": version, "digest": digest})
    return outcome


def sign_outcome(session: Session, actor: User, round_id: int, digest: str, password: str,
                 reservation: str | None) -> Signature:
    """The named signatory of the actor's constituency signs the frozen digest, after giving their password."""
    view = get_visible_round(session, actor, round_id, lock=True)
    round = view.round
    governance.require_role(view, "sign_outcome")  # then the named conditions: who signs, and who for them
    if view.constituency.value not in round.required_constituencies:
        raise Forbidden(gettext("%(constituency)s does not sign this round's outcome.",
                                constituency=constituency_name(view.constituency)))
    named = session.scalar(select(Signatory.user_id).where(Signatory.round_id == round.id,
                                                           Signatory.constituency == view.constituency))
    if named != actor.id:
        raise Forbidden(gettext("Only the named signatory signs for %(constituency)s.",
                                constituency=constituency_name(view.constituency)))
    governance.require(session, view, "sign_outcome")
    if not check_password(actor, password):
        raise ReauthenticationFailed("That is not your password; nothing was signed.",
                                     fields={"password": ["Does not match."]})
    outcome = live_outcome(session, round.id)
    if outcome is None:
        raise Conflict(gettext("The outcome has not been frozen yet: there is nothing to sign."), stage=round.stage)
    if outcome.digest != digest:
        raise Conflict(gettext("The outcome changed since you read it: read the current version and sign its digest."),
                       current={"version": outcome.version, "digest": outcome.digest})
    if any(s.constituency == view.constituency for s in outcome.signatures):
        raise Conflict(gettext("%(constituency)s signed this version already.",
                               constituency=constituency_name(view.constituency)))
    signature = Signature(outcome_id=outcome.id, constituency=view.constituency, user_id=actor.id, digest=digest,
                          reservation=reservation or None)
    outcome.signatures.append(signature)
    session.flush()
    append_event(session, round, "outcome.signature_added", actor_id=actor.id, audience=PARTICIPANTS,
                 payload={"version": outcome.version, "digest": digest, "constituency": view.constituency.value,
                          "reservation": signature.reservation})
    signed = {s.constituency.value for s in outcome.signatures}
    if set(round.required_constituencies) <= signed:
        outcome.status, outcome.signed_at = OutcomeStatus.SIGNED, utcnow()
        append_event(session, round, "outcome.signed", actor_id=None, audience=PARTICIPANTS,
                     payload={"version": outcome.version, "digest": digest, "constituencies": sorted(signed)})
    return signature


def missing_stances(session: Session, round: Round) -> dict[str, list[str]]:
    """For each required constituency, the keys of the drafted sections it has recorded no stance on yet."""
    positions = current_positions(session, round.id)
    recorded = {(s.section_id, s.constituency.value)
                for s in session.scalars(select(Stance).where(Stance.round_id == round.id))}
    return {c: [section.key for section in round.sections
                if section.id in positions and (section.id, c) not in recorded]
            for c in round.required_constituencies}


def sign_off_facts(session: Session, round: Round) -> dict[str, Any]:
    """Stances and signatures still missing, for the sign-off gates."""
    missing = sorted(c for c, sections in missing_stances(session, round).items() if sections)
    outcome = live_outcome(session, round.id)
    signed = {s.constituency.value for s in outcome.signatures} if outcome else set()
    return {"stances_missing": missing,
            "signatures_missing": sorted(set(round.required_constituencies) - signed)}
