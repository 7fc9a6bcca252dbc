"""Pushed and replayed comments carry the counters GET shows: reactions per constituency, earlier versions."""

from __future__ import annotations

import requests

from consult.live.client import LiveClient
from tests.factories import tripartite
from tests.live.test_live import wait_until


def test_pushed_and_replayed_comments_carry_the_reactions_and_revisions_get_shows(live_server, make):
    world = tripartite(make)
    round_id = world["round"].id
    tokens = {name: make.token(world[name]) for name in ("worker", "employer", "government")}

    def call(name: str, method: str, path: str, **body) -> dict:
        answer = requests.request(method, f"{live_server}/api/v1/rounds/{round_id}{path}", json=body or None,
                                  headers={"Authorization": f"Bearer {tokens[name]}"}, timeout=10)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    follower = LiveClient(live_server, tokens["government"])
    follower.connect()
    pushed: list[dict] = []
    try:
        follower.follow(round_id, pushed.append)
        comment = call("worker", "POST", "/comments", section="system", body="First version")
        call("worker", "PUT", f"/comments/{comment['id']}", body="Second version")
        call("employer", "PUT", f"/comments/{comment['id']}/reaction", kind="agree")
        call("government", "PUT", f"/comments/{comment['id']}/reaction", kind="question")
        assert wait_until(lambda: sum(e["type"] == "comment.reacted" for e in pushed) == 2)
        now = call("government", "GET", f"/comments/{comment['id']}")
        assert now["revisions"] == 1 and now["reactions"] == {"agree": {"employers": 1}, "question": {"government": 1}}
        counters = {key: now[key] for key in ("revisions", "reactions")}
        assert {key: pushed[-1]["comment"][key] for key in counters} == counters  # the last push
        replayed = call("government", "GET", "/events")["items"]
        rejoined = LiveClient(live_server, tokens["government"])
        rejoined.connect()
        try:
            joined = rejoined.follow(round_id, lambda event: None)["events"]
        finally:
            rejoined.close()
        for shown in (replayed, joined):
            posted = next(e for e in shown if e["type"] == "comment.posted")
            assert {key: posted["comment"][key] for key in counters} == counters
    finally:
        follower.close()
