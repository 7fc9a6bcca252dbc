"""The round's people page: the organisations taking part, by constituency, and who signs for each.

Organisations are invited and removed here, signatories named and the identity policy changed, each as the
governance table allows (consult/rounds/governance.py); a refused form is answered on the page, beside it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.accounts.models import SOCIAL_PARTNERS, Constituency, Organisation, User
from consult.api.session import db_session
from consult.errors import ConsultError
from consult.rounds import governance, services
from consult.rounds.anonymity import anonymity_for
from consult.rounds.api import present_signatory
from consult.rounds.governance_page import people_context
from consult.rounds.models import Participant, Signatory
from consult.rounds.schemas import IdentityPolicyIn, InvitationsIn, RemovalIn, SignatoryIn
from consult.vocabulary import CONSTITUENCY_NAMES as CONSTITUENCY_LABELS
from consult.web import pages
from consult.web.forms import field_errors, form_fields, handle_form


def _render_people(round_id: int, *, failed: str | None = None, error: ConsultError | None = None,
                   values: dict[str, Any] | None = None):
    """The people page; after a refused form, `failed` names the form whose problem is shown beside it."""
    session = db_session()
    user = require_user()
    view = services.get_visible_round(session, user, round_id)
    round = view.round
    active = session.scalars(select(Participant).join(Organisation).where(
        Participant.round_id == round.id, Participant.removed_at.is_(None)).order_by(Organisation.name)).all()
    by_constituency: dict[Constituency, list[Participant]] = defaultdict(list)
    for participant in active:
        by_constituency[participant.organisation.constituency].append(participant)
    may_manage = governance.may(session, view, "invite")
    invitable = []
    if may_manage:
        taking_part = [p.organisation_id for p in active]
        invitable = session.scalars(select(Organisation).where(Organisation.id.not_in(taking_part))
                                    .order_by(Organisation.constituency, Organisation.name)).all()
    named = {s.constituency.value: present_signatory(s)
             for s in session.scalars(select(Signatory).where(Signatory.round_id == round.id))}
    signing = []
    for constituency in SOCIAL_PARTNERS:
        if constituency.value not in round.required_constituencies:
            continue
        candidates = []
        may_name = (governance.may(session, view, "name_signatory", constituency.value)
                    and not governance.has_signed_current(session, round, constituency.value))
        if may_name:
            candidates = session.scalars(select(User).join(Organisation).where(
                Organisation.constituency == constituency, User.is_active.is_(True),
                User.organisation_id.in_([p.organisation_id for p in by_constituency[constituency]]))
                .order_by(User.display_name)).all()
        signing.append({"constituency": constituency, "signatory": named.get(constituency.value),
                        "may_name": may_name, "candidates": candidates})
    context = people_context(session, view)
    # A refusal of a form the page no longer offers (the round moved on) is shown at the top instead.
    shown = {"identity-policy", *(["invite"] if may_manage else []),
             *(f"signatory-{e['constituency'].value}" for e in signing if e["may_name"]),
             *([f"remove-{p.organisation_id}" for p in active] if context["may_remove"] else [])}
    return render_template(
        "round_people.html", view=view, round=round, may_manage=may_manage, invitable=invitable, signing=signing,
        invited_already=[p.organisation.name for p in active],
        groups=[(c, CONSTITUENCY_LABELS[c], by_constituency[c]) for c in Constituency if by_constituency[c]],
        failed=failed, error=error, errors=field_errors(error.fields) if error else {}, values=values or {},
        refused_elsewhere=error if failed and failed not in shown else None, **context,
        anonymity=anonymity_for(session, view),
    ), error.status if error else 200


def _back_to_people(round_id: int):
    return lambda _result: url_for("pages.round_people_page", round_id=round_id)


def _again(round_id: int, failed: str):
    return lambda posted, error: _render_people(round_id, failed=failed, error=error, values=posted)


@pages.route("/rounds/<int:round_id>/people")
@login_required
def round_people_page(round_id: int):
    """Who takes part, by constituency, and who signs for each; the employer and the secretariat manage it."""
    return _render_people(round_id)


@pages.route("/rounds/<int:round_id>/people/invite", methods=["POST"])
@login_required
def invite_organisation_form(round_id: int):
    """Invite the organisations ticked (one or several) to the round, all in one transaction."""
    user = require_user()
    form = form_fields(lists=("organisation_id",), numbers=("organisation_id",))
    if not form.get("organisation_id"):  # none ticked: no field at all, which the schema names as missing
        form.pop("organisation_id", None)

    def invite(session, data):
        return services.invite_organisations(session, user, round_id, data["organisation_id"])

    return handle_form(
        InvitationsIn(), invite, form=form, done=_back_to_people(round_id), again=_again(round_id, "invite"),
        saved=_("The organisation is invited.") if len(form.get("organisation_id", [])) == 1
        else _("The organisations are invited."))


@pages.route("/rounds/<int:round_id>/people/<int:organisation_id>/remove", methods=["POST"])
@login_required
def remove_organisation_form(round_id: int, organisation_id: int):
    """Remove an organisation from the round, with the reason every participant is shown."""
    user = require_user()
    return handle_form(
        RemovalIn(), lambda session, data: services.remove_organisation(session, user, round_id, organisation_id,
                                                                        data["reason"]),
        done=_back_to_people(round_id), again=_again(round_id, f"remove-{organisation_id}"),
        saved=_("The organisation no longer takes part in the round."))


@pages.route("/rounds/<int:round_id>/people/signatories/<constituency>", methods=["POST"])
@login_required
def name_signatory_form(round_id: int, constituency: str):
    """Name the person who signs for a constituency."""
    user = require_user()
    return handle_form(
        SignatoryIn(), lambda session, data: services.name_signatory(session, user, round_id, constituency,
                                                                     data["user_id"], data["reason"]),
        form=form_fields(numbers=("user_id",)), done=_back_to_people(round_id),
        again=_again(round_id, f"signatory-{constituency}"), saved=_("The signatory is named."))


@pages.route("/rounds/<int:round_id>/people/identity-policy", methods=["POST"])
@login_required
def identity_policy_form(round_id: int):
    """Change how worker representatives are shown, with the reason every participant is shown."""
    user = require_user()
    return handle_form(
        IdentityPolicyIn(), lambda session, data: services.set_identity_policy(
            session, user, round_id, data["identity_policy"], data["reason"]),
        done=_back_to_people(round_id), again=_again(round_id, "identity-policy"),
        saved=_("The identity policy is changed."))
