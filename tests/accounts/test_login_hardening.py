"""The log-in form against an adversary: open redirects through `next`, password spraying from one address,
and writes sent with no log-in at all."""

from __future__ import annotations

import re

import pytest

from consult import create_app
from tests.factories import PASSWORD, Factory, log_in

#: Known open-redirect payloads (tabs, newlines and other characters browsers drop, backslashes they read
#: as slashes, schemes, protocol-relative addresses): none may take a person off this site.
HOSTILE_NEXT = [
    "//evil.example", "///evil.example", "////evil.example", "/\t/evil.example", "/\n/evil.example",
    "/\r\n/evil.example", "/\r/evil.example", "\t//evil.example", " //evil.example", "/ /evil.example",
    "/\x0b/evil.example", "/\x0c/evil.example", "/\x1f/evil.example", "/\x7f/evil.example",
    "/\u0085/evil.example", "/\u2028/evil.example", "/\u200b/evil.example", "/\ufeff/evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example", "/\t\\evil.example",
    "https://evil.example", "http:evil.example", "https:/evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "evil.example", ".evil.example",
    "//evil.example@127.0.0.1", "/%0a/evil.example\r\nSet-Cookie: x=1", "",
]

#: Same-site paths a person was on before logging in: followed exactly.
LOCAL_NEXT = ["/rounds/1", "/rounds/1/people?tab=signatories#workers", "/registry?q=caf%C3%A9", "/monitoring",
              "/rounds/1/comments/2/edit", "/%2F%2Fevil.example"]


def _csrf(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _log_in_with_next(client, user, target: str):
    return client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target,
                                       "csrf_token": _csrf(client)})


def test_hostile_next_addresses_never_leave_the_site_and_never_fail(client, make):
    person = make.user("workers")
    for target in HOSTILE_NEXT:
        response = _log_in_with_next(client, person, target)
        assert response.status_code == 302, (target, response.status_code)
        assert response.headers["Location"] == "/", (target, response.headers["Location"])
        client.post("/logout", data={"csrf_token": _csrf(client, "/")})
        shown = client.get("/login", query_string={"next": target}).get_data(as_text=True)
        assert re.search(r'name="next" value=""', shown), target  # not carried into the form either


def test_a_local_next_address_is_followed_exactly(client, make):
    person = make.user("workers")
    for target in LOCAL_NEXT:
        response = _log_in_with_next(client, person, target)
        assert response.status_code == 302 and response.headers["Location"] == target, target
        client.post("/logout", data={"csrf_token": _csrf(client, "/")})


def test_the_language_switcher_never_sends_a_person_off_the_site(client, make):
    log_in(client, make.user("workers"))
    for target in HOSTILE_NEXT:
        response = client.post("/language", data={"language": "fr", "next": target,
                                                  "csrf_token": _csrf(client, "/")})
        assert response.status_code == 303, (target, response.status_code)
        assert response.headers["Location"] == "/", (target, response.headers["Location"])


def _guarded_app(database_url: str, folder, address_rate: str = "30/15 minutes", **settings):
    return create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "test-secret",
                       "TESTING": True, "LOGIN_RATE": "10/15 minutes", "LOGIN_ADDRESS_RATE": address_rate,
                       **settings})


@pytest.fixture
def guarded(database_url, tmp_path):
    """An app with realistic log-in limits (the suite's own app raises them out of the way)."""
    application = _guarded_app(database_url, tmp_path / "guarded")
    yield application
    application.extensions["consult.db"].dispose()


def _try(client, email: str, password: str, *, json: bool = False):
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/login", data={"email": email, "password": password, "csrf_token": _csrf(client)},
                       headers=headers)


def test_password_spraying_from_one_address_is_stopped_and_other_addresses_are_not(guarded):
    make = Factory(guarded)
    budget = 30
    victims = [make.user("workers") for _ in range(3)]
    sprayer = guarded.test_client()
    for n in range(budget):  # one wrong password each for many addresses: never 10 for one e-mail
        answer = _try(sprayer, f"person{n}@union.example", "Summer2026!")
        assert answer.status_code == 401, (n, answer.status_code)
    refused = _try(sprayer, victims[0].email, "Summer2026!", json=True)
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"] and error["retry_at"]
    page = _try(sprayer, victims[1].email, "Summer2026!")
    assert page.status_code == 429 and "Too many" in page.get_data(as_text=True)
    # While the address is over its budget even a right password is refused: otherwise the sprayer
    # would still learn which guess was right.
    assert _try(sprayer, victims[2].email, PASSWORD).status_code == 429
    colleague = guarded.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # another office
    assert _try(colleague, victims[2].email, "typo").status_code == 401
    assert _try(colleague, victims[2].email, PASSWORD).status_code == 302


def test_the_per_address_budget_counts_failures_only(database_url, tmp_path):
    office_app = _guarded_app(database_url, tmp_path / "office", address_rate="3/15 minutes")
    try:
        make = Factory(office_app)
        people = [make.user("workers") for _ in range(2)]
        office = office_app.test_client()  # an office behind one address, logging in all day
        for n in range(6):
            assert _try(office, people[n % 2].email, PASSWORD).status_code == 302, n
            office.post("/logout", data={"csrf_token": _csrf(office, "/")})
        assert _try(office, people[0].email, "typo").status_code == 401
    finally:
        office_app.extensions["consult.db"].dispose()


def test_behind_a_proxy_each_client_address_has_its_own_budget_and_a_forged_header_changes_nothing(
        database_url, tmp_path):
    proxied = _guarded_app(database_url, tmp_path / "proxied", address_rate="3/15 minutes", TRUSTED_PROXIES=1)
    try:
        person = Factory(proxied).user("workers")
        via_proxy = proxied.test_client()  # every request arrives from the proxy's own address
        sprayer = {"X-Forwarded-For": "203.0.113.5"}
        for n in range(3):  # the sprayer puts a new address in front each time; the proxy appends the real one
            forged = {"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.5"}
            assert via_proxy.post("/login", data={"email": f"x{n}@union.example", "password": "guess",
                                                  "csrf_token": _csrf(via_proxy)}, headers=forged).status_code == 401
        refused = via_proxy.post("/login", data={"email": person.email, "password": PASSWORD,
                                                 "csrf_token": _csrf(via_proxy)}, headers=sprayer)
        assert refused.status_code == 429
        colleague = proxied.test_client()  # another client behind the same proxy is not locked out
        answer = colleague.post("/login", data={"email": person.email, "password": PASSWORD,
                                                "csrf_token": _csrf(colleague)},
                                headers={"X-Forwarded-For": "192.0.2.44"})
        assert answer.status_code == 302
    finally:
        proxied.extensions["consult.db"].dispose()


def test_an_ipv6_sprayer_cannot_escape_by_moving_within_its_network(database_url, tmp_path):
    v6 = _guarded_app(database_url, tmp_path / "v6", address_rate="3/15 minutes")
    try:
        person = Factory(v6).user("workers")
        for n in range(3):
            hop = v6.test_client()
            hop.environ_base["REMOTE_ADDR"] = f"2001:db8:1:2::{n + 1:x}"
            assert _try(hop, f"x{n}@union.example", "guess").status_code == 401
        same_network = v6.test_client()
        same_network.environ_base["REMOTE_ADDR"] = "2001:db8:1:2:ffff::9"
        assert _try(same_network, person.email, PASSWORD).status_code == 429
        next_network = v6.test_client()
        next_network.environ_base["REMOTE_ADDR"] = "2001:db8:1:3::1"
        assert _try(next_network, person.email, PASSWORD).status_code == 302
    finally:
        v6.extensions["consult.db"].dispose()


def test_the_per_e_mail_limit_still_stops_guessing_one_password(guarded):
    person = Factory(guarded).user("workers")
    budget = 10
    guesser = guarded.test_client()
    for n in range(budget):
        assert _try(guesser, person.email, f"guess {n}").status_code == 401
    assert _try(guesser, person.email, "guess again", json=True).status_code == 429


def test_a_write_with_no_log_in_and_no_token_is_401(app, make):
    from tests.factories import tripartite
    from tests.test_bad_input import assert_error_shape, snapshot

    world = tripartite(make)
    round_id = world["round"].id
    db = app.extensions["consult.db"]
    before = snapshot(db)
    bare = app.test_client()  # no cookie, no token
    for method, path, body in (("POST", "/api/v1/tokens", {"name": "x"}),
                               ("POST", f"/api/v1/rounds/{round_id}/comments", {"section": "system", "body": "x"}),
                               ("PUT", f"/api/v1/rounds/{round_id}/signatories/workers", {"user_id": 1}),
                               ("DELETE", "/api/v1/tokens/1", None),
                               ("POST", "/api/v1/me/sessions/end", None)):
        answer = bare.open(path, method=method, json=body)
        assert assert_error_shape(answer, 401)["code"] == "unauthorized", (method, path)
    page = bare.post(f"/rounds/{round_id}/comments", data={"section": "system", "body": "x"})
    assert page.status_code == 401 and "log in" in page.get_data(as_text=True).lower()
    visitor = app.test_client()
    visitor.get("/login")  # a session cookie, but nobody logged in
    answer = visitor.post("/api/v1/tokens", json={"name": "x"})
    assert assert_error_shape(answer, 401)["code"] == "unauthorized"
    assert snapshot(db) == before


def test_a_logged_in_write_without_its_csrf_token_is_still_400_csrf_failed(app, make, client):
    person = make.user("workers")
    log_in(client, person)
    for headers in ({}, {"X-CSRFToken": "forged"}):
        answer = client.post("/api/v1/tokens", json={"name": "x"}, headers=headers)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "csrf_failed"
    assert client.post("/logout").status_code == 400
    # Logging in is open to anyone, and still needs the form's token (no log-in CSRF).
    assert app.test_client().post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 400
