"""Background exports: one job per digest and kind, claimed by compare-and-set, rendered and signed once.

A request answers at once with its job; the render runs on a worker thread after the commit (and the
WeasyPrint work itself in a child process with time and memory limits). A job whose worker died is
claimed again after its lease; a failing job is retried, then marked failed with its error.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import gettext
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.comments.models import Channel, Comment
from consult.cooperative import off_loop
from consult.db import Database, utcnow
from consult.errors import Conflict
from consult.events.dispatcher import CommittedEvent
from consult.events.models import Event
from consult.events.services import append_event, lock_round
from consult.outcomes.models import ExportJob, Outcome, OutcomeStatus
from consult.outcomes.services import live_outcome
from consult.outcomes.snapshot import public_document
from consult.policy import PARTICIPANTS, aliases_of, present_author
from consult.rounds.models import Round
from consult.rounds.services import get_visible_round
from consult.settings import settings_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def request_export(session: Session, actor: User, round_id: int, kind: str) -> tuple[ExportJob, bool]:
    """The export job for the round's signed outcome (new, or the one already made for its digest)."""
    view = get_visible_round(session, actor, round_id, lock=True, after_conclusion=True)
    round = view.round
    outcome = live_outcome(session, round.id)
    if outcome is None or outcome.status != OutcomeStatus.SIGNED:
        raise Conflict(gettext("The outcome is not signed yet: a signed PDF can be exported once every required "
                       "constituency has signed."), stage=round.stage)
    return queue_export(session, round, outcome, kind, actor.id)


def queue_export(session: Session, round: Round, outcome: Outcome, kind: str,
                 requested_by_id: int) -> tuple[ExportJob, bool]:
    """The job for this digest and kind: the existing one, or a new one queued (round locked by the caller)."""
    job = session.scalar(select(ExportJob).where(ExportJob.digest == outcome.digest, ExportJob.kind == kind))
    if job is not None and job.status != "failed":
        if job.status != "ready" and not _has_asked(session, round, job, requested_by_id):
            # One more person waits for the render under way: recorded, so they too hear when it is ready.
            append_event(session, round, "export.requested", actor_id=requested_by_id, audience=PARTICIPANTS,
                         payload={"job_id": job.id, "kind": kind, "digest": outcome.digest})
        return job, False
    if job is None:
        job = ExportJob(round_id=round.id, outcome_id=outcome.id, digest=outcome.digest, kind=kind,
                        requested_by_id=requested_by_id)
        session.add(job)
    else:  # a failed job asked for again starts afresh
        job.status, job.attempts, job.error, job.claimed_at = "queued", 0, None, None
    session.flush()
    append_event(session, round, "export.requested", actor_id=requested_by_id, audience=PARTICIPANTS,
                 payload={"job_id": job.id, "kind": kind, "digest": outcome.digest})
    return job, True


def _has_asked(session: Session, round: Round, job: ExportJob, user_id: int) -> bool:
    """Whether this person's request for this job is on the round's log already."""
    payloads = session.scalars(select(Event.payload).where(Event.round_id == round.id, Event.actor_id == user_id,
                                                           Event.type == "export.requested"))
    return any(payload.get("job_id") == job.id for payload in payloads)


def lease_of(app: Flask) -> timedelta:
    """How long a claimed render may run before another worker takes the job again."""
    return timedelta(seconds=settings_of(app).export_lease_seconds)


def _claim(db: Database, job_id: int, lease: timedelta) -> bool:
    now = utcnow()
    with db.transaction() as session:
        claimed = session.execute(
            update(ExportJob).where(ExportJob.id == job_id, or_(
                ExportJob.status == "queued",
                (ExportJob.status == "running") & (ExportJob.claimed_at < now - lease)))
            .values(status="running", claimed_at=now, attempts=ExportJob.attempts + 1)
        ).rowcount
        if claimed:
            job = session.get(ExportJob, job_id)
            append_event(session, lock_round(session, job.round_id), "export.progress", actor_id=None,
                         audience=PARTICIPANTS, payload={"job_id": job.id, "kind": job.kind, "step": "rendering",
                                                         "attempt": job.attempts})
    return bool(claimed)


def pdf_document(session: Session, outcome: Outcome, *, base_url: str, annex: bool,
                 timestamped: bool = False) -> dict[str, Any]:
    """What the PDF template receives: the frozen document, its signatures, the verification address.

    `timestamped`: whether the platform's signature will carry a time-stamping authority's timestamp, so the
    document can say whose word its signing times rest on.
    """
    round = session.get(Round, outcome.round_id)
    document = public_document(round, json.loads(outcome.canonical))
    document.update({
        "language": round.language, "digest": outcome.digest, "version": outcome.version,
        "frozen_at": outcome.frozen_at.isoformat(),
        "verify_url": f"{base_url.rstrip('/')}/verify/{outcome.digest}",
        "signatures": [{"constituency": s.constituency.value, "name": s.user.display_name,
                        "organisation": s.user.organisation.name, "role": s.user.role_title,
                        "signed_at": s.signed_at.isoformat(), "reservation": s.reservation}
                       for s in outcome.signatures],
        "annex": plenary_annex(session, round) if annex else [],
        "timestamped": timestamped,
    })
    return document


def plenary_annex(session: Session, round: Round) -> list[dict[str, Any]]:
    """The plenary comments as the public may see them: no caucus, no hidden text, authors under the policy."""
    aliases = aliases_of(session, round.id)
    rows = session.scalars(select(Comment).where(Comment.round_id == round.id, Comment.channel == Channel.PLENARY,
                                                 Comment.is_hidden.is_(False)).order_by(Comment.id))
    # The id and parent_id let the document print each reply under what it replies to: public ids, as the
    # PDF (and the data inside it) may reach anyone, and row ids would count the caucus comments in between.
    return [{"id": c.public_id, "parent_id": c.parent_public_id, "section": c.section.title,
             "posted_at": c.created_at.isoformat(), "body_html": c.body_html,
             "author": present_author(round, None, c.author, c.author_organisation, c.author_constituency.value,
                                      aliases.get(c.author_id))["name"]} for c in rows]


def export_path(instance_path: str, digest: str, kind: str) -> Path:
    """Where the file of an export lives in the instance folder."""
    return Path(instance_path) / "exports" / f"{digest}-{kind}.pdf"


def run_export(app: Flask, job_id: int) -> None:
    """Render, sign and store one export job, once; retried on failure up to MAX_ATTEMPTS."""
    # Late: WeasyPrint and pyHanko load in the process that renders an export, not in every web process.
    from consult.documents.sandbox import render_outcome_pdf
    from consult.documents.signing import sign_pdf
    from consult.outcomes.keys import platform_key, tsa_trust

    db: Database = app.extensions["consult.db"]
    settings = settings_of(app)
    if not _claim(db, job_id, lease_of(app)):
        return
    try:
        with db.transaction(write=False) as session:
            job = session.get(ExportJob, job_id)
            outcome = session.get(Outcome, job.outcome_id)
            document = pdf_document(session, outcome, base_url=settings.base_url,
                                    annex=job.kind == "pdf_annex", timestamped=bool(settings.tsa_url))
            digest, kind, canonical = job.digest, job.kind, outcome.canonical.encode("utf-8")
        pdf = render_outcome_pdf(document, timeout=settings.export_timeout, memory_mb=settings.export_memory_mb,
                                 exports_dir=Path(settings.exports_path))
        # Signing is CPU work in this process: under gevent it runs in a native thread, beside the event loop.
        signed = off_loop(functools.partial(sign_pdf, pdf, platform_key(app), digest=digest, canonical=canonical,
                                            tsa_url=settings.tsa_url, tsa_timeout=settings.tsa_timeout,
                                            tsa_trust=tsa_trust(app)))
        path = export_path(app.instance_path, digest, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(signed)
        partial.replace(path)
    except Exception as error:  # the job records why; the worker lives on
        log.exception("export %s failed", job_id)
        _fail(db, job_id, f"{type(error).__name__}: {error}")
        return
    with db.transaction() as session:
        job = session.get(ExportJob, job_id)
        job.status, job.path, job.size, job.finished_at, job.error = "ready", str(path), len(signed), utcnow(), None
        append_event(session, lock_round(session, job.round_id), "export.ready", actor_id=None, audience=PARTICIPANTS,
                     payload={"job_id": job.id, "kind": job.kind, "digest": job.digest, "size": job.size,
                              "download_url": f"/rounds/{job.round_id}/exports/{job.id}/file"})


def _fail(db: Database, job_id: int, error: str) -> None:
    with db.transaction() as session:
        job = session.get(ExportJob, job_id)
        job.error = error[:2000]
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = "failed", utcnow()
            append_event(session, lock_round(session, job.round_id), "export.failed", actor_id=None,
                         audience=PARTICIPANTS, payload={"job_id": job.id, "kind": job.kind, "error": job.error})
        else:
            job.status = "queued"


class ExportRunner:
    """Runs export jobs on worker threads after the commit that queued them."""

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="consult-export")

    def on_events(self, events: list[CommittedEvent]) -> None:
        """Dispatcher subscriber: start the job of each export requested (and retry queued ones)."""
        for event in events:
            if event.type == "export.requested":
                self.submit(event.payload["job_id"])

    def submit(self, job_id: int) -> None:
        """Run a job (again) on a worker thread; a job already claimed elsewhere is left to its worker."""
        self.pool.submit(self._run, job_id)

    def _run(self, job_id: int) -> None:
        for _ in range(MAX_ATTEMPTS):
            run_export(self.app, job_id)
            with self.app.extensions["consult.db"].transaction(write=False) as session:
                if session.get(ExportJob, job_id).status != "queued":
                    return

    def recover(self) -> int:
        """Submit every queued job and every running job whose worker has gone (its lease ran out)."""
        now = utcnow()
        lease = lease_of(self.app)
        with self.app.extensions["consult.db"].transaction(write=False) as session:
            ids = session.scalars(select(ExportJob.id).where(or_(
                ExportJob.status == "queued",
                (ExportJob.status == "running") & (ExportJob.claimed_at < now - lease)))).all()
        for job_id in ids:
            self.submit(job_id)
        return len(ids)
