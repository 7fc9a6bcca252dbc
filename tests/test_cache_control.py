"""What a logged-in person saw must never be kept by a browser's back button cache or a shared proxy."""

from __future__ import annotations

from consult.api.routing import ROUTES
from tests.factories import log_in, tripartite
from tests.routes import fill


def _ids(make) -> tuple[dict, dict]:
    world = tripartite(make)
    comment = make.comment(world["worker"], world["round"])
    return world, {"round_id": world["round"].id, "comment_id": comment.id, "token_id": 1, "job_id": 1,
                   "filename": "consult.css"}


def _page_rules(app) -> list[str]:
    return [rule.rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "static"]


def test_every_logged_in_api_answer_carries_no_store(api, make):
    world, ids = _ids(make)
    client = api(world["worker"])
    gets = [r for r in ROUTES if r.method == "GET"]
    assert len(gets) >= 20
    for route in gets:
        answer = client.get(fill(route.rule, ids))
        assert "no-store" in answer.headers.get("Cache-Control", ""), (route.rule, answer.status_code)
    for path in ("/rounds/999999", "/no/such/route"):  # refusals too: they say what exists for whom
        assert "no-store" in client.get(path).headers.get("Cache-Control", ""), path


def test_every_logged_in_page_carries_no_store(app, make, client):
    world, ids = _ids(make)
    log_in(client, world["worker"])
    rules = _page_rules(app)
    assert len(rules) >= 20
    for rule in rules:
        answer = client.get(fill(rule, ids))
        assert "no-store" in answer.headers.get("Cache-Control", ""), (rule, answer.status_code)
    session_api = client.get("/api/v1/me")  # the API through the log-in session, as the pages' script calls it
    assert session_api.status_code == 200 and "no-store" in session_api.headers["Cache-Control"]


def test_the_answer_to_a_log_in_is_not_stored(make, client):
    import re

    from tests.factories import PASSWORD

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"email": make.user("workers").email, "password": PASSWORD,
                                         "csrf_token": csrf})
    assert answer.status_code == 302 and "session=" in answer.headers.get("Set-Cookie", "")
    assert "no-store" in answer.headers.get("Cache-Control", "")  # it hands out a log-in session


def test_public_files_and_anonymous_registry_pages_stay_cacheable(client, make):
    tripartite(make)
    for path in ("/static/consult.css", "/registry", "/registry.json", "/registry.atom"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "no-store" not in answer.headers.get("Cache-Control", ""), path
