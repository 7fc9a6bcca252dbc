"""The API's outcome routes: positions, stances, commitments, freezing, signing, exports, public verification."""

from __future__ import annotations

import json

from flask_babel import gettext
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.api.routing import route
from consult.api.session import db_session
from consult.errors import NotFound
from consult.outcomes import exports, services
from consult.outcomes.models import Commitment, ExportJob, Outcome, PositionVersion, Stance
from consult.outcomes.schemas import (
    CommitmentIn,
    CommitmentOut,
    ExportIn,
    ExportOut,
    OutcomeOut,
    PositionIn,
    PositionOut,
    SectionPositionOut,
    SignatureOut,
    SignIn,
    StanceIn,
    StanceOut,
    StancesIn,
    VerificationOut,
)
from consult.outcomes.snapshot import current_positions, public_document, verification_record
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round

WRITE_ERRORS = (403, 404, 409, 422)


def _position(version: PositionVersion) -> dict:
    return {"section": version.section.key, "version": version.version, "text": version.text,
            "text_html": version.text_html, "drafted_at": version.drafted_at, "drafted_by_id": version.drafted_by_id}


def _stance(stance: Stance) -> dict:
    return {"section": stance.section.key, "constituency": stance.constituency.value, "stance": stance.stance.value,
            "statement": stance.statement, "position_version": stance.position_version,
            "recorded_at": stance.recorded_at}


@route("/rounds/<int:round_id>/positions", summary="Each section's current position and the stances on it",
       tag="outcome", response=SectionPositionOut, many=True, errors=(404,))
def list_positions(round_id: int):
    """Positions and stances are plenary: every participant sees them."""
    session = db_session()
    return section_positions(session, get_visible_round(session, require_user(), round_id).round)


def section_positions(session, round) -> list[dict]:
    """Each section of the round with its current position and the stances on it (the API and the pages)."""
    positions = current_positions(session, round.id)
    stances = session.scalars(select(Stance).where(Stance.round_id == round.id).order_by(Stance.constituency)).all()
    return [{"section": s.key, "title": s.title,
             "position": _position(positions[s.id]) if s.id in positions else None,
             "stances": [_stance(x) for x in stances if x.section_id == s.id]} for s in round.sections]


@route("/rounds/<int:round_id>/positions/<section>/versions", summary="Every version of a section's position",
       tag="outcome", response=PositionOut, many=True, errors=(404,))
def list_versions(round_id: int, section: str):
    """All versions, oldest first."""
    session = db_session()
    round = get_visible_round(session, require_user(), round_id).round
    return position_versions(session, round.id).get(section, [])


def position_versions(session, round_id: int) -> dict[str, list[dict]]:
    """Every version of every position of a round, oldest first, by section key."""
    rows = session.scalars(select(PositionVersion).where(PositionVersion.round_id == round_id)
                           .order_by(PositionVersion.version)).all()
    found: dict[str, list[dict]] = {}
    for version in rows:
        found.setdefault(version.section.key, []).append(_position(version))
    return found


@route("/rounds/<int:round_id>/positions/<section>", "PUT", summary="Save a new version of a position",
       tag="outcome", body=PositionIn, response=PositionOut, errors=WRITE_ERRORS)
def draft_position(round_id: int, section: str, body):
    """The secretariat saves a version on top of `base_version`; a stale base answers 409 with the current one."""
    version = services.draft_position(db_session(), require_user(), round_id, section, body["text"],
                                      body["base_version"])
    return _position(version)


@route("/rounds/<int:round_id>/stances/<section>", "PUT", summary="Record my constituency's stance",
       tag="outcome", body=StanceIn, response=StanceOut, errors=WRITE_ERRORS)
def record_stance(round_id: int, section: str, body):
    """Agree, agree with a reservation, or disagree, with a statement."""
    return _stance(services.record_stance(db_session(), require_user(), round_id, section, body["stance"],
                                          body["statement"]))


@route("/rounds/<int:round_id>/stances", "PUT", summary="Record my constituency's stances on several sections",
       tag="outcome", body=StancesIn, response=StanceOut, many=True, errors=WRITE_ERRORS)
def record_stances(round_id: int, body):
    """All the given sections' stances in one transaction, or none; answers the stances that changed."""
    return [_stance(stance) for stance in services.record_stances(db_session(), require_user(), round_id,
                                                                   body["stances"])]


@route("/rounds/<int:round_id>/commitments", summary="The outcome's commitments", tag="outcome",
       response=CommitmentOut, many=True, errors=(404,))
def list_commitments(round_id: int):
    """Commitments, oldest first."""
    session = db_session()
    return commitments_of(session, get_visible_round(session, require_user(), round_id).round.id)


def commitments_of(session, round_id: int) -> list:
    """A round's commitments, oldest first."""
    return session.scalars(select(Commitment).where(Commitment.round_id == round_id).order_by(Commitment.id)).all()


@route("/rounds/<int:round_id>/commitments", "POST", summary="Add a commitment", tag="outcome",
       body=CommitmentIn, response=CommitmentOut, status=201, errors=WRITE_ERRORS)
def add_commitment(round_id: int, body):
    """The secretariat writes a commitment with its owner, KPI, target and due date."""
    return services.add_commitment(db_session(), require_user(), round_id, body)


def present_outcome(outcome: Outcome, round: Round) -> dict:
    """An outcome version with what is still missing; its document as `public_document` shows it."""
    required = round.required_constituencies
    signed = {s.constituency.value for s in outcome.signatures}
    return {"version": outcome.version, "digest": outcome.digest, "status": outcome.status.value,
            "frozen_at": outcome.frozen_at, "signed_at": outcome.signed_at, "signatures": outcome.signatures,
            "missing": sorted(set(required) - signed),
            "document": public_document(round, json.loads(outcome.canonical))}


@route("/rounds/<int:round_id>/outcome", summary="The current outcome version", tag="outcome",
       response=OutcomeOut, errors=(404,))
def get_outcome(round_id: int):
    """The frozen or signed outcome; 404 before the first freeze."""
    session = db_session()
    round = get_visible_round(session, require_user(), round_id).round
    outcome = services.live_outcome(session, round.id)
    if outcome is None:
        raise NotFound(gettext("The outcome has not been frozen yet."))
    return present_outcome(outcome, round)


@route("/rounds/<int:round_id>/outcome/freeze", "POST", summary="Freeze the outcome for signature",
       tag="outcome", response=OutcomeOut, status=201, errors=(403, 404, 409))
def freeze(round_id: int):
    """The secretariat freezes what the outcome says now into a version with its digest."""
    session = db_session()
    outcome = services.freeze_outcome(session, require_user(), round_id)
    return present_outcome(outcome, get_visible_round(session, require_user(), round_id).round)


@route("/rounds/<int:round_id>/outcome/sign", "POST", summary="Sign the frozen outcome", tag="outcome",
       body=SignIn, response=SignatureOut, status=201, errors=WRITE_ERRORS)
def sign(round_id: int, body):
    """A named signatory signs the digest they read, giving their password again."""
    return services.sign_outcome(db_session(), require_user(), round_id, body["digest"], body["password"],
                                 body["reservation"])


@route("/rounds/<int:round_id>/exports", "POST", summary="Export the signed outcome as a signed PDF",
       tag="outcome", body=ExportIn, response=ExportOut, status=202, errors=WRITE_ERRORS)
def request_export(round_id: int, body):
    """Answers at once; `export.progress` and `export.ready` events follow. One render per digest."""
    job, _created = exports.request_export(db_session(), require_user(), round_id, body["kind"])
    return job


@route("/rounds/<int:round_id>/exports/<int:job_id>", summary="An export job", tag="outcome", response=ExportOut,
       errors=(404,))
def get_export(round_id: int, job_id: int):
    """Its status, and where to download it once ready."""
    session = db_session()
    round = get_visible_round(session, require_user(), round_id).round
    job = session.get(ExportJob, job_id)
    if job is None or job.round_id != round.id:
        raise NotFound(gettext("No such export."))
    return job


def export_jobs_of(session, round_id: int) -> list[ExportJob]:
    """A round's export jobs, newest first."""
    return session.scalars(select(ExportJob).where(ExportJob.round_id == round_id)
                           .order_by(ExportJob.id.desc())).all()


@route("/verify/<digest>", summary="What the record says about an outcome digest", tag="verification",
       response=VerificationOut, public=True, errors=(404,))
def verify_digest(digest: str):
    """Public: anyone holding a PDF can check its digest against the record."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise NotFound(gettext("Not a SHA-256 digest."))
    return verification_record(db_session(), digest)
