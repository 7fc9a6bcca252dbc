"""Who may reach a round: anyone outside it gets 403 or 404 on every route of that round."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.comments.models import Comment
from consult.events.models import Event
from tests.factories import tripartite
from tests.routes import fill, round_routes, valid_bodies


def test_a_person_from_an_organisation_that_was_not_invited_is_kept_out_of_every_round_route(api, make, db):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round)
    outsider = make.user("workers", name="Not Invited")
    bodies = valid_bodies(world, make.organisation("government").id)
    with db.transaction(write=False) as session:
        before = (session.scalar(select(func.count(Event.id))), session.scalar(select(func.count(Comment.id))))
    routes = round_routes()
    assert {r.endpoint for r in routes} >= {"get_round", "post_comment", "list_events", "invite", "name_signatory"}
    for route in routes:
        path = fill(route.rule, {"round_id": round.id, "comment_id": comment.id, "constituency": "workers"})
        client = api(outsider)
        if route.method == "GET":
            response = client.get(path)
        else:
            response = getattr(client, route.method.lower())(path, json=bodies.get(route.endpoint))
        assert response.status_code in (403, 404), (route.method, path, response.status_code)
        assert "Hello" not in response.get_data(as_text=True)
    with db.transaction(write=False) as session:
        after = (session.scalar(select(func.count(Event.id))), session.scalar(select(func.count(Comment.id))))
    assert after == before


def test_an_anonymous_request_gets_401_on_every_api_route(client, make):
    from consult.api.routing import ROUTES

    for route in ROUTES:
        if route.public:
            continue
        path = "/api/v1" + fill(route.rule, {"round_id": 1, "comment_id": 1, "constituency": "workers",
                                             "token_id": 1})
        response = client.open(path, method=route.method, json={} if route.method != "GET" else None,
                               headers={"Authorization": "Bearer cst_nobody"})
        assert response.status_code == 401, (route.method, path)
