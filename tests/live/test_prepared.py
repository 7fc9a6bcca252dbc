"""A push rendered in its own transaction shows each room what the log shows it, and reads nothing back.

Every constituency follows a round under the pseudonymous policy. Each step (comments in plenary and in
caucus, a reply, an edit, reactions, a hiding) is pushed; right after it, each follower's push is compared
with what the log replays to the same person. The pusher's own database connection is watched: for a round
followed in this process it runs no statement at all, so a push cannot wait for the database after a commit.
"""

from __future__ import annotations

import threading

import requests
from sqlalchemy import event

from tests.live.test_live import Follower, wait_until
from tests.live.test_live import world as world  # noqa: F401 (the fixture)

PEOPLE = ("worker", "employer", "government", "secretariat", "observer")


def test_each_room_is_pushed_what_the_log_replays_to_it_and_the_push_reads_nothing(app, live_server, make, world):
    round_id = world["round"].id
    tokens = {name: make.token(world[name]) for name in PEOPLE}
    pusher = app.extensions["consult.pusher"]
    pusher.start()
    statements: list[str] = []
    event.listen(pusher._factory.kw["bind"], "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: statements.append(statement))

    def call(name: str, method: str, path: str, **body) -> dict:
        answer = requests.request(method, f"{live_server}/api/v1/rounds/{round_id}{path}", json=body or None,
                                  headers={"Authorization": f"Bearer {tokens[name]}"}, timeout=10)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    followers = {name: Follower(live_server, tokens[name]) for name in PEOPLE}
    try:
        for follower in followers.values():
            assert "error" not in follower.follow(round_id)
        seen: dict[str, dict[str, int]] = {person: {} for person in PEOPLE}

        def step(name: str, method: str, path: str, **body) -> dict:
            answer = call(name, method, path, **body)
            for person, follower in followers.items():
                # The feed carries the audiences of the person's room; what is addressed to them alone is a notice.
                heads = {audience: head for audience, head in call(person, "GET", "/events?limit=1")["heads"].items()
                         if not audience.startswith("user:")}
                assert wait_until(lambda f=follower, h=heads: f.client.rounds[round_id].cursor == h), person
                after = ",".join(f"{audience}:{number}" for audience, number in seen[person].items()) or "0"
                replayed = [e for e in call(person, "GET", f"/events?after={after}&limit=500")["items"]
                            if not e["audience"].startswith("user:")]
                pushed = [e for e in follower.events if e["seq"] > seen[person].get(e["audience"], 0)]
                assert pushed == replayed, (person, method, path)
                seen[person] = heads
            return answer

        plenary = step("worker", "POST", "/comments", section="privacy", body="Who sees the scores?")
        step("worker", "POST", "/comments", section="privacy", body="Between us: no.", channel="caucus")
        step("employer", "POST", "/comments", section="privacy", body="Only HR.", parent_id=plenary["id"])
        step("government", "POST", "/comments", section="system", body="Which law applies?")
        step("worker", "PUT", f"/comments/{plenary['id']}", body="Who sees the scores, and when?")
        step("employer", "PUT", f"/comments/{plenary['id']}/reaction", kind="agree")
        step("government", "PUT", f"/comments/{plenary['id']}/reaction", kind="question")
        step("worker", "POST", "/comments", section="privacy", body="A second point.")
        step("secretariat", "POST", f"/comments/{plenary['id']}/hide", reason="Off topic.")
        assert sum(e["type"] == "comment.posted" for e in followers["worker"].events) == 5
        assert sum(e["type"] == "comment.posted" for e in followers["employer"].events) == 4  # not the caucus one
    finally:
        for follower in followers.values():
            follower.close()
    heartbeat = "SELECT rounds.id, rounds.audience_heads, "  # the latest numbers it tells now and then
    assert [s for s in statements if s.startswith("SELECT") and not s.startswith(heartbeat)] == []


def test_posting_to_a_followed_round_reads_back_nothing_it_wrote(app, live_server, make, world):
    """The comment, its author and their pseudonym are in the request's hands: presenting the comment to its
    author, deriving its notifications and rendering its push for every room read none of them again."""
    round_id = world["round"].id
    follower = Follower(live_server, make.token(world["employer"]))
    client, token = app.test_client(), make.token(world["worker"])
    here, statements = threading.get_ident(), []

    def count(_conn, _cursor, statement, *_rest):
        if threading.get_ident() == here and statement.startswith(("SELECT", "INSERT", "UPDATE")):
            statements.append(statement.split("\n")[0])

    try:
        assert "error" not in follower.follow(round_id)
        event.listen(app.extensions["consult.db"].engine, "before_cursor_execute", count)
        for body in ("A first point.", "A second point."):  # the second: the pseudonym exists already
            answer = client.post(f"/api/v1/rounds/{round_id}/comments", headers={"Authorization": f"Bearer {token}"},
                                 json={"section": "privacy", "body": body})
            assert answer.status_code == 201, answer.get_data(as_text=True)
        assert wait_until(lambda: sum(e["type"] == "comment.posted" for e in follower.events) == 2)
    finally:
        event.remove(app.extensions["consult.db"].engine, "before_cursor_execute", count)
        follower.close()
    second = statements[[i for i, s in enumerate(statements) if s.startswith("SELECT api_tokens")][1]:]
    assert not [s for s in statements if s.startswith("SELECT comments")], statements
    assert len(second) == len(set(second)), second  # nothing asked twice in one request
