"""Which language a page is in: the person's choice, else the browser's, else English."""

from flask import request
from flask_login import current_user

LANGUAGES = ("en", "fr", "es")


def select_locale() -> str:
    """The locale for this request."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return request.accept_languages.best_match(LANGUAGES) or "en"
