"""The language switcher: the choice is saved on the person or in a cookie; bad input changes nothing."""

from __future__ import annotations

from consult.accounts.models import User
from tests.factories import log_in
from tests.i18n.helpers import csrf_of, lang_of, switch


def language_of(db, user) -> str:
    with db.transaction(write=False) as session:
        return session.get(User, user.id).language


def test_a_logged_in_person_switches_to_french_and_it_is_saved_on_their_account(client, make, db):
    person = make.user("workers")
    log_in(client, person)
    response = switch(client, "fr", next="/registry?q=roster")
    assert response.status_code == 303 and response.headers["Location"] == "/registry?q=roster"
    page = client.get("/registry?q=roster").get_data(as_text=True)
    assert lang_of(page) == "fr" and "Registre des résultats signés" in page
    assert "Les pages sont désormais en français." in page  # the notice, in the language just chosen
    assert '<option value="fr" lang="fr" selected>Français</option>' in page
    assert language_of(db, person) == "fr"

    other_browser = make.app.test_client()  # the choice follows the person, not the browser
    log_in(other_browser, person)
    assert lang_of(other_browser.get("/").get_data(as_text=True)) == "fr"

    switch(client, "es", next="/")
    assert language_of(db, person) == "es"
    assert "Mis consultas" in client.get("/").get_data(as_text=True)


def test_someone_not_logged_in_gets_a_cookie_that_later_pages_follow(client):
    response = switch(client, "es", next="/verify")
    assert response.status_code == 303 and response.headers["Location"] == "/verify"
    assert "consult_language=es" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/verify", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert lang_of(page) == "es" and "Verificar un documento de resultado" in page  # the choice beats the browser


def test_the_switcher_goes_back_to_local_pages_only(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = switch(client, "fr", next=target)
        assert response.status_code == 303 and response.headers["Location"] == "/", target


def test_an_unknown_language_is_refused_and_changes_nothing(client, make, db):
    person = make.user("government")
    log_in(client, person)
    for bad in ({"language": "de"}, {"language": ""}, {"language": "fr\x00"}):
        response = client.post("/language", data={"csrf_token": csrf_of(client, "/"), "next": "/", **bad})
        assert response.status_code == 422, bad
        assert "Choose one of the languages offered: English, French or Spanish." in response.get_data(as_text=True)
        assert "consult_language" not in response.headers.get("Set-Cookie", "")
    assert client.post("/language", data={"csrf_token": csrf_of(client, "/")}).status_code == 422  # no field at all
    assert language_of(db, person) == ""  # still not chosen
    assert lang_of(client.get("/").get_data(as_text=True)) == "en"


def test_the_switcher_without_its_csrf_token_changes_nothing(client, make, db):
    person = make.user("employers")
    log_in(client, person)
    response = client.post("/language", data={"language": "fr", "next": "/"})
    assert response.status_code == 400 and "consult_language" not in response.headers.get("Set-Cookie", "")
    assert language_of(db, person) == ""
    anonymous = make.app.test_client()
    response = anonymous.post("/language", data={"language": "fr", "csrf_token": "forged"})
    assert response.status_code == 400 and "consult_language" not in response.headers.get("Set-Cookie", "")
    assert lang_of(anonymous.get("/login").get_data(as_text=True)) == "en"


def test_every_page_has_the_switcher_with_a_label_and_each_language_in_its_own_name(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<form method="post" action="/language"' in page
    assert '<label for="page-language">Language</label>' in page
    for option in ('lang="en" selected>English', 'lang="fr">Français', 'lang="es">Español'):
        assert option in page
    assert '<input type="hidden" name="next" value="/login">' in page
