"""Which language a page is in: the person's choice, else the switcher's cookie, else the browser's, else English."""

from flask import g, request
from flask_babel import get_translations
from flask_login import current_user

from consult.vocabulary import LANGUAGES

#: Where the language switcher keeps the choice of someone who is not logged in.
LANGUAGE_COOKIE = "consult_language"


def select_locale() -> str:
    """The locale for this request."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return requested_locale()


def requested_locale() -> str:
    """The locale the request asks for, whoever is logged in: the switcher's cookie, else the browser's, else
    English (`select_locale`'s answer when nobody is logged in, or the person chose no language)."""
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return request.cookies[LANGUAGE_COOKIE]
    return request.accept_languages.best_match(LANGUAGES) or "en"


def _translations():
    """The catalogue of the locale in force, remembered per locale for the length of a request (a round page
    asks for a hundred and more strings; Flask-Babel finds the catalogue afresh for each); `force_locale`
    (a mail in its reader's language) changes the locale, and so the catalogue found."""
    context = g.get("_flask_babel") if g else None
    locale = getattr(context, "babel_locale", None)
    if locale is None:
        return get_translations()
    remembered = context.__dict__.setdefault("consult_catalogues", {})
    found = remembered.get(id(locale))  # by identity: hashing a babel Locale costs more than the look-up saved
    if found is None or found[0] is not locale:
        found = remembered[id(locale)] = (locale, get_translations())
    return found[1]


def install_template_gettext(app) -> None:
    """The templates' `_()`, `ngettext()`...: Flask-Babel's, with the catalogue remembered (`_translations`)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
