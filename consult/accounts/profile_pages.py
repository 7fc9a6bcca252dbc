"""My account: profile (name, role title, language), password, API tokens; every person has one."""

from __future__ import annotations

from flask import current_app, get_flashed_messages, make_response, render_template, request, url_for
from flask import flash as flash_message
from flask_babel import gettext as _
from flask_login import login_required, login_user
from marshmallow import Schema
from sqlalchemy import select

from consult.accounts import lifecycle, services
from consult.accounts.auth import require_user
from consult.accounts.models import ApiToken
from consult.accounts.schemas import PasswordChangeIn, ProfileIn, TokenIn
from consult.api.session import after_commit, db_session
from consult.errors import ConsultError
from consult.live.rooms import disconnect_user
from consult.vocabulary import LANGUAGES
from consult.web import pages
from consult.web.forms import PASSWORD_MANAGER_FIELDS, field_errors, form_fields, handle_form

NEW_TOKEN = "new-api-token"  # noqa: S105 (a flash category, not a secret)


def _render(*, failed: str | None = None, error: ConsultError | None = None, values: dict | None = None):
    user = require_user()
    tokens = db_session().scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    new_token = get_flashed_messages(category_filter=[NEW_TOKEN])
    response = make_response(render_template(
        "account.html", person=user, tokens=tokens.all(), languages=LANGUAGES, failed=failed, error=error,
        errors=field_errors(error.fields) if error else {}, values=values or {},
        new_token=new_token[0] if new_token else None, preferences_url=_preferences_url(),
        token_days=services.TOKEN_DAYS, token_max_days=services.TOKEN_MAX_DAYS),
        error.status if error else 200)
    response.headers["Cache-Control"] = "no-store"  # may carry a new token's secret
    return response


def _preferences_url() -> str | None:
    """The notification preferences page, where the notifications feature has one."""
    if "pages.notifications_page" not in current_app.view_functions:
        return None
    return url_for("pages.notifications_page", _anchor="preferences")


def _back(_result=None) -> str:
    return url_for("pages.account_page")


@pages.route("/account")
@login_required
def account_page():
    """My profile, my password and my API tokens."""
    return _render()


@pages.route("/account/profile", methods=["POST"])
@login_required
def update_profile_form():
    """Change my name, role title and language."""
    user = require_user()
    return handle_form(ProfileIn(), lambda session, data: lifecycle.update_profile(session, user, data),
                       form=_profile_form(), done=_back,
                       again=lambda posted, error: _render(failed="profile", error=error, values=posted),
                       saved=_("Your profile is saved."))


def _profile_form() -> dict:
    """The profile form as posted; a field the person emptied is kept, not left out as unchanged: an emptied
    name is refused by name (a person is never nameless), an emptied role title is cleared."""
    form = form_fields()
    if "display_name" in request.form and not request.form["display_name"].strip():
        form["display_name"] = request.form["display_name"]
    if "role_title" in request.form and not request.form["role_title"].strip():
        form["role_title"] = None
    return form


@pages.route("/account/password", methods=["POST"])
@login_required
def change_password_form():
    """Change my password; my other log-in sessions end, this one continues; "sign me out everywhere" revokes
    my API tokens too and cuts every live connection."""
    user = require_user()

    def change(session, data):
        everywhere = data["sign_out_everywhere"]
        person = lifecycle.change_password(session, user, data["current_password"], data["new_password"],
                                           everywhere=everywhere)
        after_commit(lambda: (disconnect_user(person.id, None if everywhere else "s"), login_user(person)))
        return person

    return handle_form(PasswordChangeIn(), change, done=_back, saved=_("Your password is changed."),
                       form=form_fields(ignored=PASSWORD_MANAGER_FIELDS),
                       again=lambda posted, error: _render(failed="password", error=error))


@pages.route("/account/tokens", methods=["POST"])
@login_required
def create_token_form():
    """Create an API token; its secret is shown once, on the page this leads to."""
    user = require_user()

    def shown_once(created) -> str:
        token, plain = created
        flash_message({"name": token.name, "token": plain}, NEW_TOKEN)
        return url_for("pages.account_page", _anchor="new-token")

    return handle_form(TokenIn(), lambda session, data: services.issue_api_token(
        session, user, data["name"], data["expires_in_days"]), form=form_fields(numbers=("expires_in_days",)),
        done=shown_once, again=lambda posted, error: _render(failed="token", error=error, values=posted))


@pages.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token_form(token_id: int):
    """Revoke one of my tokens; scripts and sockets using it stop."""
    user = require_user()

    def revoke(session, _data):
        token = services.revoke_api_token(session, user, token_id)
        after_commit(lambda: disconnect_user(user.id, f"t{token.id}"))
        return token

    return handle_form(Schema(), revoke, form={}, done=_back, saved=_("The token is revoked."),
                       again=lambda posted, error: _render(failed="token", error=error))
