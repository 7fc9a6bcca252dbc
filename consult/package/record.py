"""The information package and the questions as the outcome document records them (signed, and published).

Only what every party was shown goes in: all-party documents as released (name, version, size, digest), each
release's time and each organisation's acknowledgement; caucus-only documents never (the document may be
published). Unanswered questions are listed by section, time and the asking side, never by person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.package.models import Acknowledgement, Document, DocumentVersion, PackageRelease
from consult.questions.models import Question, QuestionState


def package_record(session: Session, round_id: int) -> dict[str, Any] | None:
    """The all-party package as released, with its releases and acknowledgements; None if nothing was released."""
    releases = list(session.scalars(select(PackageRelease).where(PackageRelease.round_id == round_id,
                                                                 PackageRelease.caucus.is_(None))
                                    .order_by(PackageRelease.number)))
    if not releases:
        return None
    versions = session.scalars(select(DocumentVersion).join(Document).where(
        DocumentVersion.round_id == round_id, Document.caucus.is_(None),
        DocumentVersion.release_id.in_([r.id for r in releases])).order_by(Document.id, DocumentVersion.version))
    acknowledgements: dict[int, list[Acknowledgement]] = {}
    for ack in session.scalars(select(Acknowledgement).where(Acknowledgement.release_id.in_([r.id for r in releases]))
                               .order_by(Acknowledgement.acknowledged_at, Acknowledgement.id)):
        acknowledgements.setdefault(ack.release_id, []).append(ack)
    numbers = {r.id: r.number for r in releases}
    return {
        "documents": [{"title": v.document.title, "version": v.version, "filename": v.filename,
                       "media_type": v.media_type, "size_bytes": v.size_bytes, "sha256": v.sha256,
                       "release": numbers[v.release_id]} for v in versions],
        "releases": [{"number": r.number, "released_at": r.released_at.isoformat(), "stage": r.stage,
                      "acknowledgements": [{"organisation": a.organisation.name,
                                            "acknowledged_at": a.acknowledged_at.isoformat()}
                                           for a in acknowledgements.get(r.id, [])]} for r in releases],
    }


def unanswered_record(session: Session, round_id: int) -> list[dict[str, Any]]:
    """Questions still open, as the outcome lists them: section, when, which side asked, the text (unless hidden)."""
    questions = session.scalars(select(Question).where(Question.round_id == round_id,
                                                       Question.state == QuestionState.OPEN).order_by(Question.id))
    return [{"section": q.comment.section.key, "asked_at": q.asked_at.isoformat(),
             "constituency": q.comment.author_constituency.value,
             "text": None if q.comment.is_hidden else q.comment.body} for q in questions.unique()]
