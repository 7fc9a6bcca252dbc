"""The language chosen before log-in, or the browser's, is kept at log-in unless the person chose one."""

from __future__ import annotations

from consult.accounts.models import User
from tests.factories import log_in
from tests.i18n.helpers import lang_of, speak, switch


def _language(db, user) -> str | None:
    with db.transaction(write=False) as session:
        return session.get(User, user.id).language


def test_new_accounts_have_no_language_chosen(make, db):
    assert _language(db, make.user("workers")) == ""


def test_spanish_chosen_on_the_log_in_page_is_kept_after_logging_in(client, make, db):
    person = make.user("workers")
    switch(client, "es", next="/login")
    assert lang_of(client.get("/login").get_data(as_text=True)) == "es"
    log_in(client, person)
    page = client.get("/").get_data(as_text=True)
    assert lang_of(page) == "es" and "Mis consultas" in page
    assert _language(db, person) == ""  # the cookie carried it; the account still has no choice of its own


def test_a_browser_set_to_french_gets_french_after_logging_in(make):
    person = make.user("government")
    browser = make.app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9,en;q=0.5"
    log_in(browser, person)
    assert lang_of(browser.get("/").get_data(as_text=True)) == "fr"


def test_a_language_chosen_in_the_profile_wins_over_the_cookie_and_the_browser(client, make, db):
    person = make.user("employers")
    speak(db, person, "en")
    switch(client, "fr", next="/login")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    log_in(client, person)
    assert lang_of(client.get("/").get_data(as_text=True)) == "en"
