"""Which language a page is in: the person's choice, else the switcher's cookie, else the browser's, else English."""

from flask import request
from flask_login import current_user

LANGUAGES = ("en", "fr", "es")
#: Each language named in its own language, as the language switcher offers them.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
#: Where the language switcher keeps the choice of someone who is not logged in.
LANGUAGE_COOKIE = "consult_language"


def select_locale() -> str:
    """The locale for this request."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return request.cookies[LANGUAGE_COOKIE]
    return request.accept_languages.best_match(LANGUAGES) or "en"
