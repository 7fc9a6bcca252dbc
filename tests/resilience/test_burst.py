"""A burst: 100 people post at the same instant to a round followed live by every constituency.

The server runs in its own process (`consult web`), on SQLite and on PostgreSQL. What the posters and the
followers notice: every answer is 201 or 503 (with Retry-After) within 2 s, never a 500; every 201 is in
the log and was pushed once, in order, to every follower, shown to those who may see it and withheld from
the others; every 503 saved nothing.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests
import socketio
from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import create_user, issue_api_token
from consult.comments.models import Comment
from consult.events.models import Event
from consult.rounds.models import Round
from tests.factories import PASSWORD, tripartite
from tests.processes import consult_environment, free_port, start_web, stop

POSTERS = 100
FOLLOWED_BY = ("worker", "employer", "government", "secretariat", "observer")
BURST_DONE = ("100 comment POSTs released by one barrier, by 100 different people, to a `consult web` process "
              "whose round is followed by every constituency")
BURST_CHECKED = ("each answer is 201 or 503 within 2 s, no 500; every 201 is in the log and was pushed once, in "
                 "order, to every follower (caucus text only to workers); every 503 saved nothing")


class RawFollower:
    """A Socket.IO client that joins once and records every push as it arrives (no catching up)."""

    def __init__(self, url: str, token: str, round_id: int) -> None:
        self.pushes: list[dict] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", lambda push: self.pushes.append(push) if push["round_id"] == round_id else None)
        self.client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
        answer = self.client.call("join", {"round_id": round_id, "last_seq": 0}, timeout=30)
        assert "error" not in answer, answer
        self.held = answer["heads"]  # each audience the follower reads, at its count when it joined

    def after(self) -> list[dict]:
        """The pushes since the join, of every audience."""
        return [p for p in self.pushes if p["seq"] > self.held.get(p["audience"], 0)]

    def missing(self, heads: dict[str, int]) -> int:
        """How many events of its audiences, up to the round's `heads`, have not been pushed to it."""
        return sum(heads.get(audience, 0) - held for audience, held in self.held.items()) - len(self.after())

    def in_order(self, heads: dict[str, int]) -> bool:
        """Whether each audience's pushes since the join are its numbers up to `heads`, once each, in order."""
        return all([p["seq"] for p in self.after() if p["audience"] == audience]
                   == list(range(held + 1, heads.get(audience, 0) + 1)) for audience, held in self.held.items())


def _people(make, world, count: int, monkeypatch) -> list[tuple[str, str]]:
    """`count` people of the round's three participating organisations: (constituency, API token).

    Their passwords are hashed with argon2's cheapest parameters: nobody logs in with them, and a hundred
    hashes at the production cost would take a minute of set-up.
    """
    from argon2 import PasswordHasher

    from consult.accounts import services

    monkeypatch.setattr(services, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    organisations = [world[name].organisation for name in ("worker", "employer", "government")]
    people = []
    with make.db.transaction() as session:
        for number in range(count):
            organisation = organisations[number % 3]
            user = create_user(session, email=f"burst{number}@example.org", display_name=f"Burst {number}",
                               password=PASSWORD, organisation_id=organisation.id)
            session.flush()
            people.append((organisation.constituency.value, issue_api_token(session, user, "burst")[1]))
    return people


@pytest.mark.timeout(300)
def test_100_comments_at_the_same_instant_are_each_saved_and_pushed_in_order_or_refused_with_503(
        make, database_url, tmp_path, scenario, monkeypatch):
    scenario(done=BURST_DONE, checked=BURST_CHECKED)
    world = tripartite(make)
    observer = make.user("observers")
    with make.db.transaction() as session:
        from consult.rounds.services import invite_organisation

        invite_organisation(session, session.get(User, world["employer"].id), world["round"].id,
                            observer.organisation_id)
    world["observer"] = observer
    round_id = world["round"].id
    people = _people(make, world, POSTERS, monkeypatch)
    port = free_port()
    server = start_web(port, consult_environment(database_url, tmp_path / "instance",
                                                 CONSULT_COMMENT_RATE="1000000/minute"))
    url = f"http://127.0.0.1:{port}"
    followers: dict[str, RawFollower] = {}
    try:
        followers = {name: RawFollower(url, make.token(world[name]), round_id) for name in FOLLOWED_BY}
        sessions = []
        for _, token in people:  # connections opened beforehand: the burst is the POSTs themselves
            http = requests.Session()
            http.headers["Authorization"] = f"Bearer {token}"
            http.get(f"{url}/api/v1/rounds/{round_id}", timeout=30).raise_for_status()
            sessions.append(http)
        barrier = threading.Barrier(POSTERS)
        answers: list[tuple[int, float, str, dict]] = [(0, 0.0, "", {})] * POSTERS

        def post(number: int) -> None:
            constituency = people[number][0]
            body = {"section": "system", "body": f"burst {number}"}
            if constituency == "workers" and number % 2:
                body["channel"] = "caucus"
            barrier.wait()
            began = time.monotonic()
            try:
                answer = sessions[number].post(f"{url}/api/v1/rounds/{round_id}/comments", json=body, timeout=60)
                status, headers, data = answer.status_code, answer.headers, answer.json()
            except requests.RequestException as error:
                status, headers, data = 0, {}, {"error": str(error)}
            answers[number] = (status, time.monotonic() - began, headers.get("Retry-After", ""), data)

        threads = [threading.Thread(target=post, args=(n,)) for n in range(POSTERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        statuses = [a[0] for a in answers]
        assert set(statuses) <= {201, 503}, sorted(statuses)
        slowest = max(a[1] for a in answers)
        timings = {code: sorted(round(a[1], 2) for a in answers if a[0] == code) for code in (201, 503)}
        assert slowest < 2.0, f"the slowest answer took {slowest:.1f} s: {timings}"
        refused = [n for n, a in enumerate(answers) if a[0] == 503]
        assert all(answers[n][2] and answers[n][3]["error"]["code"] == "unavailable" for n in refused)
        saved = {answers[n][3]["id"]: n for n, a in enumerate(answers) if a[0] == 201}
        assert saved, "nothing was saved at all"

        with make.db.transaction(write=False) as session:
            comments = {c.public_id: c.body for c in session.scalars(
                select(Comment).where(Comment.round_id == round_id))}
            logged = {e.payload["comment_id"]: e.seq for e in session.scalars(
                select(Event).where(Event.round_id == round_id, Event.type == "comment.posted"))}
            heads = session.get(Round, round_id).audience_heads
        assert set(comments) == set(saved) == set(logged)  # every 201 in the log; every 503 saved nothing
        assert sorted(comments.values()) == sorted(f"burst {n}" for n in saved.values())

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(f.missing(heads) > 0 for f in followers.values()):
            time.sleep(0.1)
        for name, follower in followers.items():
            assert follower.in_order(heads), f"{name}: pushes missing, repeated or out of order"
            shown = {p["event"]["comment"]["id"] for p in follower.after()}
            caucus = {i for i, n in saved.items() if people[n][0] == "workers" and n % 2}
            assert shown == (set(saved) if name == "worker" else set(saved) - caucus), name
        figure = f"{len(saved)} saved, {len(refused)} refused with 503, slowest answer {slowest:.2f} s"
        scenario(done=BURST_DONE, checked=BURST_CHECKED, figure=figure)
    finally:
        for follower in followers.values():
            follower.client.disconnect()
        stop([server])


def test_a_request_that_finds_no_free_connection_answers_503_at_once_and_saves_nothing(app, make, db):
    world = tripartite(make)
    token = make.token(world["worker"])
    pool = db.engine.pool
    held = [db.engine.connect() for _ in range(pool.size() + max(pool._max_overflow, 0))]
    try:
        began = time.monotonic()
        answer = app.test_client().post(f"/api/v1/rounds/{world['round'].id}/comments",
                                        json={"section": "system", "body": "Refused"},
                                        headers={"Authorization": f"Bearer {token}"})
        waited = time.monotonic() - began
    finally:
        for connection in held:
            connection.close()
    assert answer.status_code == 503 and waited < 2
    assert answer.headers["Retry-After"] and answer.json["error"]["code"] == "unavailable"
    with db.transaction(write=False) as session:
        assert session.scalars(select(Comment.body)).all() == []
