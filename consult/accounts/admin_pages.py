"""The secretariat's register of organisations and their people: list, create an organisation, add a person.

There is no e-mail: a new person gets a strong random password, shown once to the secretariat member who
added them (on the page the form leads to, never again), who hands it over by a channel of their own.
"""

from __future__ import annotations

from collections import defaultdict

from flask import flash as flash_message
from flask import get_flashed_messages, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from consult.accounts import services
from consult.accounts.auth import require_user
from consult.accounts.models import Constituency, Organisation, User
from consult.accounts.schemas import OrganisationIn, PersonIn
from consult.api.session import db_session
from consult.errors import ConsultError, Forbidden
from consult.web import pages
from consult.web.forms import field_errors, form_fields, handle_form
from consult.web.locale import LANGUAGES

#: The flash category that carries a new person's password to the one page view that shows it.
ONE_TIME_CATEGORY = "one-time-secret"


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
    new_password = get_flashed_messages(category_filter=[ONE_TIME_CATEGORY])
    response = make_response(render_template(
        "organisations.html", groups=[g for g in groups if g[1]], organisations=organisations, people=people,
        constituencies=list(Constituency), languages=LANGUAGES, failed=failed, error=error,
        errors=field_errors(error.fields) if error else {}, values=values or {},
        new_password=new_password[0] if new_password else None,
    ), error.status if error else 200)
    # The page may carry a new password: keep it out of every cache.
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
    """Add a person to an organisation; their one-time password is shown once, on the page this leads to."""
    _require_secretariat()

    def shown_once(added: tuple[User, str]) -> str:
        # Called after the commit: the next page view shows the password, then it is gone; it is never stored.
        person, password = added
        flash_message({"email": person.email, "name": person.display_name, "password": password}, ONE_TIME_CATEGORY)
        return url_for("pages.organisations_page", _anchor="new-password")

    return handle_form(PersonIn(), services.add_person, form=form_fields(numbers=("organisation_id",)),
                       done=shown_once,
                       again=lambda posted, error: _render(failed="person", error=error, values=posted))
