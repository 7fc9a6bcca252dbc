"""The password pages anyone may open: "forgot my password", and choosing a password through a mailed link."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask_login import login_user

from consult.accounts import lifecycle
from consult.accounts.auth import open_to_anyone
from consult.accounts.lifecycle_api import count_reset_request, reset_lifetime
from consult.accounts.schemas import PasswordForgottenIn, PasswordSetIn
from consult.api.routing import load_input
from consult.api.session import db_session, run_after_commit
from consult.errors import Invalid
from consult.live.rooms import disconnect_user
from consult.web import pages
from consult.web.forms import field_errors


def _private(response):
    # The address holds the link's secret: no cache keeps it, no other site learns it from a Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@pages.route("/password/forgotten", methods=["GET", "POST"])
@open_to_anyone
def forgotten_password_page():
    """Ask for a link to choose a new password; the answer is the same whether the address has an account."""
    if request.method == "GET":
        return render_template("password_forgotten.html")
    form = {"email": request.form.get("email", "")}
    try:
        data = load_input(PasswordForgottenIn(), form)
    except Invalid as error:
        return render_template("password_forgotten.html", error=error, errors=field_errors(error.fields),
                               email=form["email"]), 422
    count_reset_request(data["email"])
    session = db_session()
    lifecycle.request_password_reset(session, data["email"], lifetime=reset_lifetime())
    session.commit()
    run_after_commit()
    return render_template("password_forgotten.html", sent=True)


@pages.route("/password/set/<token>", methods=["GET", "POST"], endpoint="set_password_page")
@pages.route("/password/reset/<token>", methods=["GET", "POST"])
@open_to_anyone
def reset_password_page(token: str):
    """Choose a password with a mailed link (an invitation or a reset), then be logged in."""
    session = db_session()
    link = lifecycle.link_for(session, token)
    if link is None:
        return _private(make_response(render_template("password_set.html", refused=True), 410))
    if request.method == "GET":
        return _private(make_response(render_template("password_set.html", person=link.user, token=token)))
    password = request.form.get("password", "")
    try:
        if password != request.form.get("confirmation", ""):
            raise Invalid("The two passwords differ.", fields={"confirmation": ["Type the same password twice."]})
        data = load_input(PasswordSetIn(), {"token": token, "password": password})
        user = lifecycle.set_password_with_link(session, data["token"], data["password"])
        session.commit()
    except Invalid as error:
        session.rollback()
        link = lifecycle.link_for(session, token)
        if link is None:
            return _private(make_response(render_template("password_set.html", refused=True), 410))
        return _private(make_response(render_template(
            "password_set.html", person=link.user, token=token, error=error, errors=field_errors(error.fields)), 422))
    disconnect_user(user.id)  # every socket: browsers' and API tokens' (the tokens were revoked)
    login_user(user)
    return redirect(url_for("pages.dashboard"), 303)
