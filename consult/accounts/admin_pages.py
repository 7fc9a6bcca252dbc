"""The secretariat's register of organisations and their people: list, create an organisation, invite a
person (they are mailed a link to choose their password; nobody else ever sees it), send an invitation
again, deactivate and reactivate people.
"""

from __future__ import annotations

from collections import defaultdict

from flask import make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema
from sqlalchemy import select

from consult.accounts import lifecycle, services
from consult.accounts.auth import require_user
from consult.accounts.lifecycle_api import invitation_lifetime
from consult.accounts.models import Constituency, Organisation, User
from consult.accounts.schemas import OrganisationIn, PersonIn
from consult.api.session import after_commit, db_session
from consult.errors import ConsultError, Forbidden
from consult.live.rooms import disconnect_user
from consult.vocabulary import LANGUAGES
from consult.web import pages
from consult.web.forms import field_errors, form_fields, handle_form


def _require_secretariat() -> User:
    user = require_user()
    if not user.is_secretariat:
        raise Forbidden(_("Only the secretariat keeps the register of organisations and people."))
    return user


def _render(*, failed: str | None = None, error: ConsultError | None = None, values: dict | None = None):
    session = db_session()
    organisations = session.scalars(select(Organisation).order_by(Organisation.name)).all()
    people: dict[int, list[User]] = defaultdict(list)
    for person in session.scalars(select(User).order_by(User.display_name)).unique():
        people[person.organisation_id].append(person)
    groups = [(c, [o for o in organisations if o.constituency == c]) for c in Constituency]
    response = make_response(render_template(
        "organisations.html", groups=[g for g in groups if g[1]], organisations=organisations, people=people,
        constituencies=list(Constituency), languages=LANGUAGES, failed=failed, error=error,
        errors=field_errors(error.fields) if error else {}, values=values or {},
    ), error.status if error else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.route("/organisations", methods=["GET", "POST"])
@login_required
def organisations_page():
    """Organisations by constituency with their people; POST registers an organisation."""
    _require_secretariat()
    if request.method == "GET":
        return _render()
    return handle_form(OrganisationIn(), lambda session, data: services.create_organisation(session, **data),
                       done=lambda organisation: url_for("pages.organisations_page", _anchor=f"org-{organisation.id}"),
                       again=lambda posted, error: _render(failed="organisation", error=error, values=posted),
                       saved=_("The organisation is registered."))


@pages.route("/organisations/people", methods=["POST"])
@login_required
def add_person_form():
    """Invite a person to an organisation: they are mailed a link to choose their password."""
    _require_secretariat()
    return handle_form(PersonIn(), lambda session, data: lifecycle.invite_person(
        session, data, lifetime=invitation_lifetime()), form=form_fields(numbers=("organisation_id",)),
        done=lambda person: url_for("pages.organisations_page", _anchor=f"org-{person.organisation_id}"),
        again=lambda posted, error: _render(failed="person", error=error, values=posted),
        saved=_("The invitation is on its way: the person chooses their password through the link it holds."))


def _status_change(user_id: int, change, saved: str):
    """Run a change to one person's account from their row of the register, then come back to it."""
    actor = _require_secretariat()

    def act(session, _data):
        return change(session, actor, user_id)

    def refused(_posted, error):
        return _render(failed=f"person-{user_id}", error=error)

    return handle_form(Schema(), act, form={}, again=refused, saved=saved,
                       done=lambda person: url_for("pages.organisations_page", _anchor=f"person-{person.id}"))


@pages.route("/organisations/people/<int:user_id>/invitation", methods=["POST"])
@login_required
def resend_invitation_form(user_id: int):
    """Mail a person a new invitation link."""
    return _status_change(user_id, lambda session, _actor, uid: lifecycle.send_invitation(
        session, lifecycle._person(session, uid), lifetime=invitation_lifetime()), _("A new invitation is on its way."))


@pages.route("/organisations/people/<int:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate_person_form(user_id: int):
    """Deactivate a person: their sessions, tokens and live connections end."""

    def deactivate(session, actor, uid):
        person = lifecycle.deactivate_person(session, actor, uid)
        after_commit(lambda: disconnect_user(person.id))
        return person

    return _status_change(user_id, deactivate, _("The person is deactivated."))


@pages.route("/organisations/people/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate_person_form(user_id: int):
    """Reactivate a person."""
    return _status_change(user_id, lambda session, _actor, uid: lifecycle.reactivate_person(session, uid),
                          _("The person is active again."))
