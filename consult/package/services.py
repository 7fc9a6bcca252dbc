"""The information package's writes: attach a document or a new version, release, acknowledge receipt.

Who may do each, and when, is the governance table (consult/rounds/governance.py); who may see each document
is the policy (`RoundView.may_see_document`). Every change appends its event in the same transaction:
- `document.attached`, `document.version_added`: to the secretariat (an all-party document) or to the person who
  attached it (a caucus document); a draft is the employer's and the secretariat's until released;
- `package.released`: one per audience, to every participant (`caucus` None) or to one caucus; releases are
  numbered per audience, so a party cannot count what was released to a caucus it cannot read;
- `package.acknowledged`: one organisation's receipt of one release, to that release's audience.
The first release happens by itself when the round leaves its draft (`release_on_start`, a stage hook of
consult/bootstrap.py): the information stage starts with the package delivered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, User
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, NotFound
from consult.events.services import append_event
from consult.package.inspect import inspect_upload
from consult.package.models import Acknowledgement, Document, DocumentVersion, PackageRelease, new_public_id
from consult.package.reading import by_reference
from consult.package.storage import DocumentStore
from consult.policy import SECRETARIAT, RoundView, package_audience, user_audience
from consult.rounds import governance
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of


@dataclass(frozen=True)
class PackageSettings:
    """The store and the limits uploads are held to (given to every session by create_app)."""

    store: DocumentStore
    max_bytes: int
    max_unzipped_bytes: int


def package_settings(session: Session) -> PackageSettings:
    """The settings the application gave the session."""
    return session.info["package"]


def _draft_audience(caucus: Constituency | None, actor: User) -> str:
    # A draft is the preparers' business: an all-party one goes to the secretariat (the employer sees it on the
    # package page); a caucus one only to the person who attached it, since not everyone who reads the caucus
    # sees drafts, and not every secretariat reads the caucus.
    return user_audience(actor.id) if caucus is not None else SECRETARIAT


def version_facts(version: DocumentVersion) -> dict[str, Any]:
    """A version as events, the outcome and the API name it: name, version, size, digest."""
    return {"document_id": version.document.public_id, "title": version.document.title, "version": version.version,
            "filename": version.filename, "media_type": version.media_type, "size_bytes": version.size_bytes,
            "sha256": version.sha256}


def _stored_version(session: Session, actor: User, document: Document, number: int, filename: str,
                    data: bytes, note: str) -> DocumentVersion:
    settings = package_settings(session)
    name, kind = inspect_upload(filename, data, max_bytes=settings.max_bytes,
                                max_unzipped=settings.max_unzipped_bytes)
    digest = hashlib.sha256(data).hexdigest()
    key = settings.store.put(digest, data)  # content-addressed: a failed transaction leaves no wrong row
    version = DocumentVersion(document=document, round_id=document.round_id, version=number, filename=name,
                              kind=kind.key, media_type=kind.media_type, size_bytes=len(data), sha256=digest,
                              storage_key=key, note=note, uploaded_by_id=actor.id, uploaded_at=utcnow())
    session.add(version)
    session.flush()
    return version


def _preparer(session: Session, actor: User, round_id: int, action: str) -> RoundView:
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, action)
    return view


def attach_document(session: Session, actor: User, round_id: int, *, title: str, caucus: Constituency | None,
                    filename: str, data: bytes, note: str = "") -> DocumentVersion:
    """Attach a new document (version 1) for every party or for one caucus; checked before anything is kept."""
    view = _preparer(session, actor, round_id, "attach_document")
    if caucus is not None and caucus.value not in view.visible_caucuses:
        raise Forbidden("You can attach a document only for a caucus you read yourself.")
    document = Document(public_id=new_public_id("d"), round_id=view.round.id, title=title, caucus=caucus,
                        attached_by_id=actor.id)
    session.add(document)
    version = _stored_version(session, actor, document, 1, filename, data, note)
    append_event(session, view.round, "document.attached", actor_id=actor.id, audience=_draft_audience(caucus, actor),
                 payload={**version_facts(version), "caucus": caucus.value if caucus else None})
    return version


def visible_document(session: Session, view: RoundView, document_ref: str | int) -> Document:
    """A document the viewer may learn of (released, or a draft they prepare); 404 otherwise."""
    document = by_reference(session, Document, view.round.id, document_ref)
    if document is None:
        raise NotFound("No such document.")
    released = any(v.release_id is not None for v in document.versions)
    if not view.may_see_document(document.caucus, is_released=released):
        raise NotFound("No such document.")
    return document


def add_version(session: Session, actor: User, round_id: int, document_ref: str | int, *, filename: str,
                data: bytes, note: str = "") -> DocumentVersion:
    """A new version of a document; every earlier version stays as it was."""
    view = _preparer(session, actor, round_id, "attach_document")
    document = visible_document(session, view, document_ref)
    number = (session.scalar(select(func.max(DocumentVersion.version))
                             .where(DocumentVersion.document_id == document.id)) or 0) + 1
    version = _stored_version(session, actor, document, number, filename, data, note)
    append_event(session, view.round, "document.version_added", actor_id=actor.id,
                 audience=_draft_audience(document.caucus, actor),
                 payload={**version_facts(version), "caucus": document.caucus.value if document.caucus else None})
    return version


def release_pending(session: Session, round: Round, actor_id: int | None, at: datetime | None = None, *,
                    by: str = "hand") -> list[PackageRelease]:
    """Release every version not yet released, one release per audience; the round is locked by the caller."""
    pending = list(session.scalars(select(DocumentVersion).join(Document).where(
        DocumentVersion.round_id == round.id, DocumentVersion.release_id.is_(None)).order_by(DocumentVersion.id)))
    at = at or utcnow()
    by_audience: dict[Constituency | None, list[DocumentVersion]] = {}
    for version in pending:
        by_audience.setdefault(version.document.caucus, []).append(version)
    releases = []
    for caucus in sorted(by_audience, key=lambda c: "" if c is None else c.value):
        number = (session.scalar(select(func.max(PackageRelease.number)).where(
            PackageRelease.round_id == round.id,
            PackageRelease.caucus.is_(None) if caucus is None else PackageRelease.caucus == caucus)) or 0) + 1
        release = PackageRelease(public_id=new_public_id("r"), round_id=round.id, caucus=caucus, number=number,
                                 released_at=at, released_by_id=actor_id, stage=round.stage)
        session.add(release)
        session.flush()
        for version in by_audience[caucus]:
            version.release_id = release.id
        append_event(session, round, "package.released", actor_id=actor_id, audience=package_audience(caucus),
                     at=at, payload={"release_id": release.public_id, "number": number,
                                     "caucus": caucus.value if caucus else None, "released_at": at.isoformat(),
                                     "stage": round.stage, "by": by,
                                     "documents": [version_facts(v) for v in by_audience[caucus]]})
        releases.append(release)
    return releases


def has_pending(session: Session, round_id: int) -> bool:
    """Whether a document version of the round waits to be released (the page offers the release then only)."""
    return session.scalar(select(DocumentVersion.id).where(DocumentVersion.round_id == round_id,
                                                           DocumentVersion.release_id.is_(None)).limit(1)) is not None


def release_package(session: Session, actor: User, round_id: int) -> list[PackageRelease]:
    """Release the new documents and versions now (after the round has started)."""
    view = _preparer(session, actor, round_id, "release_package")
    if workflow_of(session, view.round).stage(view.round.stage).on_deadline == "manual":
        raise Conflict("The round has not started: what is attached now is released when it starts.",
                       stage=view.round.stage)
    releases = release_pending(session, view.round, actor.id)
    if not releases:
        raise Conflict("Nothing new to release: attach a document or a new version first.")
    return releases


def visible_release(session: Session, view: RoundView, release_ref: str | int) -> PackageRelease:
    """A release the viewer may see (its audience is theirs); 404 otherwise."""
    release = by_reference(session, PackageRelease, view.round.id, release_ref)
    if release is None or \
            not view.may_see_document(release.caucus, is_released=True):
        raise NotFound("No such release.")
    return release


def acknowledge_release(session: Session, actor: User, round_id: int, release_ref: str | int
                        ) -> Acknowledgement:
    """One of an organisation's people acknowledges that it received a release (once per organisation)."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "acknowledge_package")
    release = visible_release(session, view, release_ref)
    done = session.scalar(select(Acknowledgement).where(Acknowledgement.release_id == release.id,
                                                        Acknowledgement.organisation_id == actor.organisation_id))
    if done is not None:
        raise Conflict("Your organisation has already acknowledged this release.",
                       acknowledged_at=done.acknowledged_at.isoformat())
    acknowledgement = Acknowledgement(release_id=release.id, round_id=view.round.id,
                                      organisation_id=actor.organisation_id, user_id=actor.id,
                                      acknowledged_at=utcnow())
    session.add(acknowledgement)
    session.flush()
    # The record names the organisation, which acknowledges; who clicked is the organisation's business.
    append_event(session, view.round, "package.acknowledged", actor_id=actor.id,
                 audience=package_audience(release.caucus),
                 payload={"release_id": release.public_id, "number": release.number,
                          "caucus": release.caucus.value if release.caucus else None,
                          "organisation_id": actor.organisation_id, "organisation": actor.organisation.name,
                          "acknowledged_at": acknowledgement.acknowledged_at.isoformat()})
    return acknowledgement


def release_on_start(session: Session, round: Round, actor_id: int | None) -> None:
    """The round's first stage after its draft starts with the package delivered."""
    workflow = workflow_of(session, round)
    keys = [stage.key for stage in workflow.stages]
    first_timed = next((s.key for s in workflow.stages if s.on_deadline != "manual"), None)
    if round.stage == first_timed and keys.index(round.stage) > 0:
        release_pending(session, round, actor_id, by="round start")
