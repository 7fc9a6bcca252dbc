"""Log-in and log-out pages."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from marshmallow import Schema, fields, validate

from consult.accounts.auth import requester
from consult.accounts.services import authenticate
from consult.api.routing import load_input
from consult.api.session import db_session
from consult.errors import Invalid
from consult.live.sockets import disconnect_user
from consult.web import pages


class LoginIn(Schema):
    """The log-in form."""

    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    next = fields.String(load_default="", validate=validate.Length(max=500))


def _safe_next(target: str) -> str:
    """Only local paths: an open redirect would let a phishing link borrow our log-in page."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""


@pages.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form, or log in."""
    if request.method == "GET":
        if requester():
            return redirect(url_for("pages.dashboard"))
        return render_template("login.html", next=_safe_next(request.args.get("next", "")))
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data = load_input(LoginIn(), form)
    except Invalid:
        return render_template("login.html", error=True, next=""), 422
    limiter = current_app.extensions["consult.login_limiter"]
    attempt = f"{request.remote_addr}|{data['email'].strip().lower()}"
    limiter.check(attempt)  # 429 after too many failures from this address for this e-mail
    session = db_session()
    user = authenticate(session, data["email"], data["password"])
    if user is None:
        session.rollback()
        limiter.hit(attempt)
        return render_template("login.html", error=True, email=data["email"], next=_safe_next(data["next"])), 401
    limiter.clear(attempt)
    session.commit()
    login_user(user)
    return redirect(_safe_next(data["next"]) or url_for("pages.dashboard"))


@pages.route("/logout", methods=["POST"])
def logout():
    """Log out of this browser; the person's browser sockets are cut (other browsers reconnect by themselves)."""
    if current_user.is_authenticated:
        disconnect_user(current_user.id, "s")
    logout_user()
    return redirect(url_for("pages.login"))
