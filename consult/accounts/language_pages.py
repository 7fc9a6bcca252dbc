"""The language switcher: a plain form on every page that changes the language the pages are shown in.

Someone logged in keeps the choice on their account (`User.language`); someone who is not gets a cookie
that `select_locale` reads. Both get the cookie, so the pages stay in that language after logging out.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, render_template, request
from flask_babel import force_locale, gettext

from consult.accounts.auth import open_to_anyone, requester
from consult.accounts.pages import _safe_next
from consult.accounts.schemas import LanguageIn
from consult.accounts.services import set_language
from consult.errors import ConsultError, Invalid
from consult.vocabulary import LANGUAGE_NAMES
from consult.web import pages
from consult.web.forms import handle_form
from consult.web.locale import LANGUAGE_COOKIE

ONE_YEAR = 365 * 24 * 3600


@pages.app_context_processor
def _switcher() -> dict:
    return {"language_names": LANGUAGE_NAMES, "language_next": _here}


def _here() -> str:
    """The page to come back to after switching: this one, or for a posted form the page that showed it."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc in ("", request.host)
    return _safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else "")) if same_site else ""


def _refused(form: dict, error: ConsultError):
    problem = Invalid(gettext("Choose one of the languages offered: English, French or Spanish."))
    return render_template("error.html", error=problem), error.status


@pages.route("/language", methods=["POST"])
@open_to_anyone
def choose_language():
    """Show the pages in another language, then go back to the page the person was on."""
    user = requester()

    def save(session, data):
        if user is not None:
            set_language(session, user, data["language"])
        return data

    form = {key: request.form.get(key, "") for key in ("language", "next")}
    response = handle_form(LanguageIn(), save, form=form, again=_refused,
                           done=lambda data: _safe_next(data["next"]) or "/")
    if isinstance(response, tuple):  # refused: nothing saved, no cookie
        return response
    language = form["language"]
    with force_locale(language):  # said in the language just chosen
        flash(gettext("The pages are now in English."), "saved")
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
