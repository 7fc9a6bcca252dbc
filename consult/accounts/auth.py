"""Who is asking: the log-in session (Flask-Login) or a Bearer token, resolved once per request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, jsonify, request
from flask_babel import gettext
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from consult.accounts.models import User
from consult.accounts.services import user_for_token
from consult.errors import Unauthorized

login_manager = LoginManager()
login_manager.login_view = "pages.login"
login_manager.session_protection = "basic"
csrf = CSRFProtect()


def _session():
    return current_app.extensions["consult.db"].session


@login_manager.user_loader
def load_session_user(session_id: str) -> User | None:
    """Resolve "<id>.<session token>"; a changed token (log out everywhere, deactivation) ends the session."""
    user_id, _, token = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = _session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def cookies_may_log_in() -> bool:
    """Whether the request's cookies may name a logged-in person (Flask-Login's key in the session, or its
    remember-me cookie): when they do not, `current_user` is anonymous whatever the database holds."""
    from flask import session
    from flask_login.config import COOKIE_NAME

    return "_user_id" in session or current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header, if the request has one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def authenticate_request() -> None:
    """Resolve a Bearer token before anything else; a bad one is refused even if a cookie came along.

    A request that carries an Authorization header cannot be forged cross-site, so it needs no CSRF token;
    every other write must carry one.
    """
    g.token_user = None
    if "Authorization" in request.headers:
        token = bearer_token()
        user = user_for_token(_session(), token) if token else None
        if user is None:
            raise Unauthorized(gettext("The API token is missing, malformed, revoked or unknown."))
        g.token_user = user
    elif (request.method not in {"GET", "HEAD", "OPTIONS"} and request.routing_exception is None
          and not (request.is_json and _view_flag("json_only"))):
        if _authorised_by_signed_link():
            return
        try:
            csrf.protect()
        except CSRFError as error:
            # Nobody logged in and nothing to forge: the answer that helps is "log in", not "CSRF".
            # Forms anyone may post (log-in, language, verification) still need their token.
            if not current_user.is_authenticated and not _open_to_anyone():
                raise Unauthorized(
                    gettext("Log in, or send an API token as 'Authorization: Bearer <token>'.")) from error
            if request.path.startswith("/api/"):
                raise CSRFRefused(error.description) from error
            raise CSRFRefused(gettext("The form has expired or was sent from elsewhere: go back, reload the page "
                                      "and send it again.")) from error


def open_to_anyone(view: Callable) -> Callable:
    """Mark a view that people who are not logged in may post to (a CSRF failure there stays 400)."""
    view.open_to_anyone = True  # type: ignore[attr-defined]
    return view


def authorised_by_signed_link(view: Callable) -> Callable:
    """Mark a view whose URL carries a signed token that is its whole authority (one-click unsubscribe, which
    mail clients post with no CSRF token, RFC 8058): nothing there can be forged without the token."""
    view.authorised_by_signed_link = True  # type: ignore[attr-defined]
    return view


def _authorised_by_signed_link() -> bool:
    return _view_flag("authorised_by_signed_link")


def json_only(view: Callable) -> Callable:
    """Mark a public API write that reads JSON only: a browser cannot post JSON to another site without a
    CORS preflight, which consult never grants, so it needs no CSRF token (scripts have none to send)."""
    view.json_only = True  # type: ignore[attr-defined]
    return view


def _view_flag(name: str) -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, name, False) or getattr(getattr(view, "__wrapped__", None), name, False))


def _open_to_anyone() -> bool:
    return _view_flag("open_to_anyone")


class CSRFRefused(Unauthorized):
    """A write from a browser session without a valid CSRF token."""

    status, code = 400, "csrf_failed"


def requester() -> User | None:
    """The person behind this request, by token or session, or None."""
    if getattr(g, "token_user", None) is not None:
        return g.token_user
    return current_user if current_user.is_authenticated else None


def require_user() -> User:
    """The person behind this request; 401 if nobody is logged in."""
    user = requester()
    if user is None:
        raise Unauthorized(gettext("Log in, or send an API token as 'Authorization: Bearer <token>'."))
    return user


def is_browser_navigation() -> bool:
    """A browser asking for a page (it names text/html and sends no token), as opposed to a script."""
    return "Authorization" not in request.headers and any(
        value == "text/html" for value, _quality in request.accept_mimetypes)


def session_or_token(view: Callable) -> Callable:
    """For pages scripts fetch too (a download, a CSV): a session or a Bearer token.

    Nobody behind the request: a browser is sent to the log-in page; anything else gets 401 in the API's
    error shape.
    """

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any):
        if requester() is None:
            if is_browser_navigation():
                return login_manager.unauthorized()
            refusal = Unauthorized(gettext("Log in, or send an API token as 'Authorization: Bearer <token>'."))
            return jsonify(refusal.to_dict()), 401, {"WWW-Authenticate": 'Bearer realm="consult"'}
        return view(*args, **kwargs)

    return guarded
