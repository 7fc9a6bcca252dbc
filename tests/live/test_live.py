"""Live delivery with real Socket.IO clients against a running server."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
import socketio

from consult.live.client import LiveClient
from tests.factories import tripartite


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Poll until the predicate holds (delivery is asynchronous); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Follower:
    """A live client that records what it receives, raw and ordered."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[dict] = []
        self.raw: list[str] = []
        self.client = LiveClient(url, token)
        self.client.on("*", lambda event, data: self.raw.append(json.dumps(data)))
        self.client.connect()

    def follow(self, round_id: int, cursor: dict[str, int] | None = None) -> dict:
        answer = self.client.follow(round_id, self.events.append, cursor)
        self.raw.append(json.dumps(answer))
        return answer

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def world(make):
    """A round with every constituency and an observer."""
    found = tripartite(make)
    observer = make.user("observers")
    with make.db.transaction() as session:
        from consult.accounts.models import User
        from consult.rounds.services import invite_organisation

        employer = session.get(User, found["employer"].id)
        invite_organisation(session, employer, found["round"].id, observer.organisation_id)
    found["observer"] = observer
    return found


def _post(live_server: str, token: str, round_id: int, **body) -> requests.Response:
    response = requests.post(f"{live_server}/api/v1/rounds/{round_id}/comments", json=body,
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 201, response.text
    return response


def test_a_comment_posted_over_http_reaches_every_permitted_client_and_no_other(live_server, make, world, scenario):
    scenario(done="a plenary and a caucus comment posted over HTTP to a round followed by every constituency "
                  "and an outsider", checked="the caucus comment reaches the workers only, through any path")
    round_id = world["round"].id
    followers = {name: Follower(live_server, make.token(world[name]))
                 for name in ("worker", "employer", "government", "secretariat", "observer")}
    outsider = Follower(live_server, make.token(make.user("workers")))
    try:
        for follower in followers.values():
            assert "error" not in follower.follow(round_id)
        assert outsider.follow(round_id)["error"]["code"] == "not_found"
        token = make.token(world["worker"])
        _post(live_server, token, round_id, section="privacy", body="Plenary point")
        _post(live_server, token, round_id, section="privacy", body="Caucus secret", channel="caucus")
        assert wait_until(lambda: sum(e["type"] == "comment.posted" for e in followers["worker"].events) == 2)
        for name, follower in followers.items():
            assert wait_until(lambda f=follower: any(e.get("comment", {}).get("body") == "Plenary point"
                                                     for e in f.events)), name
        time.sleep(0.3)
        for name in ("employer", "government", "secretariat", "observer"):
            assert "Caucus secret" not in "".join(followers[name].raw), name
        assert not any("Plenary point" in raw for raw in outsider.raw)
    finally:
        for follower in [*followers.values(), outsider]:
            follower.close()


def test_a_pseudonymous_author_is_never_named_to_employer_or_government_clients(live_server, make):
    employer = make.user("employers")
    union = make.organisation("workers", "Harbour Workers Union")
    worker = make.user(union, name="Zelda Quint")
    government = make.user("government")
    round = make.round(employer, invite=(union, government.organisation), identity_policy="pseudonymous")
    watchers = [Follower(live_server, make.token(u)) for u in (employer, government)]
    try:
        for watcher in watchers:
            watcher.follow(round.id)
        _post(live_server, make.token(worker), round.id, section="system", body="Please explain the ranking.")
        for watcher in watchers:
            assert wait_until(lambda w=watcher: any(e["type"] == "comment.posted" for e in w.events))
            assert "Zelda" not in "".join(watcher.raw)
            caused_by_worker = [e for e in watcher.events if (e["actor"] or {}).get("constituency") == "workers"]
            assert caused_by_worker and "Harbour" not in json.dumps(caused_by_worker)
            assert caused_by_worker[-1]["actor"] == {"id": None, "name": "Worker representative 1",
                                                     "organisation": None, "constituency": "workers", "role": None}
    finally:
        for watcher in watchers:
            watcher.close()


def test_a_client_that_reconnects_gets_what_it_missed_in_order_exactly_once(live_server, make, world):
    round_id = world["round"].id
    token = make.token(world["worker"])
    first = Follower(live_server, make.token(world["employer"]))
    first.follow(round_id)
    _post(live_server, token, round_id, section="system", body="before")
    assert wait_until(lambda: any(e["type"] == "comment.posted" for e in first.events))
    held = first.client.rounds[round_id].cursor
    first.close()
    for number in range(5):
        _post(live_server, token, round_id, section="system", body=f"missed {number}")
    again = Follower(live_server, make.token(world["employer"]))
    try:
        again.follow(round_id, cursor=held)
        _post(live_server, token, round_id, section="system", body="after")
        assert wait_until(lambda: len(again.events) == 6)
        bodies = [e["comment"]["body"] for e in again.events]
        assert bodies == [f"missed {n}" for n in range(5)] + ["after"]
        seqs = [e["seq"] for e in again.events]
        assert seqs == sorted(set(seqs))
    finally:
        again.close()


def test_a_client_too_far_behind_is_told_to_reload(live_server, make, world, app):
    app.config["LIVE_REPLAY_LIMIT"] = 3
    for number in range(5):
        make.comment(world["worker"], world["round"], f"c{number}")
    follower = Follower(live_server, make.token(world["employer"]))
    try:
        assert follower.follow(world["round"].id)["reload"] is True
    finally:
        follower.close()


def test_connections_without_credentials_or_from_another_origin_are_refused(live_server, make, scenario):
    scenario(done="Socket.IO handshakes with no credentials, a bad token and another Origin",
             checked="each refused")
    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(live_server, transports=["websocket"], wait_timeout=5)
    forged = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        forged.connect(live_server, auth={"token": "cst_forged"}, transports=["websocket"], wait_timeout=5)
    other_origin = socketio.Client(reconnection=False)
    token = make.token(make.user("workers"))
    with pytest.raises(socketio.exceptions.ConnectionError):
        other_origin.connect(live_server, auth={"token": token}, headers={"Origin": "https://evil.example"},
                             transports=["websocket"], wait_timeout=5)


#: Join payloads a forged or broken client may send: each gets a clear error and the socket stays connected.
MALFORMED = [None, "text", [1], {"round_id": "1"}, {"round_id": -1},
             {"round_id": 1, "last_seq": -5}, {"round_id": 1, "extra": True},
             {"round_id": 1, "last_seq": 7},  # only the old form of "nothing held"
             {"round_id": 1, "cursor": {"participants": -1}},
             {"round_id": 1, "cursor": {"Participants\u202e": 1}},
             {"round_id": 1, "cursor": [1, 2]},
             {"round_id": 1, "cursor": {f"caucus:c{n}": 1 for n in range(17)}},
             {"round_id": 10**12}]


def test_malformed_or_forged_socket_payloads_get_clear_errors(live_server, make, world):
    # One socket sends them all in turn (one server and world, not thirteen): each answer is checked on its own,
    # and the socket must still be connected after each.
    follower = Follower(live_server, make.token(world["worker"]))
    wrong = []
    try:
        for payload in MALFORMED:
            answer = follower.client.sio.call("join", payload, timeout=10)
            error = answer.get("error") if isinstance(answer, dict) else None
            if not (error and error.get("code") in {"invalid", "not_found"} and "message" in error
                    and follower.client.sio.connected):
                wrong.append((payload, answer))
    finally:
        follower.close()
    assert wrong == []


def test_an_oversized_socket_payload_is_refused(live_server, make, world):
    follower = Follower(live_server, make.token(world["worker"]))
    try:
        with pytest.raises((socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError)):
            follower.client.sio.call("join", {"round_id": world["round"].id, "pad": "x" * 200_000}, timeout=3)
    finally:
        follower.close()


def test_presence_counts_people_by_constituency(live_server, make, world):
    round_id = world["round"].id
    followers = [Follower(live_server, make.token(world[n])) for n in ("worker", "employer", "government")]
    try:
        for follower in followers:
            follower.follow(round_id)
        assert wait_until(lambda: followers[0].client.presence.get(round_id) == {
            "workers": 1, "employers": 1, "government": 1})
        followers[2].close()
        assert wait_until(lambda: followers[0].client.presence.get(round_id) == {"workers": 1, "employers": 1})
    finally:
        for follower in followers[:2]:
            follower.close()


def test_concurrent_writers_leave_no_gap_and_no_duplicate(live_server, make, world, scenario):
    scenario(done="concurrent writers posting while a client follows", checked="no gap, no duplicate")
    round_id = world["round"].id
    follower = Follower(live_server, make.token(world["secretariat"]))
    follower.follow(round_id)
    tokens = [make.token(world[n]) for n in ("worker", "employer", "government")]
    start = follower.client.rounds[round_id].cursor.get("participants", 0)

    def write(token: str, count: int) -> None:
        for number in range(count):
            _post(live_server, token, round_id, section="system", body=f"{token[-4:]}-{number}")

    threads = [threading.Thread(target=write, args=(t, 15)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        fresh = lambda: [e for e in follower.events if e["audience"] == "participants" and e["seq"] > start]  # noqa: E731
        assert wait_until(lambda: len(fresh()) == 45)
        assert [e["seq"] for e in fresh()] == list(range(start + 1, start + 46))
        assert len({e["comment"]["body"] for e in fresh()}) == 45
    finally:
        follower.close()
