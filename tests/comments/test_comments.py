"""Posting and reading comments: storage, events, caucus privacy, pseudonymity, sanitising."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from consult.comments.models import Comment
from consult.events.models import Event
from tests.factories import tripartite


@pytest.fixture
def world(make):
    """A round in consultation with every constituency present, under the `named` policy."""
    return tripartite(make, identity_policy="named")


def test_a_worker_posts_through_the_api_and_the_employer_reads_it_back(api, world, db):
    round_id = world["round"].id
    posted = api(world["worker"]).post(f"/rounds/{round_id}/comments",
                                       json={"section": "privacy", "body": "Why keep scans **90 days**?"})
    assert posted.status_code == 201, posted.get_json()
    comment = posted.get_json()
    assert comment["body_html"] == "<p>Why keep scans <strong>90 days</strong>?</p>"
    with db.transaction(write=False) as session:
        stored = session.scalar(select(Comment).where(Comment.public_id == comment["id"]))
        event = session.scalar(select(Event).where(Event.round_id == round_id, Event.type == "comment.posted"))
    assert stored.body == "Why keep scans **90 days**?"
    assert event.payload["comment_id"] == comment["id"] and event.audience == "participants"
    read = api(world["employer"]).get(f"/rounds/{round_id}/comments?section=privacy").get_json()
    assert [c["body"] for c in read["items"]] == ["Why keep scans **90 days**?"]
    assert read["items"][0]["author"]["name"] == "Wanda Worker"  # the round is "named"


def test_a_caucus_comment_is_never_returned_to_another_constituency(api, make, world):
    round_id = world["round"].id
    secret = api(world["worker"]).post(f"/rounds/{round_id}/comments", json={
        "section": "privacy", "body": "Our red line: no individual rankings.", "channel": "caucus"}).get_json()
    assert secret["caucus"] == "workers"
    for reader in ("employer", "government", "secretariat"):
        client = api(world[reader])
        listed = client.get(f"/rounds/{round_id}/comments").get_data(as_text=True)
        single = client.get(f"/rounds/{round_id}/comments/{secret['id']}")
        events = client.get(f"/rounds/{round_id}/events").get_json()["items"]
        assert "red line" not in listed and single.status_code == 404
        assert all(e["payload"].get("comment_id") != secret["id"] for e in events)
        assert "red line" not in json.dumps(events)
    fellow = make.user(world["worker"].organisation)
    assert api(fellow).get(f"/rounds/{round_id}/comments/{secret['id']}").status_code == 200
    assert any(e["type"] == "comment.posted" for e in api(fellow).get(f"/rounds/{round_id}/events").get_json()["items"])


def test_the_secretariat_reads_caucuses_only_where_the_round_allows(api, make):
    employer = make.user("employers")
    worker = make.user("workers")
    secretariat = make.user("secretariat")
    round = make.round(employer, invite=(worker.organisation, secretariat.organisation), secretariat_sees_caucus=True)
    api(worker).post(f"/rounds/{round.id}/comments", json={"section": "system", "body": "caucus", "channel": "caucus"})
    assert len(api(secretariat).get(f"/rounds/{round.id}/comments").get_json()["items"]) == 1
    assert len(api(employer).get(f"/rounds/{round.id}/comments").get_json()["items"]) == 0


def test_a_pseudonymous_workers_name_and_union_reach_no_employer_or_government_viewer(api, make):
    employer = make.user("employers")
    union = make.organisation("workers", "Dockers United")
    worker = make.user(union, name="Rosa Parkes")
    government = make.user("government")
    round = make.round(employer, invite=(union, government.organisation), identity_policy="pseudonymous")
    api(worker).post(f"/rounds/{round.id}/comments", json={"section": "system", "body": "Speaking up."})
    for viewer in (employer, government):
        comments = api(viewer).get(f"/rounds/{round.id}/comments").get_data(as_text=True)
        events = api(viewer).get(f"/rounds/{round.id}/events").get_json()["items"]
        assert "Rosa" not in comments and "Dockers" not in comments and f'"id":{worker.id}' not in comments
        assert "Rosa" not in json.dumps(events)
        # Which organisations take part is known to all (they were invited in the open); what is withheld
        # is the link from a comment, or any event a worker caused, to a person or their union.
        for event in events:
            if event["actor"] and event["actor"]["constituency"] == "workers":
                assert "Dockers" not in json.dumps(event) and event["actor"]["id"] is None
    shown = api(employer).get(f"/rounds/{round.id}/comments").get_json()["items"][0]["author"]
    assert shown == {"id": None, "name": "Worker representative 1", "organisation": None,
                     "constituency": "workers", "role": None}
    assert api(worker).get(f"/rounds/{round.id}/comments").get_json()["items"][0]["author"]["name"] == "Rosa Parkes"


def test_the_organisation_policy_shows_the_union_but_not_the_person(api, make):
    employer = make.user("employers")
    union = make.organisation("workers", "Dockers United")
    worker = make.user(union, name="Rosa Parkes")
    secretariat = make.user("secretariat")  # the secretariat chooses a policy weaker than the default
    round = make.round(employer, invite=(union, secretariat.organisation), identity_policy="organisation")
    api(worker).post(f"/rounds/{round.id}/comments", json={"section": "system", "body": "Speaking up."})
    author = api(employer).get(f"/rounds/{round.id}/comments").get_json()["items"][0]["author"]
    assert author["name"] == "A representative of Dockers United" and author["id"] is None


def test_pseudonyms_are_stable_within_a_round(api, make):
    employer = make.user("employers")
    union = make.organisation("workers")
    first, second = make.user(union), make.user(union)
    round = make.round(employer, invite=(union,), identity_policy="pseudonymous")
    for author in (first, second, first):
        api(author).post(f"/rounds/{round.id}/comments", json={"section": "system", "body": "x"})
    names = [c["author"]["name"] for c in api(employer).get(f"/rounds/{round.id}/comments").get_json()["items"]]
    assert names == ["Worker representative 1", "Worker representative 2", "Worker representative 1"]


def test_replies_stay_in_their_parents_channel_and_section(api, world):
    round_id = world["round"].id
    parent = api(world["worker"]).post(f"/rounds/{round_id}/comments",
                                       json={"section": "privacy", "body": "Q?"}).get_json()
    reply = api(world["employer"]).post(f"/rounds/{round_id}/comments",
                                        json={"section": "privacy", "body": "A.", "parent_id": parent["id"]})
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == parent["id"]
    astray = api(world["employer"]).post(f"/rounds/{round_id}/comments",
                                         json={"section": "system", "body": "A.", "parent_id": parent["id"]})
    assert astray.status_code == 422


def test_a_caucus_reply_to_another_constituencys_caucus_is_impossible(api, world):
    round_id = world["round"].id
    secret = api(world["worker"]).post(f"/rounds/{round_id}/comments",
                                       json={"section": "system", "body": "s", "channel": "caucus"}).get_json()
    probe = api(world["employer"]).post(f"/rounds/{round_id}/comments", json={
        "section": "system", "body": "probe", "channel": "caucus", "parent_id": secret["id"]})
    assert probe.status_code == 422  # indistinguishable from a comment that does not exist


def test_observers_and_the_secretariat_hold_no_caucus(api, make, world):
    response = api(world["secretariat"]).post(f"/rounds/{world['round'].id}/comments",
                                              json={"section": "system", "body": "x", "channel": "caucus"})
    assert response.status_code == 403


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "![x](http://169.254.169.254/latest/meta-data)",
    "[x](  JaVaScRiPt:alert(1))",
]


class _Elements(HTMLParser):
    """Every element and attribute in a piece of HTML, as a browser's parser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """No script-capable element, no event handler, no link but http(s) or mailto."""
    for tag, attrs in _Elements(html).found:
        assert tag not in {"script", "img", "svg", "style", "iframe", "object", "embed", "math"}, html
        assert not any(name.startswith("on") or name == "style" for name in attrs), html
        if "href" in attrs:
            assert attrs["href"].split(":")[0].lower() in {"http", "https", "mailto"}, html


@pytest.mark.parametrize("body", XSS)
def test_hostile_markdown_comes_out_inert(api, world, body):
    response = api(world["worker"]).post(f"/rounds/{world['round'].id}/comments",
                                         json={"section": "system", "body": body})
    assert response.status_code == 201
    assert_inert(response.get_json()["body_html"])
    assert "169.254" not in response.get_json()["body_html"]
