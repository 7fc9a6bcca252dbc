"""The account mails (invitation, password reset), rendered in the person's language and queued in the outbox."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.notifications.outbox import enqueue

#: Each mail's template (templates/mail/<name>.txt and .html) and the page its link opens.
_MAILS = {"invitation": ("account_invitation", "/password/set/"), "reset": ("account_reset", "/password/reset/")}


def link_url(kind: str, secret: str) -> str:
    """The absolute address of a set-your-password link (on the configured base URL)."""
    return current_app.config["BASE_URL"].rstrip("/") + _MAILS[kind][1] + secret


def queue_account_mail(session: Session, user: User, kind: str, secret: str, lifetime: timedelta) -> None:
    """Render an account mail for `user` in their language and queue it in the caller's transaction."""
    template, _path = _MAILS[kind]
    context = {"person": user, "link": link_url(kind, secret), "hours": round(lifetime.total_seconds() / 3600),
               "base_url": current_app.config["BASE_URL"].rstrip("/")}
    with force_locale(user.language or "en"):  # "" is "not chosen": the pages follow the browser, mail English
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    first, _, body = text.partition("\n")
    enqueue(session, kind=f"account.{kind}", subject=first.removeprefix("Subject:").strip(), text=body.lstrip("\n"),
            html=html, to_user=user)
