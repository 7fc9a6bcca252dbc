"""The API's account lifecycle: invite people, deactivate and reactivate them, my profile and password,
and the password links (forgotten password, choosing a password through a mailed link)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request

from consult.accounts import lifecycle
from consult.accounts.auth import json_only, require_user
from consult.accounts.models import User
from consult.accounts.pages import client_network
from consult.accounts.schemas import (
    MeOut,
    PasswordChangeIn,
    PasswordForgottenIn,
    PasswordSetIn,
    PersonIn,
    PersonOut,
    ProfileIn,
)
from consult.api.routing import route
from consult.api.session import after_commit, db_session
from consult.errors import Forbidden
from consult.live.rooms import disconnect_user
from consult.settings import settings_of

#: The answer to a reset request, whether or not the address has an account.
RESET_ANSWER = {"status": "accepted", "message": "If this address belongs to an active account, a link to "
                                                 "choose a new password is on its way."}


def _secretariat() -> User:
    user = require_user()
    if not user.is_secretariat:
        raise Forbidden("Only the secretariat keeps the register of people.")
    return user


def invitation_lifetime() -> timedelta:
    """How long an invitation link works."""
    return timedelta(days=settings_of(current_app).invitation_days)


def reset_lifetime() -> timedelta:
    """How long a password reset link works."""
    return timedelta(minutes=settings_of(current_app).reset_link_minutes)


def count_reset_request(email: str) -> None:
    """429 once this network, or this address, asked for too many resets (nobody's mailbox is flooded)."""
    limits = current_app.extensions["consult.reset_limiters"]
    limits[0].hit(client_network(request.remote_addr or ""))
    limits[1].hit(email.strip().lower())


@route("/people", "POST", summary="Invite a person", tag="accounts", body=PersonIn, response=PersonOut,
       status=201, errors=(403, 409, 422))
def invite_person(body):
    """Add a person to an organisation; they are mailed a link to choose their password (no password is shown)."""
    _secretariat()
    return lifecycle.invite_person(db_session(), body, lifetime=invitation_lifetime())


@route("/people/<int:user_id>/invitation", "POST", summary="Send an invitation again", tag="accounts",
       response=PersonOut, errors=(403, 404, 409))
def resend_invitation(user_id: int):
    """Mail a person a new invitation link; the earlier links stop working."""
    _secretariat()
    return lifecycle.send_invitation(db_session(), lifecycle._person(db_session(), user_id),
                                     lifetime=invitation_lifetime())


@route("/people/<int:user_id>/deactivate", "POST", summary="Deactivate a person", tag="accounts",
       response=PersonOut, errors=(403, 404, 409))
def deactivate_person(user_id: int):
    """End a person's sessions, API tokens, links and live connections; they can no longer log in."""
    person = lifecycle.deactivate_person(db_session(), _secretariat(), user_id)
    after_commit(lambda: disconnect_user(person.id))
    return person


@route("/people/<int:user_id>/reactivate", "POST", summary="Reactivate a person", tag="accounts",
       response=PersonOut, errors=(403, 404))
def reactivate_person(user_id: int):
    """Let a deactivated person log in again; their old API tokens stay revoked."""
    _secretariat()
    return lifecycle.reactivate_person(db_session(), user_id)


@route("/me", "PATCH", summary="Change my profile", tag="accounts", body=ProfileIn, response=MeOut, errors=(422,))
def update_profile(body):
    """Change my name, role title or language."""
    return lifecycle.update_profile(db_session(), require_user(), body)


@route("/me/password", "POST", summary="Change my password", tag="accounts", body=PasswordChangeIn, status=204,
       errors=(422,))
def change_password(body):
    """Change my password (the current one is asked); my log-in sessions end, and with `sign_out_everywhere`
    every API token too (the token that asked included)."""
    user = require_user()
    everywhere = body["sign_out_everywhere"]
    lifecycle.change_password(db_session(), user, body["current_password"], body["new_password"],
                              everywhere=everywhere)
    after_commit(lambda: disconnect_user(user.id, None if everywhere else "s"))


@route("/password/forgotten", "POST", summary="Ask for a password reset link", tag="accounts",
       body=PasswordForgottenIn, public=True, status=202, errors=(422, 429))
@json_only
def forgotten_password(body):
    """Mail a reset link if the address has an active account; the answer is the same either way."""
    count_reset_request(body["email"])
    lifecycle.request_password_reset(db_session(), body["email"], lifetime=reset_lifetime())
    return RESET_ANSWER


@route("/password", "POST", summary="Choose a password through a mailed link", tag="accounts",
       body=PasswordSetIn, public=True, status=204, errors=(422,))
@json_only
def set_password(body):
    """Spend an invitation or reset link to choose a password; the person's sessions end, their API tokens are
    revoked and every live connection is cut."""
    user = lifecycle.set_password_with_link(db_session(), body["token"], body["password"])
    after_commit(lambda: disconnect_user(user.id))
