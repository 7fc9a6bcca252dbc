"""Deactivating a person ends their live sockets, log-in sessions and API tokens at once; reactivating does
not bring old tokens back; nobody locks the secretariat out."""

from __future__ import annotations

import re

import requests
import socketio

from consult.accounts.models import ApiToken, User
from tests.factories import PASSWORD, tripartite
from tests.live.test_cut_off import Socket


def _browser(live_server: str, user: User) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{live_server}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(f"{live_server}/login", data={"email": user.email, "password": PASSWORD,
                                                        "csrf_token": token}, timeout=10, allow_redirects=False)
    assert answer.status_code == 302
    return browser


def _api(live_server: str, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{live_server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=10, **kwargs)


def test_deactivation_cuts_the_persons_sockets_sessions_and_tokens_and_no_one_elses(live_server, make, db):
    world = tripartite(make)
    worker, employer = world["worker"], world["employer"]
    # The union keeps a person in the round: its last active person could not be deactivated (test_rule_table_bypass).
    make.user(worker.organisation, name="Wes Worker")
    worker_token, employer_token = make.token(worker), make.token(employer)
    secretariat_token = make.token(world["secretariat"])
    browser = _browser(live_server, worker)
    cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    by_token, by_session = Socket(live_server, token=worker_token), Socket(live_server, cookie=cookie)
    bystander = Socket(live_server, token=employer_token)
    try:
        for socket in (by_token, by_session, bystander):
            assert "error" not in socket.join(world["round"].id)
        answer = _api(live_server, secretariat_token, "POST", f"/people/{worker.id}/deactivate")
        assert answer.status_code == 200 and answer.json()["is_active"] is False
        assert by_token.cut.wait(10) and by_session.cut.wait(10)
        assert bystander.client.connected and not bystander.cut.is_set()
        assert _api(live_server, worker_token, "GET", "/me").status_code == 401
        assert browser.get(f"{live_server}/api/v1/me", timeout=10).status_code == 401
        for auth in ({"auth": {"token": worker_token}}, {"headers": {"Cookie": cookie}}):
            try:
                socketio.Client(reconnection=False).connect(live_server, transports=["websocket"], wait_timeout=10,
                                                            **auth)
                raise AssertionError("a deactivated person connected again")
            except socketio.exceptions.ConnectionError:
                pass
        login = requests.Session()
        page = login.get(f"{live_server}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert login.post(f"{live_server}/login", data={"email": worker.email, "password": PASSWORD,
                                                        "csrf_token": csrf}, timeout=10).status_code == 401
        # Reactivated: the password works again, the old token stays revoked.
        assert _api(live_server, secretariat_token, "POST", f"/people/{worker.id}/reactivate").json()["is_active"]
        assert _api(live_server, worker_token, "GET", "/me").status_code == 401
        assert _browser(live_server, worker).get(f"{live_server}/api/v1/me", timeout=10).status_code == 200
        with db.transaction() as session:
            assert all(t.revoked_at for t in session.query(ApiToken).filter_by(user_id=worker.id))
    finally:
        for socket in (by_token, by_session, bystander):
            socket.close()


def test_only_the_secretariat_deactivates_and_never_itself_or_its_last_person(api, make, db):
    world = tripartite(make)
    secretariat, worker = world["secretariat"], world["worker"]
    assert api(worker).post(f"/people/{world['employer'].id}/deactivate").status_code == 403
    assert api(worker).post(f"/people/{worker.id}/reactivate").status_code == 403
    assert api(secretariat).post(f"/people/{secretariat.id}/deactivate").status_code == 409
    assert api(secretariat).post("/people/999999/deactivate").status_code == 404
    colleague = make.user(secretariat.organisation)
    assert api(colleague).post(f"/people/{secretariat.id}/deactivate").status_code == 200
    with db.transaction() as session:  # the colleague is now the last active secretariat person
        others = [u for u in session.query(User).all() if u.is_secretariat and u.is_active and u.id != colleague.id]
        for other in others:
            session.get(User, other.id).is_active = False
    assert api(colleague).post(f"/people/{colleague.id}/deactivate").status_code == 409
    with db.transaction() as session:
        assert session.get(User, worker.id).is_active and session.get(User, colleague.id).is_active


def test_the_last_person_of_an_organisation_a_round_cannot_lose_is_kept_until_another_joins(api, make, db):
    """docs/rules.md: nobody pushes the employer whose plan it is, or the last organisation of a constituency that
    signs, out of a round under way; deactivating that organisation's last active person is refused (409) and
    changes nothing. Once the organisation has another active person, or the round has concluded, it is allowed."""
    world = tripartite(make)
    secretariat = api(world["secretariat"])
    for who in ("employer", "worker", "government"):
        refused = secretariat.post(f"/people/{world[who].id}/deactivate")
        assert refused.status_code == 409, (who, refused.get_json())
        assert world[who].display_name in refused.get_json()["error"]["message"]
        with db.transaction(write=False) as session:
            assert session.get(User, world[who].id).is_active
    make.user(world["worker"].organisation, name="Wes Worker")
    assert secretariat.post(f"/people/{world['worker'].id}/deactivate").status_code == 200
