"""The API's account routes: who am I, my tokens, organisations."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from consult.accounts import services
from consult.accounts.auth import require_user
from consult.accounts.models import ApiToken, Organisation
from consult.accounts.schemas import MeOut, OrganisationIn, OrganisationOut, OrganisationQuery, TokenIn, TokenOut
from consult.api.routing import route
from consult.api.session import after_commit, db_session
from consult.errors import Forbidden
from consult.live.rooms import disconnect_user


@route("/me", summary="The person behind the request", tag="accounts", response=MeOut)
def get_me():
    """Who the session or token belongs to."""
    return require_user()


@route("/tokens", summary="My API tokens", tag="accounts", response=TokenOut, many=True)
def list_tokens():
    """The requester's tokens, newest first (never the secret)."""
    user = require_user()
    return db_session().scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).all()


@route("/tokens", "POST", summary="Create an API token", tag="accounts", body=TokenIn, response=TokenOut,
       status=201, errors=(422,))
def create_token(body):
    """Create a token; its secret is in this answer only."""
    token, plain = services.issue_api_token(db_session(), require_user(), body["name"], body["expires_in_days"])
    token.token = plain
    return token


@route("/tokens/<int:token_id>", "DELETE", summary="Revoke an API token", tag="accounts", status=204,
       errors=(404,))
def revoke_token(token_id: int):
    """Revoke one of my tokens; sockets opened with it are cut."""
    user = require_user()
    services.revoke_api_token(db_session(), user, token_id)
    after_commit(lambda: disconnect_user(user.id, f"t{token_id}"))


@route("/me/sessions/end", "POST", summary="Log out everywhere", tag="accounts", status=204)
def end_sessions():
    """End every log-in session of mine (browsers and their sockets); API tokens stay valid."""
    user = require_user()
    services.end_sessions(db_session().get(type(user), user.id))
    after_commit(lambda: disconnect_user(user.id, "s"))


@route("/organisations", summary="Organisations", tag="accounts", query=OrganisationQuery,
       response=OrganisationOut, many=True)
def list_organisations(query):
    """Every organisation, for invitations; optionally of one constituency."""
    require_user()
    statement = select(Organisation).order_by(Organisation.name)
    if query["constituency"]:
        statement = statement.where(Organisation.constituency == query["constituency"])
    return db_session().scalars(statement).all()


@route("/organisations", "POST", summary="Register an organisation", tag="accounts", body=OrganisationIn,
       response=OrganisationOut, status=201, errors=(403, 409, 422))
def create_organisation(body):
    """Register an organisation (the secretariat keeps the register)."""
    if not require_user().is_secretariat:
        raise Forbidden(gettext("Only the secretariat registers organisations."))
    return services.create_organisation(db_session(), **body)
