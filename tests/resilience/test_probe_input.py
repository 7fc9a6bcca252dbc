"""Input the outside probe found: bodies nested 100,000 levels deep, and numbers written in other scripts' digits."""

from __future__ import annotations

import re

import pytest
import socketio

from consult.api.routing import ROUTES
from tests.factories import log_in, tripartite
from tests.routes import fill, write_routes
from tests.test_bad_input import _send, assert_error_shape, setting, snapshot  # noqa: F401 (fixture)

DEEP = 100_000


def _deep_bodies() -> dict[str, str]:
    """Bodies no JSON parser should recurse through, and one that parses but is still absurdly deep."""
    return {"arrays": "[" * DEEP, "closed arrays": "[" * DEEP + "]" * DEEP,
            "objects": '{"a":' * DEEP + "1" + "}" * DEEP, "inside a field": '{"body": ' + "[" * DEEP + "]" * DEEP + "}",
            "parsable but deep": '{"body": ' + "[" * 500 + "]" * 500 + "}"}


def test_a_deeply_nested_body_is_400_on_every_write_route_and_changes_nothing(api, db, setting):  # noqa: F811
    routes = [r for r in write_routes() if setting["bodies"][r.endpoint] is not None]
    assert len(routes) >= 20
    for route in routes:
        client = api(setting["actors"][route.endpoint])
        path = fill(route.rule, setting["ids"])
        before = snapshot(db)
        for name, body in _deep_bodies().items():
            answer = _send(client, route, path, data=body, content_type="application/json")
            error = assert_error_shape(answer, 400)
            assert error["code"] == "bad_request", (route.endpoint, name, error)
        assert snapshot(db) == before, route.endpoint


def test_a_deeply_nested_page_form_is_refused_without_a_failure(make, client, db):
    world = tripartite(make)
    log_in(client, world["employer"])
    page = client.get("/rounds/new").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = snapshot(db)
    answer = client.post("/rounds/new", data={"csrf_token": csrf, "plan." + "a." * 5000 + "b": "x"})
    assert answer.status_code in (400, 422), answer.status_code
    assert snapshot(db) == before


def test_a_deeply_nested_socket_payload_is_answered_and_the_socket_keeps_working(live_server, make):
    world = tripartite(make)
    client = socketio.Client(reconnection=False)
    client.connect(live_server, auth={"token": make.token(world["worker"])}, transports=["websocket"],
                   wait_timeout=10)
    try:
        nested = {"round_id": world["round"].id, "last_seq": 0, "extra": _nested(40)}
        deep = client.call("join", nested, timeout=10)
        assert deep["error"]["code"] == "bad_request", deep
        # Deeper than the Socket.IO library itself will parse: dropped there, and the socket stays usable.
        client.eio.send('2["join",' + "[" * 20_000 + "]" * 20_000 + "]")
        answer = client.call("join", {"round_id": world["round"].id, "last_seq": 0}, timeout=10)
        assert "error" not in answer and answer["round_id"] == world["round"].id
    finally:
        client.disconnect()


def _nested(depth: int) -> list:
    value: list = [1]
    for _ in range(depth - 1):
        value = [value]
    return value


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_ids_in_other_digits_name_nothing_in_api_paths(api, make):
    world = tripartite(make)
    comment = make.comment(world["worker"], world["round"])
    client = api(world["secretariat"])
    ids = {"round_id": world["round"].id, "comment_id": comment.id, "token_id": 1}
    checked = 0
    for route in ROUTES:
        if route.method != "GET" or "<int:" not in route.rule:
            continue
        ascii_path = fill(route.rule, ids)
        for table in (FULLWIDTH, ARABIC_INDIC):
            path = re.sub(r"/(\d+)", lambda m: "/" + m.group(1).translate(table), ascii_path)
            answer = client.get(path)
            assert_error_shape(answer, 404)
            checked += 1
    assert checked >= 20
    assert client.get(f"/rounds/{world['round'].id}").status_code == 200


def test_ids_in_other_digits_name_nothing_in_pages(make, client):
    world = tripartite(make)
    log_in(client, world["worker"])
    round_id = str(world["round"].id)
    assert client.get(f"/rounds/{round_id}").status_code == 200
    for table in (FULLWIDTH, ARABIC_INDIC):
        assert client.get(f"/rounds/{round_id.translate(table)}").status_code == 404
        assert client.get(f"/rounds/{round_id.translate(table)}/people").status_code == 404


@pytest.mark.parametrize("query", ["limit=５", "limit=٣", "limit=%205", "limit=1_0", "limit=+5"])
def test_numbers_in_a_query_are_ascii_digits_only(api, make, query):
    world = tripartite(make)
    client = api(world["worker"])
    round_id = world["round"].id
    for path in (f"/rounds/{round_id}/comments", f"/rounds/{round_id}/events", "/registry", "/rounds"):
        error = assert_error_shape(client.get(f"{path}?{query}"), 422)
        assert "limit" in error["fields"], path
    for name in ("after", "before"):
        path = f"/rounds/{round_id}/events" if name == "after" else "/registry"
        error = assert_error_shape(client.get(f"{path}?{name}=" + "12".translate(FULLWIDTH)), 422)
        assert name in error["fields"]


def test_ids_in_other_digits_are_refused_in_bodies_and_socket_payloads(api, make, live_server):
    world = tripartite(make)
    round_id = world["round"].id
    text = str(round_id).translate(FULLWIDTH)
    answer = api(world["worker"]).post(f"/rounds/{round_id}/comments",
                                       json={"section": "system", "body": "x", "parent_id": "１"})
    assert "parent_id" in assert_error_shape(answer, 422)["fields"]
    client = socketio.Client(reconnection=False)
    client.connect(live_server, auth={"token": make.token(world["worker"])}, transports=["websocket"],
                   wait_timeout=10)
    try:
        for payload in ({"round_id": text}, {"round_id": round_id, "last_seq": "０"}, {"round_id": True}):
            refused = client.call("join", payload, timeout=10)
            assert refused["error"]["code"] == "invalid", (payload, refused)
    finally:
        client.disconnect()
