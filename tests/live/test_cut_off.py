"""A revoked token, an ended session and a removed organisation lose their live connections at once."""

from __future__ import annotations

import re
import threading

import requests
import socketio

from tests.factories import PASSWORD, tripartite
from tests.live.test_live import wait_until


class Socket:
    """A raw python-socketio client that records pushes and whether the server cut it."""

    def __init__(self, url: str, *, token: str | None = None, cookie: str | None = None) -> None:
        self.client = socketio.Client(reconnection=False)
        self.events: list[dict] = []
        self.cut = threading.Event()
        self.client.on("event", self.events.append)
        self.client.on("disconnect", lambda *args: self.cut.set())
        headers = {"Cookie": cookie} if cookie else {}
        self.client.connect(url, auth={"token": token} if token else None, headers=headers,
                            transports=["websocket"], wait_timeout=10)

    def join(self, round_id: int) -> dict:
        return self.client.call("join", {"round_id": round_id, "last_seq": 0}, timeout=10)

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


def _api(live_server: str, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{live_server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=10, **kwargs)


def test_revoking_a_token_cuts_the_sockets_opened_with_it_and_no_other(live_server, make):
    world = tripartite(make)
    revoked, kept = make.token(world["worker"]), make.token(world["worker"])
    doomed, other = Socket(live_server, token=revoked), Socket(live_server, token=kept)
    try:
        assert "error" not in doomed.join(world["round"].id)
        tokens = _api(live_server, kept, "GET", "/tokens").json()
        token_id = next(t["id"] for t in tokens if revoked.startswith(t["prefix"]))
        assert _api(live_server, kept, "DELETE", f"/tokens/{token_id}").status_code == 204
        assert doomed.cut.wait(10)
        assert other.client.connected and not other.cut.is_set()
        try:
            Socket(live_server, token=revoked)
            raise AssertionError("a revoked token connected")
        except socketio.exceptions.ConnectionError:
            pass
    finally:
        doomed.close()
        other.close()


def test_removing_an_organisation_cuts_its_people_and_they_cannot_rejoin(live_server, make):
    world = tripartite(make)
    round_id = world["round"].id
    worker_token, employer_token = make.token(world["worker"]), make.token(world["employer"])
    secretariat_token = make.token(world["secretariat"])
    second_union = make.organisation("workers")  # the workers keep a voice: a removal never takes their last
    assert _api(live_server, secretariat_token, "POST", f"/rounds/{round_id}/participants",
                json={"organisation_id": second_union.id}).status_code == 201
    worker, employer = Socket(live_server, token=worker_token), Socket(live_server, token=employer_token)
    try:
        worker.join(round_id)
        employer.join(round_id)
        removed = _api(live_server, secretariat_token, "POST",
                       f"/rounds/{round_id}/participants/{world['worker'].organisation_id}/remove",
                       json={"reason": "The union withdrew."})
        assert removed.status_code == 200, removed.text
        assert worker.cut.wait(10)
        again = Socket(live_server, token=worker_token)
        try:
            assert again.join(round_id)["error"]["code"] == "not_found"
            _api(live_server, employer_token, "POST", f"/rounds/{round_id}/comments",
                 json={"section": "privacy", "body": "After the union left"})
            assert wait_until(lambda: any((e.get("event") or {}).get("type") == "comment.posted"
                                          for e in employer.events))
            assert not any("After the union left" in repr(e) for e in again.events)
        finally:
            again.close()
        assert _api(live_server, worker_token, "GET", f"/rounds/{round_id}/comments").status_code == 404
    finally:
        worker.close()
        employer.close()


def test_logging_out_everywhere_cuts_the_browser_sockets_but_not_the_scripts(live_server, make):
    world = tripartite(make)
    browser = requests.Session()
    page = browser.get(f"{live_server}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    browser.post(f"{live_server}/login", data={"email": world["worker"].email, "password": PASSWORD,
                                               "csrf_token": csrf}, timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    token = make.token(world["worker"])
    in_browser, script = Socket(live_server, cookie=cookie), Socket(live_server, token=token)
    try:
        assert "error" not in in_browser.join(world["round"].id)
        assert _api(live_server, token, "POST", "/me/sessions/end").status_code == 204
        assert in_browser.cut.wait(10)
        assert script.client.connected and not script.cut.is_set()
        assert browser.get(f"{live_server}/notifications", timeout=10, allow_redirects=False).status_code in (302, 303)
    finally:
        in_browser.close()
        script.close()
