"""Issue 29 on every path a participant has: nothing moves while another side's caucus is busy.

The attacker (a worker or a government representative against the employers' caucus; an employer against the
workers' caucus) takes everything it may ask for: every GET route of the API and every page (bodies, status
codes and headers: ETag, Last-Modified, Content-Length...), the lists, filters and searches of the round page,
the CSV and JSON records, the notifications page, each visible item's own routes, and the frames of a socket
that follows the round. Then the other side's caucus is busy: comments, a reply, an edit, a reaction, and on
the employers' side a caucus document, its releases and acknowledgement, a draft document and a draft version
of an all-party document (which only the employer and the secretariat see). Taken again, nothing differs, and
the socket heard nothing but heartbeats naming the heads it already held.

What differs on every load by design is taken out first: CSRF tokens, script nonces, Date and Expires, and the
timeline's "now".
"""

from __future__ import annotations

import re
import time

import pytest
import socketio

from tests.adversary.test_counting_caucus_events import HEARTBEAT, served  # noqa: F401 (a fixture)
from tests.factories import ApiClient, Factory, log_in, tripartite
from tests.package.files import PDF
from tests.package.helpers import attach, upload
from tests.routes import fill

SIDES = [("worker", "employer"), ("government", "employer"), ("employer", "worker")]
_VOLATILE_HEADERS = {"date", "expires", "set-cookie"}


def _steady(text: str) -> str:
    """A body without what differs on every load by design."""
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"[^>]*name="csrf_token"', "", text)
    text = re.sub(r'name="csrf-token" content="[^"]*"', "", text)
    text = re.sub(r"Now: [^<]*</desc>", "</desc>", text)  # the timeline's "now", as words and as a line
    return re.sub(r'(x1|x2|x)="[0-9.]+"( y1="0"| y="[0-9.]+" class="now-label")', r"\2", text)


def _paths(app, round_id: int, ids: dict) -> list[str]:
    paths = {fill(rule.rule, {"round_id": round_id, **ids}) for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.rule.startswith("/static") and rule.rule != "/logout"}
    paths |= {f"/api/v1/rounds/{round_id}/events?limit=1000", f"/api/v1/rounds/{round_id}/comments?limit=200",
              f"/api/v1/rounds/{round_id}/comments?limit=1", f"/api/v1/rounds/{round_id}/comments?channel=caucus",
              *(f"/api/v1/rounds/{round_id}/records?what={what}" for what in ("comments", "stances", "positions")),
              *(f"/rounds/{round_id}/records.csv?what={what}" for what in ("comments", "stances", "positions")),
              f"/rounds/{round_id}?section=system", f"/rounds/{round_id}?section=system&channel=caucus",
              f"/rounds/{round_id}?constituency=employers", f"/rounds/{round_id}?constituency=workers",
              f"/rounds/{round_id}?q=Caucus", f"/rounds/{round_id}?unanswered=1", "/api/v1/rounds?limit=50",
              f"/api/v1/rounds/{round_id}/package/documents/{ids['document_id']}/versions/2/file"}
    return sorted(paths)


def _gather(app, pages, apis, paths: list[str]) -> dict[str, tuple]:
    """Every path as the attacker gets it: status, headers and body."""
    found = {}
    for path in paths:
        response = apis.get(path[len("/api/v1"):]) if path.startswith("/api/v1") else pages.get(path)
        headers = sorted((k, v) for k, v in response.headers.items() if k.lower() not in _VOLATILE_HEADERS)
        found[path] = (response.status_code, headers, _steady(response.data.decode("latin-1")))
    return found


def _busy(make, world, busy: str, round_id: int, plenary_document: str) -> None:
    """The busy side's caucus at work: nothing of it is the attacker's to read."""
    other = ApiClient(make.app.test_client(), make.token(world[busy]))
    posted = [other.post(f"/rounds/{round_id}/comments", json={
        "section": "system", "body": f"Caucus only {n}", "channel": "caucus"}) for n in range(3)]
    assert [response.status_code for response in posted] == [201] * 3
    first = posted[0].get_json()["id"]
    assert other.post(f"/rounds/{round_id}/comments", json={
        "section": "system", "body": "Caucus reply", "channel": "caucus", "parent_id": first}).status_code == 201
    assert other.put(f"/rounds/{round_id}/comments/{first}", json={"body": "Caucus only, edited"}).status_code == 200
    assert other.put(f"/rounds/{round_id}/comments/{first}/reaction", json={"kind": "agree"}).status_code == 200
    if busy != "employer":
        return
    assert attach(other, round_id, "margins.pdf", PDF + b"%caucus\n", title="Caucus margins",
                  caucus="employers").status_code == 201
    [release] = other.post(f"/rounds/{round_id}/package/release").get_json()
    assert release["caucus"] == "employers"
    assert other.post(f"/rounds/{round_id}/package/releases/{release['id']}/acknowledgement").status_code == 201
    secret = next(d for d in other.get(f"/rounds/{round_id}/package").get_json()["documents"] if d["caucus"])
    assert upload(other, f"/rounds/{round_id}/package/documents/{secret['id']}/versions", "margins.pdf",
                  PDF + b"%caucus two\n").status_code == 201
    assert other.post(f"/rounds/{round_id}/package/release").status_code == 201
    # Drafts only the employer and the secretariat see: a new document, a new version of an all-party one.
    assert attach(other, round_id, "draft.pdf", PDF + b"%draft\n", title="Draft").status_code == 201
    assert upload(other, f"/rounds/{round_id}/package/documents/{plenary_document}/versions", "system.pdf",
                  PDF + b"%draft two\n").status_code == 201


@pytest.mark.parametrize(("attacker", "busy"), SIDES)
def test_nothing_the_other_sides_caucus_does_changes_what_the_attacker_can_obtain(served, attacker, busy):  # noqa: F811
    app, url = served
    make = Factory(app)
    world = tripartite(make)
    round_id = world["round"].id
    make.comment(world[attacker], world["round"], "Plenary: how are shifts scored?")
    make.comment(world[attacker], world["round"], "Our own caucus line", channel="caucus")
    employer = ApiClient(app.test_client(), make.token(world["employer"]))
    assert attach(employer, round_id, "system.pdf", PDF, title="System description").status_code == 201
    [release] = employer.post(f"/rounds/{round_id}/package/release").get_json()
    [document] = employer.get(f"/rounds/{round_id}/package").get_json()["documents"]
    token = make.token(world[attacker])
    apis = ApiClient(app.test_client(), token)
    [comment] = [c for c in apis.get(f"/rounds/{round_id}/comments?channel=plenary").get_json()["items"]]
    ids = {"comment_id": comment["id"], "document_id": document["id"], "release_id": release["id"], "version": 1}
    pages = app.test_client()
    log_in(pages, world[attacker])
    paths = _paths(app, round_id, ids)
    _gather(app, pages, apis, paths)  # the first look marks notifications seen: the second is the one compared

    frames: list[tuple[str, object]] = []
    socket = socketio.Client(reconnection=False)
    socket.on("*", lambda name, data: frames.append((name, data)))
    socket.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    held = socket.call("join", {"round_id": round_id, "cursor": {}}, timeout=10)["heads"]
    before = _gather(app, pages, apis, paths)
    time.sleep(HEARTBEAT * 3)
    frames.clear()

    _busy(make, world, busy, round_id, document["id"])
    time.sleep(HEARTBEAT * 5)
    during = list(frames)
    caught_up = socket.call("catch_up", {"round_id": round_id, "cursor": held}, timeout=10)
    socket.disconnect()
    after = _gather(app, pages, apis, paths)

    changed = [path for path in paths if after[path] != before[path]]
    assert changed == [], {path: (before[path][:2], after[path][:2]) for path in changed}
    assert {name for name, _ in during} <= {"heartbeat", "presence"}, during
    beats = [data for name, data in during if name == "heartbeat" and data["round_id"] == round_id]
    assert beats and all(beat["heads"] == held for beat in beats)
    assert caught_up.get("events", []) == [] and caught_up["heads"] == held, caught_up
