"""What the language tests share: the CSRF token of a page, the page's language, switching language by the form."""

from __future__ import annotations

import re

from consult.accounts.models import User
from consult.accounts.services import set_language


def csrf_of(client, path: str = "/verify") -> str:
    """The CSRF token a page's forms carry."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def lang_of(html: str) -> str:
    """The language the page declares on <html lang>."""
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def switch(client, language: str, next: str = "/registry", **extra):
    """Post the language switcher as a browser would."""
    return client.post("/language", data={"csrf_token": csrf_of(client), "language": language, "next": next, **extra})


def speak(db, user, language: str) -> None:
    """Save a person's language through the service, as the switcher does."""
    with db.transaction() as session:
        set_language(session, session.get(User, user.id), language)
