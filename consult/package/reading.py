"""Reading the information package as one viewer may see it (API, pages, the outcome)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult import public_ids
from consult.package.models import Acknowledgement, Document, DocumentVersion, PackageRelease
from consult.policy import RoundView


def download_path(round_id: int, version: DocumentVersion) -> str:
    """Where a version is downloaded from (the page route; the API serves the same at /api/v1)."""
    return f"/rounds/{round_id}/package/documents/{version.document.public_id}/versions/{version.version}/file"


def by_reference(session: Session, model: type[Document] | type[PackageRelease], round_id: int,
                 reference: str | int) -> Document | PackageRelease | None:
    """The document or release of a round a URL names, as `consult.public_ids.by_reference` finds it (the caller
    still asks the policy whether the viewer may see it)."""
    return public_ids.by_reference(session, model, round_id, reference)


def visible_versions(view: RoundView, document: Document) -> list[DocumentVersion]:
    """The versions of a document this viewer sees: released ones, and drafts for those who prepare them."""
    return [v for v in document.versions
            if view.may_see_document(document.caucus, is_released=v.release_id is not None)]


def present_package(session: Session, view: RoundView) -> dict[str, Any]:
    """Documents, versions, releases and acknowledgements this viewer may see."""
    documents = []
    for document in session.scalars(select(Document).where(Document.round_id == view.round.id)
                                    .order_by(Document.id)).unique():
        versions = visible_versions(view, document)
        if not versions:
            continue
        documents.append({"id": document.public_id, "title": document.title,
                          "caucus": document.caucus.value if document.caucus else None,
                          "attached_at": document.attached_at,
                          "versions": [{"version": v.version, "filename": v.filename, "kind": v.kind,
                                        "media_type": v.media_type, "size_bytes": v.size_bytes,
                                        "sha256": v.sha256, "note": v.note, "uploaded_at": v.uploaded_at,
                                        "release_id": v.release.public_id if v.release else None,
                                        "released_at": v.release.released_at if v.release else None,
                                        "download": "/api/v1" + download_path(view.round.id, v)}
                                       for v in versions]})
    releases, awaiting = [], []
    rows = session.scalars(select(PackageRelease).where(PackageRelease.round_id == view.round.id)
                           .order_by(PackageRelease.released_at, PackageRelease.id))
    visible = [r for r in rows if view.may_see_document(r.caucus, is_released=True)]
    acks: dict[int, list[Acknowledgement]] = {}
    if visible:
        for ack in session.scalars(select(Acknowledgement).where(
                Acknowledgement.release_id.in_([r.id for r in visible])).order_by(Acknowledgement.acknowledged_at)):
            acks.setdefault(ack.release_id, []).append(ack)
    for release in visible:
        mine = any(a.organisation_id == view.organisation_id for a in acks.get(release.id, []))
        if not mine:
            awaiting.append(release.public_id)
        releases.append({"id": release.public_id, "number": release.number,
                         "caucus": release.caucus.value if release.caucus else None,
                         "released_at": release.released_at, "stage": release.stage, "acknowledged_by_me": mine,
                         "acknowledgements": [{"organisation_id": a.organisation_id,
                                               "organisation": a.organisation.name,
                                               "acknowledged_at": a.acknowledged_at}
                                              for a in acks.get(release.id, [])]})
    return {"documents": documents, "releases": releases, "awaiting_my_acknowledgement": awaiting}


def visible_version(session: Session, view: RoundView, document_ref: str | int, number: int
                    ) -> DocumentVersion | None:
    """One version the viewer may download, or None (404 to the caller)."""
    document = by_reference(session, Document, view.round.id, document_ref)
    if document is None:
        return None
    version = session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id,
                                                           DocumentVersion.version == number,
                                                           DocumentVersion.round_id == view.round.id))
    if version is None or not view.may_see_document(version.document.caucus,
                                                    is_released=version.release_id is not None):
        return None
    return version
