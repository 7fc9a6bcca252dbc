"""Invitations and password resets by mail (a real SMTP server), single-use expiring links, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.accounts.models import AccountLink, User
from consult.notifications.models import OutboxMessage
from tests.accounts.conftest import csrf_of, link_in
from tests.factories import PASSWORD, log_in

NEW_PASSWORD = "plum orchard under snow"


def _counts(db) -> tuple[int, int, int]:
    with db.transaction() as session:
        return (session.scalar(select(func.count(User.id))), session.scalar(select(func.count(OutboxMessage.id))),
                session.scalar(select(func.count(AccountLink.id))))


def _invite(api, secretariat, organisation, **fields):
    body = {"organisation_id": organisation.id, "display_name": "Inès Duval", "email": "ines@union.test",
            "role_title": "Délégué syndical", "language": "fr", **fields}
    return api(secretariat).post("/people", body)


def test_an_invited_person_chooses_their_password_through_the_mailed_link_once(app, api, make, deliver, db):
    secretariat = make.user("secretariat")
    union = make.organisation("workers")
    answer = _invite(api, secretariat, union)
    assert answer.status_code == 201, answer.get_json()
    assert "password" not in answer.get_json() and answer.get_json()["is_active"]
    [mail] = deliver("ines@union.test")
    assert mail["Subject"] == "Vous êtes invité(e) sur consult"
    assert "Inès Duval" in mail["To"] and mail["Message-ID"]
    path = link_in(mail)
    with db.transaction() as session:  # only the link's hash is kept
        assert path.rsplit("/", 1)[1] not in {row.token_hash for row in session.scalars(select(AccountLink))}

    browser = app.test_client()
    assert browser.get(path).status_code == 200
    token = csrf_of(browser, path)
    done = browser.post(path, data={"csrf_token": token, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].endswith("/")
    assert browser.get("/api/v1/me").get_json()["email"] == "ines@union.test"  # logged in by it

    with db.transaction() as session:
        stored = session.scalar(select(User).where(User.email == "ines@union.test")).password_hash
    again = app.test_client()
    assert again.get(path).status_code == 410
    replay = again.post(path, data={"csrf_token": csrf_of(again, "/login"), "password": "another fine password",
                                    "confirmation": "another fine password"})
    assert replay.status_code == 410
    assert again.post("/api/v1/password", json={"token": path.rsplit("/", 1)[1],
                                                "password": "another fine password"}).status_code == 422
    with db.transaction() as session:
        assert session.scalar(select(User).where(User.email == "ines@union.test")).password_hash == stored
    login = app.test_client()
    assert login.post("/login", data={"csrf_token": csrf_of(login, "/login"), "email": "ines@union.test",
                                      "password": NEW_PASSWORD}).status_code == 302


def test_an_expired_link_is_refused_and_changes_nothing(app, api, make, deliver, db):
    secretariat, union = make.user("secretariat"), make.organisation("workers")
    assert _invite(api, secretariat, union).status_code == 201
    secret = link_in(deliver("ines@union.test")[0]).rsplit("/", 1)[1]
    with db.transaction() as session:
        link = session.scalar(select(AccountLink))
        link.expires_at = link.expires_at - timedelta(days=8)
        before = session.scalar(select(User).where(User.email == "ines@union.test")).password_hash
    refused = app.test_client().post("/api/v1/password", json={"token": secret, "password": NEW_PASSWORD})
    assert refused.status_code == 422 and "token" in refused.get_json()["error"]["fields"]
    with db.transaction() as session:
        assert session.scalar(select(User).where(User.email == "ines@union.test")).password_hash == before
        assert session.scalar(select(AccountLink)).used_at is None


@pytest.mark.parametrize("password", ["password12", "short", "aaaaaaaaaaaa", "ines@union.test", "Qwertyuiop"])
def test_a_weak_password_is_refused_and_the_link_still_works(app, api, make, deliver, password):
    secretariat, union = make.user("secretariat"), make.organisation("workers")
    _invite(api, secretariat, union)
    secret = link_in(deliver("ines@union.test")[0]).rsplit("/", 1)[1]
    browser = app.test_client()
    weak = browser.post("/api/v1/password", json={"token": secret, "password": password})
    assert weak.status_code == 422 and "password" in weak.get_json()["error"]["fields"]
    assert browser.post("/api/v1/password", json={"token": secret, "password": NEW_PASSWORD}).status_code == 204


@pytest.mark.parametrize("fields", [
    {"email": "not an address"}, {"email": "ines@union.test\r\nBcc: all@union.test"},
    {"email": "ines@union.test>, <all@union.test"}, {"display_name": "Inès\r\nBcc: all@union.test"},
    {"display_name": "Inès\nDuval"}, {"role_title": "Délégué\r\nSubject: urgent"}, {"display_name": "x" * 121},
    {"role_title": "x" * 121}, {"email": "a" * 250 + "@u.test"}, {"display_name": "   "}, {"language": "de"},
])
def test_bad_invitations_are_refused_with_nothing_created_or_sent(app, api, make, db, smtp, fields):
    secretariat, union = make.user("secretariat"), make.organisation("workers")
    before = _counts(db)
    answer = _invite(api, secretariat, union, **fields)
    assert answer.status_code == 422, answer.get_json()
    assert set(answer.get_json()["error"]["fields"]) <= {"email", "display_name", "role_title", "language"}
    assert _counts(db) == before
    from consult.notifications.mailer import send_now

    send_now(app)
    assert smtp.inbox.messages == []


def test_only_the_secretariat_invites_and_the_page_form_mails_instead_of_showing_a_password(app, api, make,
                                                                                              deliver, db):
    worker = make.user("workers")
    assert _invite(api, worker, worker.organisation).status_code == 403
    secretariat, union = make.user("secretariat"), make.organisation("workers")
    browser = app.test_client()
    log_in(browser, secretariat)
    token = csrf_of(browser, "/organisations")
    sent = browser.post("/organisations/people", data={"csrf_token": token, "organisation_id": union.id,
                                                       "display_name": "Ana Ruiz", "email": "ana@union.test",
                                                       "language": "es"}, follow_redirects=True)
    page = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "ana@union.test" in page and "password:" not in page
    [mail] = deliver("ana@union.test")
    assert mail["Subject"] == "Tiene una invitación a consult"
    with db.transaction() as session:
        person = session.scalar(select(User).where(User.email == "ana@union.test"))
        first = session.scalar(select(AccountLink).where(AccountLink.user_id == person.id))
    # Sent again: the first link stops working, the new one works.
    assert api(secretariat).post(f"/people/{person.id}/invitation").status_code == 200
    mails = deliver("ana@union.test")
    assert len(mails) == 2
    old, new = link_in(mails[0]).rsplit("/", 1)[1], link_in(mails[1]).rsplit("/", 1)[1]
    assert app.test_client().post("/api/v1/password", json={"token": old, "password": NEW_PASSWORD}).status_code == 422
    assert app.test_client().post("/api/v1/password", json={"token": new, "password": NEW_PASSWORD}).status_code == 204
    assert first.used_at is None  # the row as read before; the table now holds it spent


def test_a_forgotten_password_gets_the_same_answer_for_any_address_and_mails_only_an_account(app, make, deliver,
                                                                                             db, smtp):
    person, gone = make.user("workers"), make.user("workers")
    with db.transaction() as session:
        session.get(User, person.id).email = "known@union.test"
        session.get(User, gone.id).email = "gone@union.test"
        session.get(User, gone.id).is_active = False
    person.email = "known@union.test"
    answers = []
    for address in ("known@union.test", "nobody@union.test", "gone@union.test", "KNOWN@union.test "):
        browser = app.test_client()
        page = browser.post("/password/forgotten", data={"csrf_token": csrf_of(browser, "/password/forgotten"),
                                                         "email": address.strip()})
        api_answer = app.test_client().post("/api/v1/password/forgotten", json={"email": address.strip()})
        answers.append((page.status_code, page.get_data(as_text=True).split("<main")[1], api_answer.status_code,
                        api_answer.get_json()))
    assert all(answer == answers[0] for answer in answers) and answers[0][2] == 202
    mails = deliver("known@union.test")
    assert len(mails) == 4 and all(m["Subject"] == "Choose a new consult password" for m in mails)
    assert smtp.inbox.to("nobody@union.test") == [] and smtp.inbox.to("gone@union.test") == []
    # Only the newest link works; it sets the password and ends the person's sessions.
    links = [link_in(m).rsplit("/", 1)[1] for m in mails]
    assert app.test_client().post("/api/v1/password", json={"token": links[0], "password": NEW_PASSWORD}
                                  ).status_code == 422
    logged_in = app.test_client()
    log_in(logged_in, person)
    assert app.test_client().post("/api/v1/password", json={"token": links[-1], "password": NEW_PASSWORD}
                                  ).status_code == 204
    assert logged_in.get("/api/v1/me").status_code == 401


def test_reset_requests_are_rate_limited_per_address_whatever_it_is(app, make, db, smtp):
    app.extensions["consult.reset_limiters"][1].rate = __import__("limits").parse("2/hour")
    person = make.user("workers")
    with db.transaction() as session:
        session.get(User, person.id).email = "known@union.test"
    codes = [app.test_client().post("/api/v1/password/forgotten", json={"email": email}).status_code
             for email in ("known@union.test", "known@union.test", "known@union.test", "nobody@union.test",
                           "nobody@union.test", "nobody@union.test")]
    assert codes == [202, 202, 429, 202, 202, 429]
    with db.transaction() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == 2


@pytest.mark.parametrize("body", [{"email": "bad"}, {"email": "a@b.test\r\nBcc: c@d.test"}, {}, {"email": 5}])
def test_a_malformed_reset_request_is_refused_and_sends_nothing(app, db, body):
    before = _counts(db)
    answer = app.test_client().post("/api/v1/password/forgotten", json=body)
    assert answer.status_code == 422 and answer.get_json()["error"]["fields"]
    assert _counts(db) == before


def test_a_person_changes_profile_and_password_and_header_injection_is_refused(app, api, make, db):
    person = make.user("workers")
    with db.transaction() as session:
        session.get(User, person.id).email = "me@union.test"
    person.email = "me@union.test"
    client = api(person)
    patched = client.client.patch("/api/v1/me", json={"display_name": "Marie Curie", "role_title": "Steward",
                                                      "language": "es"}, headers=client.headers)
    assert patched.status_code == 200 and patched.get_json()["language"] == "es"
    for bad in ({"display_name": "Marie\r\nBcc: x@y.test"}, {"role_title": "a\nb"}, {"display_name": "x" * 121},
                {"language": "xx"}, {"display_name": ""}, {"email": "other@union.test"}):
        refused = client.client.patch("/api/v1/me", json=bad, headers=client.headers)
        assert refused.status_code == 422, bad
    with db.transaction() as session:
        me = session.get(User, person.id)
        assert (me.display_name, me.role_title, me.language, me.email) == ("Marie Curie", "Steward", "es",
                                                                             "me@union.test")
    browser = app.test_client()
    log_in(browser, person)
    wrong = client.post("/me/password", {"current_password": "nope", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["error"]["fields"]
    weak = client.post("/me/password", {"current_password": PASSWORD, "new_password": "password1"})
    assert weak.status_code == 422 and "new_password" in weak.get_json()["error"]["fields"]
    assert browser.get("/api/v1/me").status_code == 200
    assert client.post("/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
                       ).status_code == 204
    assert browser.get("/api/v1/me").status_code == 401  # other sessions end; the token goes on
    assert client.get("/me").status_code == 200
