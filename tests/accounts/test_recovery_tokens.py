"""An intruder who once held a session keeps nothing after the account is recovered.

The intruder logged in with the victim's password, minted an API token (and kept an older one made before
tokens expired), and followed the round live over Socket.IO. The victim then recovers the account through
"forgot my password" (a real SMTP server), or changes the password on the account page with "sign me out
everywhere": every token must answer 401, every socket must be cut and stay out, the old link must not
replay, and the intruder's browser must be logged out of pages and API alike.
"""

from __future__ import annotations

import re

import requests
import socketio
from sqlalchemy import select, update

from consult.accounts.models import ApiToken
from tests.accounts.conftest import link_in
from tests.factories import PASSWORD, tripartite
from tests.live.test_cut_off import Socket

NEW_PASSWORD = "plum orchard under snow"
LATER_PASSWORD = "heron above the weir"


def _browser(live_server: str, email: str, password: str) -> requests.Session:
    """A browser's cookie jar, logged in through the real form."""
    browser = requests.Session()
    browser.post(f"{live_server}/login", data={"email": email, "password": password,
                                               "csrf_token": _csrf(browser, live_server, "/login")}, timeout=10)
    return browser


def _csrf(browser: requests.Session, live_server: str, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{live_server}{path}", timeout=10).text)[1]


def _cookie(browser: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def _as_token(live_server: str, token: str, path: str = "/me") -> int:
    return requests.get(f"{live_server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).status_code


def _mint(live_server: str, browser: requests.Session) -> str:
    """What the intruder does with a stolen session: mint a token through the API, as a page script would."""
    answer = browser.post(f"{live_server}/api/v1/tokens", json={"name": "backup"}, timeout=10,
                          headers={"X-CSRFToken": _csrf(browser, live_server, "/account")})
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def _legacy_token(make, db, user) -> str:
    """A token without expiry, as every token was made before tokens expired."""
    plain = make.token(user)
    with db.transaction() as session:
        session.execute(update(ApiToken).where(ApiToken.prefix == plain[:10]).values(expires_at=None))
    return plain


def _refused_socket(live_server: str, token: str) -> bool:
    try:
        Socket(live_server, token=token).close()
    except socketio.exceptions.ConnectionError:
        return True
    return False


def _intruder(live_server, make, db, world) -> dict:
    victim = world["worker"]
    browser = _browser(live_server, victim.email, PASSWORD)
    tokens = [_mint(live_server, browser), _legacy_token(make, db, victim)]
    sockets = [Socket(live_server, token=t) for t in tokens] + [Socket(live_server, cookie=_cookie(browser))]
    for socket in sockets:
        assert "error" not in socket.join(world["round"].id)
    assert all(_as_token(live_server, t) == 200 for t in tokens)
    return {"browser": browser, "tokens": tokens, "sockets": sockets}


def _assert_locked_out(live_server: str, world, intruder: dict) -> None:
    for token in intruder["tokens"]:
        assert _as_token(live_server, token) == 401
        assert _as_token(live_server, token, f"/rounds/{world['round'].id}/comments") == 401
        assert _refused_socket(live_server, token), "a revoked token opened a socket"
    for socket in intruder["sockets"]:
        assert socket.cut.wait(10), "a socket of the intruder stayed connected"
    browser = intruder["browser"]
    assert browser.get(f"{live_server}/account", timeout=10, allow_redirects=False).status_code in (302, 303)
    assert browser.get(f"{live_server}/api/v1/me", timeout=10).status_code == 401


def test_recovering_the_account_through_a_reset_link_revokes_the_intruders_tokens_and_sockets(
        live_server, make, db, deliver):
    world = tripartite(make)
    victim = world["worker"]
    intruder = _intruder(live_server, make, db, world)
    try:
        assert requests.post(f"{live_server}/api/v1/password/forgotten", json={"email": victim.email},
                             timeout=10).status_code == 202
        path = link_in(deliver(victim.email)[-1])
        owner = requests.Session()
        done = owner.post(f"{live_server}{path}", data={"csrf_token": _csrf(owner, live_server, path),
                                                        "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
                          timeout=10, allow_redirects=False)
        assert done.status_code == 303
        _assert_locked_out(live_server, world, intruder)
        # Replay: the spent link opens nothing, by page or by API.
        assert requests.get(f"{live_server}{path}", timeout=10).status_code == 410
        assert requests.post(f"{live_server}/api/v1/password", json={"token": path.rsplit("/", 1)[1],
                                                                    "password": "an intruder's choice"},
                             timeout=10).status_code == 422
        # The new password holder starts clean: the account page lists every earlier token as revoked.
        listed = owner.get(f"{live_server}/api/v1/tokens", timeout=10).json()
        assert listed and all(t["revoked_at"] for t in listed)
    finally:
        for socket in intruder["sockets"]:
            socket.close()


def test_a_password_change_that_signs_out_everywhere_revokes_tokens_and_cuts_sockets(live_server, make, db):
    world = tripartite(make)
    victim = world["worker"]
    intruder = _intruder(live_server, make, db, world)
    try:
        owner = _browser(live_server, victim.email, PASSWORD)
        # Posted as the browser posts the page's form: the hidden username input for password managers too.
        changed = owner.post(f"{live_server}/account/password", timeout=10, allow_redirects=False, data={
            "csrf_token": _csrf(owner, live_server, "/account"), "username": victim.email,
            "current_password": PASSWORD, "new_password": NEW_PASSWORD, "sign_out_everywhere": "on"})
        assert changed.status_code == 303, changed.text
        _assert_locked_out(live_server, world, intruder)
        assert owner.get(f"{live_server}/account", timeout=10, allow_redirects=False).status_code == 200
    finally:
        for socket in intruder["sockets"]:
            socket.close()


def test_a_plain_password_change_keeps_tokens_as_the_form_says(live_server, make):
    world = tripartite(make)
    victim = world["worker"]
    token = make.token(victim)
    owner = _browser(live_server, victim.email, PASSWORD)
    changed = owner.post(f"{live_server}/account/password", timeout=10, allow_redirects=False, data={
        "csrf_token": _csrf(owner, live_server, "/account"), "username": victim.email,
        "current_password": PASSWORD, "new_password": LATER_PASSWORD})
    assert changed.status_code == 303, changed.text
    assert _as_token(live_server, token) == 200


def test_a_socket_whose_token_was_revoked_elsewhere_can_no_longer_join_or_replay(live_server, make, db):
    """The cut after a revocation may miss a socket (another process, a lost message): the socket itself
    checks its token again at every join and catch-up, so it reads nothing more."""
    world = tripartite(make)
    token = make.token(world["worker"])
    socket = Socket(live_server, token=token)
    try:
        assert "error" not in socket.join(world["round"].id)
        with db.transaction() as session:  # revoked with no cut: as if the cut never reached this process
            session.execute(update(ApiToken).where(ApiToken.prefix == token[:10])
                            .values(revoked_at=ApiToken.created_at))
        assert socket.join(world["round"].id)["error"]["code"] == "unauthorized"
        replay = socket.client.call("catch_up", {"round_id": world["round"].id, "last_seq": 0}, timeout=10)
        assert replay["error"]["code"] == "unauthorized"
    finally:
        socket.close()


def test_every_new_token_expires_within_a_year(api, make, db):
    worker = make.user("workers")
    client = api(worker)
    assert client.post("/tokens", {"name": "no expiry", "expires_in_days": None}).status_code == 422
    assert client.post("/tokens", {"name": "too long", "expires_in_days": 366}).status_code == 422
    assert client.post("/tokens", {"name": "a year", "expires_in_days": 365}).status_code == 201
    assert client.post("/tokens", {"name": "default"}).status_code == 201
    with db.transaction() as session:
        tokens = {t.name: t for t in session.scalars(select(ApiToken).where(ApiToken.user_id == worker.id))}
        assert set(tokens) == {"tests", "a year", "default"}  # the API client's own, and no refused one
        # 90 days by default, 365 at most: computed from the creation time, not by our code.
        days = {name: round((t.expires_at - t.created_at).total_seconds() / 86400) for name, t in tokens.items()}
        assert days["default"] == 90 and days["a year"] == 365
