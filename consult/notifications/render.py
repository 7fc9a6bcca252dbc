"""Mail in the recipient's language: subject, plain text and HTML from templates/mail/, links from BASE_URL."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import Flask, current_app, has_app_context, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer

UNSUBSCRIBE_SALT = "consult.unsubscribe"


def mail_context(app: Flask):
    """The application context to render mail in: the current one if it is this app's, else a new one.

    Never a second one inside a request: popping it would run the teardown that closes the request's
    database session, in the middle of the transaction whose notifications are being written.
    """
    if has_app_context() and current_app._get_current_object() is app:
        return nullcontext()
    return app.app_context()


def render_mail(app: Flask, template: str, language: str, **context: Any) -> tuple[str, str]:
    """Render templates/<template>.txt and .html in `language`; returns (text, html)."""
    with mail_context(app), force_locale(language or "en"):
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    return text, html


def absolute(app: Flask, path: str) -> str:
    """A link to a path of this server, as the mail must give it: under BASE_URL."""
    return app.config["BASE_URL"].rstrip("/") + path


def unsubscribe_token(app: Flask, user_id: int, kind: str, version: int = 0) -> str:
    """A signed token that turns one kind of mail off for one person, with no log-in, while the person's
    preference for it is still at `version` (consult/notifications/services.py: `link_version`)."""
    return URLSafeSerializer(app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps([user_id, kind, version])


def read_unsubscribe_token(app: Flask, token: str) -> tuple[int, str, int] | None:
    """The person, kind and preference version a token names, or None when it is not one of ours.

    Links made before versions name none: they count as made for version 0, a kind never changed."""
    try:
        found = URLSafeSerializer(app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(found, list) or len(found) not in (2, 3):
        return None
    user_id, kind, version = (*found, 0) if len(found) == 2 else found
    if not isinstance(user_id, int) or not isinstance(kind, str) or not isinstance(version, int):
        return None
    return user_id, kind, version


def unsubscribe_headers(app: Flask, user_id: int, kind: str, version: int = 0) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers for a mail of this kind to this person."""
    link = absolute(app, f"/notifications/unsubscribe/{unsubscribe_token(app, user_id, kind, version)}")
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
