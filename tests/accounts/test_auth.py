"""Logging in and out, CSRF on forms, API tokens."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult.accounts.models import ApiToken, User
from consult.accounts.services import end_sessions
from tests.factories import PASSWORD


def _csrf(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def logged_out(client) -> bool:
    """Whether `/` shows the visitor's front door (not someone's dashboard)."""
    page = client.get("/")
    return page.status_code == 200 and 'class="front-door"' in page.get_data(as_text=True)


def test_a_person_logs_in_sees_their_dashboard_and_logs_out(client, make):
    worker = make.user("workers", name="Ada Lovelace")
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD, "csrf_token": _csrf(client)})
    assert response.status_code == 302
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "Ada Lovelace" in dashboard.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert logged_out(client)  # back to the front door


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make):
    worker = make.user("workers")
    response = client.post("/login", data={"email": worker.email, "password": "nope", "csrf_token": _csrf(client)})
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)
    assert logged_out(client)


def test_a_form_without_its_csrf_token_is_refused(client, make):
    worker = make.user("workers")
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert response.status_code == 400
    assert logged_out(client)


def test_an_api_write_with_the_session_cookie_but_no_csrf_token_is_refused(client, make):
    worker = make.user("workers")
    client.post("/login", data={"email": worker.email, "password": PASSWORD, "csrf_token": _csrf(client)})
    response = client.post("/api/v1/tokens", json={"name": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_an_api_token_authenticates_a_script_and_a_revoked_one_does_not(api, make, client):
    worker = make.user("workers", name="Tok En")
    token = make.token(worker)
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["display_name"] == "Tok En"
    assert me.get_json()["constituency"] == "workers"
    token_id = client.get("/api/v1/tokens", headers=headers).get_json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 204
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"


def test_a_forged_token_is_refused(client, make):
    make.user("workers")
    for header in ("Bearer cst_forged", "Bearer ", "Basic abc", "Bearer " + "x" * 500):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(api, make, db):
    worker = make.user("workers")
    created = api(worker).post("/tokens", json={"name": "nightly export"})
    assert created.status_code == 201
    plain = created.get_json()["token"]
    listed = api(worker).get("/tokens").get_json()
    assert all("token" not in t for t in listed)
    with db.transaction(write=False) as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert len(stored) == 2 and plain not in stored
    assert plain not in stored


def test_ending_sessions_logs_a_person_out_everywhere(client, make, db):
    worker = make.user("workers")
    client.post("/login", data={"email": worker.email, "password": PASSWORD, "csrf_token": _csrf(client)})
    assert client.get("/").status_code == 200
    with db.transaction() as session:
        end_sessions(session.get(User, worker.id))
    assert logged_out(client)
