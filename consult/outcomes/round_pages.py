"""The outcome's pages: positions and stances, the sign-off, and exports (plain forms; live with JavaScript).

Every form goes through `handle_form` with the API's own schema and service; a refused form shows its page
again with the person's text kept and the problem named.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.accounts.models import SOCIAL_PARTNERS, User
from consult.api.session import db_session
from consult.errors import ConsultError
from consult.outcomes import exports, services
from consult.outcomes.api import (
    commitments_of,
    export_jobs_of,
    position_versions,
    present_outcome,
    section_positions,
)
from consult.outcomes.models import Outcome, OutcomeStatus, StanceKind
from consult.outcomes.schemas import CommitmentIn, ExportIn, PositionIn, SignIn, StanceIn, StancesIn
from consult.outcomes.stance_form import stance_form, stance_problems
from consult.policy import RoundView
from consult.rounds.models import RoundStatus, Signatory
from consult.rounds.services import get_visible_round
from consult.timeline.rules import workflow_of
from consult.web import pages
from consult.web.forms import form_fields, handle_form
from consult.web.labels import section_name, stage_name
from consult.workflow import engine


def _view(round_id: int) -> RoundView:
    return get_visible_round(db_session(), require_user(), round_id)


def _open_to_me(view: RoundView, action: str) -> bool:
    """Whether the round's stage opens `action` to the viewer now (the service checks it again)."""
    round = view.round
    return round.status != RoundStatus.PAUSED and engine.is_open(workflow_of(db_session(), round), round.stage, action,
                                                       view.constituency.value)


def _stage_title(view: RoundView) -> str:
    """The current stage's name in the page's language."""
    return stage_name(view.round.stage, workflow_of(db_session(), view.round).stage(view.round.stage).title)


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db_session().execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


# ---- Positions, stances, commitments --------------------------------------------------------------------

def _render_positions(round_id: int, *, form: str | None = None, posted: dict | None = None,
                      error: ConsultError | None = None):
    """The positions page; after a refused form, `form` names it ("position:privacy", "stance:privacy",
    "stances", "commitment") and `posted` holds what the person sent."""
    session = db_session()
    view = _view(round_id)
    round = view.round
    sections = section_positions(session, round)
    versions = position_versions(session, round.id)
    for section in sections:
        section["versions"] = list(reversed(versions.get(section["section"], [])))
        section["mine"] = next((s for s in section["stances"]
                                if view.constituency and s["constituency"] == view.constituency.value), None)
    drafters = _names({v["drafted_by_id"] for vs in versions.values() for v in vs})
    organisations = sorted((p.organisation for p in round.participants if p.removed_at is None),
                           key=lambda o: (o.constituency.value, o.name))
    may_stance = view.constituency in SOCIAL_PARTNERS and _open_to_me(view, "stance")
    problems = stance_problems(error) if form == "stances" else {}
    names = {s["section"]: section_name(s["title"]) for s in sections}
    context = {
        "view": view, "round": round, "sections": sections,
        "stance_form": stance_form(sections, form, posted or {}, problems) if may_stance else [],
        "stance_problems": [(names.get(key, key), messages) for key, messages in problems.items()],
        "stance_summary": _("Nothing was saved: check the stances on %(sections)s.",
                            sections=", ".join(names.get(key, key) for key in problems)) if problems
        else _("Choose a stance on at least one section.") if form == "stances" and error
        and "stances" in error.fields else "",
        "drafters": drafters, "commitments": commitments_of(session, round.id), "organisations": organisations,
        "stance_kinds": [kind.value for kind in StanceKind], "stage_title": _stage_title(view),
        "may_draft": view.is_secretariat and _open_to_me(view, "draft"),
        "may_stance": may_stance,
        "form": form, "posted": posted or {}, "error": error,
    }
    return render_template("positions.html", **context), error.status if error else 200


@pages.route("/rounds/<int:round_id>/positions")
@login_required
def positions_page(round_id: int):
    """Each section's position with its versions, the stances on it, and the outcome's commitments."""
    return _render_positions(round_id)


@pages.route("/rounds/<int:round_id>/positions/<section>", methods=["POST"])
@login_required
def draft_position_form(round_id: int, section: str):
    """The secretariat saves a new version; a stale one comes back with both texts."""
    def draft(session, data):
        return services.draft_position(session, require_user(), round_id, section, data["text"],
                                       data["base_version"])

    return handle_form(
        PositionIn(), draft, form=form_fields(numbers=("base_version",)),
        done=lambda version: url_for("pages.positions_page", round_id=round_id, _anchor=f"section-{section}"),
        again=lambda posted, error: _render_positions(round_id, form=f"position:{section}", posted=posted,
                                                      error=error),
        saved=_("The position was saved."))


@pages.route("/rounds/<int:round_id>/stances/<section>", methods=["POST"])
@login_required
def record_stance_form(round_id: int, section: str):
    """A party records its constituency's stance with a statement."""
    def record(session, data):
        return services.record_stance(session, require_user(), round_id, section, data["stance"], data["statement"])

    return handle_form(
        StanceIn(), record,
        done=lambda stance: url_for("pages.positions_page", round_id=round_id, _anchor=f"section-{section}"),
        again=lambda posted, error: _render_positions(round_id, form=f"stance:{section}", posted=posted,
                                                      error=error),
        saved=_("Your constituency's stance was recorded."))


@pages.route("/rounds/<int:round_id>/stances", methods=["POST"])
@login_required
def record_stances_form(round_id: int):
    """A party records its constituency's stances on every section in one submit: all saved, or none."""
    def record(session, data):
        return services.record_stances(session, require_user(), round_id, data["stances"])

    return handle_form(
        StancesIn(), record, form=form_fields(nested=True),
        done=lambda stances: url_for("pages.positions_page", round_id=round_id, _anchor="stances"),
        again=lambda posted, error: _render_positions(round_id, form="stances", posted=posted, error=error),
        saved=_("Your constituency's stances were recorded."))


@pages.route("/rounds/<int:round_id>/commitments", methods=["POST"])
@login_required
def add_commitment_form(round_id: int):
    """The secretariat adds a commitment: owner, KPI, target, due date."""
    return handle_form(
        CommitmentIn(), lambda session, data: services.add_commitment(session, require_user(), round_id, data),
        form=form_fields(numbers=("owner_organisation_id",)),
        done=lambda commitment: url_for("pages.positions_page", round_id=round_id,
                                        _anchor=f"commitment-{commitment.id}"),
        again=lambda posted, error: _render_positions(round_id, form="commitment", posted=posted, error=error),
        saved=_("The commitment was added."))


# ---- Sign-off -------------------------------------------------------------------------------------------

def _render_signoff(round_id: int, *, form: str | None = None, posted: dict | None = None,
                    error: ConsultError | None = None, status: int | None = None):
    session = db_session()
    view = _view(round_id)
    round = view.round
    outcome = services.live_outcome(session, round.id)
    named = {s.constituency.value: s.user for s in
             session.scalars(select(Signatory).where(Signatory.round_id == round.id))}
    missing = services.missing_stances(session, round)
    titles = {s.key: section_name(s.title) for s in round.sections}
    signed = {s.constituency.value: s for s in outcome.signatures} if outcome else {}
    parties = [{"constituency": c, "signatory": named.get(c), "stances_missing": [titles[k] for k in missing[c]],
                "signature": signed.get(c)} for c in round.required_constituencies]
    mine = view.constituency.value if view.constituency in SOCIAL_PARTNERS else None
    earlier = session.scalars(select(Outcome).where(Outcome.round_id == round.id,
                                                    Outcome.status == OutcomeStatus.VOID)
                              .order_by(Outcome.version.desc())).all()
    context = {
        "view": view, "round": round, "parties": parties,
        "outcome": present_outcome(outcome, round) if outcome else None,
        "earlier": earlier, "stage_title": _stage_title(view),
        "drafted": any(p["position"] for p in section_positions(session, round)),
        # Once every required constituency has signed, freezing again would only make a version to sign anew.
        "may_freeze": view.is_secretariat and _open_to_me(view, "draft")
        and not (outcome is not None and all(c in signed for c in round.required_constituencies)),
        "may_sign": bool(mine and named.get(mine) is not None and named[mine].id == view.user_id
                         and _open_to_me(view, "sign") and outcome is not None and mine not in signed),
        "is_signatory": bool(mine and named.get(mine) is not None and named[mine].id == view.user_id),
        "form": form, "posted": posted or {}, "error": error,
    }
    return render_template("signoff.html", **context), status or (error.status if error else 200)


@pages.route("/rounds/<int:round_id>/sign-off")
@login_required
def signoff_page(round_id: int):
    """What the sign-off needs, at a glance; freezing; signing."""
    return _render_signoff(round_id)


@pages.route("/rounds/<int:round_id>/outcome/freeze", methods=["POST"])
@login_required
def freeze_outcome_form(round_id: int):
    """The secretariat freezes the outcome as it stands (the same content frozen again is the same version)."""
    return handle_form(
        Schema(), lambda session, data: services.freeze_outcome(session, require_user(), round_id),
        done=lambda outcome: url_for("pages.signoff_page", round_id=round_id),
        again=lambda posted, error: _render_signoff(round_id, form="freeze", error=error),
        saved=_("The outcome was frozen: its signatories can sign it now."))


@pages.route("/rounds/<int:round_id>/outcome/sign", methods=["POST"])
@login_required
def sign_outcome_form(round_id: int):
    """The named signatory signs the digest they read, giving their password again."""
    posted = form_fields()
    kept = {k: v for k, v in posted.items() if k != "password"}  # a password is never shown back

    def sign(session, data):
        return services.sign_outcome(session, require_user(), round_id, data["digest"], data["password"],
                                     data["reservation"])

    def again(_posted, error):
        return _render_signoff(round_id, form="sign", posted=kept, error=error)

    try:
        return handle_form(SignIn(), sign, form=posted, again=again,
                           done=lambda signature: url_for("pages.signoff_page", round_id=round_id),
                           saved=_("You signed the outcome."))
    except services.ReauthenticationFailed as error:  # a wrong password: the same page, nothing signed
        db_session().rollback()
        return again(posted, error)


# ---- Exports --------------------------------------------------------------------------------------------

#: How far along a job is, for the <progress> element (exports.js uses the same steps).
EXPORT_STEPS = {"queued": 1, "running": 2, "ready": 3, "failed": 3}


def _render_exports(round_id: int, *, posted: dict | None = None, error: ConsultError | None = None):
    session = db_session()
    view = _view(round_id)
    round = view.round
    outcome = services.live_outcome(session, round.id)
    labels = {"queued": _("Queued"), "running": _("Rendering"), "ready": _("Ready"), "failed": _("Failed"),
              "download": _("Download the signed PDF"), "pdf": _("Signed PDF"),
              "pdf_annex": _("Signed PDF with the plenary comments"), "progress_of": _("Progress of export {id}")}
    context = {
        "view": view, "round": round, "jobs": export_jobs_of(session, round.id),
        "signed": outcome is not None and outcome.status == OutcomeStatus.SIGNED, "outcome": outcome,
        "steps": EXPORT_STEPS, "labels": labels,
        "posted": posted or {}, "error": error,
    }
    return render_template("exports.html", **context), error.status if error else 200


@pages.route("/rounds/<int:round_id>/exports")
@login_required
def exports_page(round_id: int):
    """Request the signed PDF; the jobs with their progress, and the file once ready."""
    return _render_exports(round_id)


@pages.route("/rounds/<int:round_id>/exports", methods=["POST"])
@login_required
def request_export_form(round_id: int):
    """Ask for the signed PDF: the job renders in the background; the page follows its progress."""
    def request(session, data: dict[str, Any]):
        return exports.request_export(session, require_user(), round_id, data["kind"])[0]

    return handle_form(
        ExportIn(), request,
        done=lambda job: url_for("pages.exports_page", round_id=round_id, _anchor=f"export-{job.id}"),
        again=lambda posted, error: _render_exports(round_id, posted=posted, error=error),
        saved=_("The export was requested: it is rendered in the background."))
