"""Log-in and log-out pages."""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from marshmallow import Schema, fields, validate

from consult.accounts.auth import open_to_anyone, requester
from consult.accounts.services import authenticate
from consult.api.fields import Address
from consult.api.routing import load_input
from consult.api.session import db_session
from consult.errors import Invalid
from consult.live.rooms import disconnect_user
from consult.web import pages


class LoginIn(Schema):
    """The log-in form."""

    email = Address(required=True)  # a malformed address is refused as such (422), before any password check
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    next = fields.String(load_default="", validate=validate.Length(max=500))


def _safe_next(target: str) -> str:
    """Only a path on this site, else "": an open redirect would let a phishing link borrow our log-in page.

    Browsers drop tabs and newlines inside an address and read a backslash as a slash, so "/<tab>/evil"
    and "/\\evil" lead elsewhere: any control, format or separator character, any backslash, and anything
    that parses with a scheme or a host is refused, not cleaned.
    """
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    if any(unicodedata.category(character)[0] in "CZ" for character in target):
        return ""
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else ""


def client_network(address: str) -> str:
    """The address a log-in budget is kept for: an IPv4 address, or the /64 network of an IPv6 one (one
    household or server is given a whole /64, so counting single IPv6 addresses would count nothing)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


@pages.route("/login", methods=["GET", "POST"])
@open_to_anyone
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
    spraying = current_app.extensions["consult.login_address_limiter"]
    address = client_network(request.remote_addr or "")
    attempt = f"{address}|{data['email'].strip().lower()}"
    # 429 after too many failures from this address, for any e-mails (password spraying), or for this one
    # e-mail (guessing one password); checked before the password, so a right guess then tells nothing.
    spraying.check(address)
    limiter.check(attempt)
    session = db_session()
    user = authenticate(session, data["email"], data["password"])
    if user is None:
        session.rollback()
        spraying.hit(address)
        limiter.hit(attempt)
        return render_template("login.html", error=True, email=data["email"], next=_safe_next(data["next"])), 401
    limiter.clear(attempt)  # the address's count stays: a sprayer's own account must not wipe it
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
