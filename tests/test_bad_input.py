"""Bad input on every write route: one documented error shape, the right status, never a 500, no change."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from consult.db import Base
from consult.models import import_all_models
from tests.factories import tripartite
from tests.routes import fill, valid_bodies, write_routes


def assert_error_shape(response, status: int) -> dict:
    """The documented shape: {"error": {"code", "message", "fields"}}, nothing else."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) >= {"code", "message", "fields"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def snapshot(db) -> dict[str, int]:
    """Row counts of every table: a write that fails must leave them all as they were."""
    import_all_models()
    with db.transaction(write=False) as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.fixture
def setting(api, make):
    """A round with a comment, and for each write route its path, a valid body and a client allowed to use it."""
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round)
    bodies = valid_bodies(world, make.organisation("government").id)
    token_owner = world["worker"]
    token_id = api(token_owner).get("/tokens").get_json()[0]["id"]
    ids = {"round_id": round.id, "comment_id": comment.id, "constituency": "workers", "token_id": token_id}
    actors = {"create_organisation": world["secretariat"], "open_round": world["employer"],
              "invite": world["employer"], "name_signatory": world["worker"], "post_comment": world["worker"],
              "create_token": world["worker"], "revoke_token": token_owner,
              **dict.fromkeys(("start", "extend", "pause", "resume", "hold", "advance", "draft_position",
                               "add_commitment", "freeze"), world["secretariat"]),
              "record_stance": world["worker"], "record_stances": world["worker"],
              "remove": world["secretariat"], "end_sessions": world["worker"],
              "set_identity_policy": world["secretariat"],
              "edit_comment": world["worker"], "hide_comment": world["secretariat"], "react": world["government"],
              "sign": world["worker"], "request_export": world["worker"], "post_update": world["employer"],
              "follow_up": world["employer"], "give_opinion": world["worker"],
              "respond_to_opinion": world["employer"], "decide_consent": world["worker"],
              "appoint_expert": world["worker"], "record_expert_cost": world["employer"],
              "record_ruling": world["secretariat"], "withdraw_function": world["employer"],
              "change_function": world["employer"],
              "end_expert": world["worker"], "record_expert_step": world["employer"],
              "record_reading": world["secretariat"], "record_agreement": world["secretariat"],
              "notify_bdese": world["employer"], "transmit_establishment_opinion": world["worker"],
              "ask": world["worker"], "answer": world["employer"], "withdraw": world["worker"],
              "list_affected_workers": world["employer"], "inform_affected_workers": world["employer"],
              **dict.fromkeys(("invite_person", "resend_invitation", "deactivate_person", "reactivate_person"),
                              world["secretariat"]),
              **dict.fromkeys(("update_profile", "change_password", "forgotten_password", "set_password"),
                              world["worker"])}
    return {"world": world, "bodies": bodies, "ids": ids, "actors": actors}


def _send(client, route, path, **kwargs):
    return client.client.open("/api/v1" + path, method=route.method, headers=client.headers, **kwargs)


def test_every_write_route_is_covered_by_these_tests(setting):
    assert {r.endpoint for r in write_routes()} == set(setting["bodies"])


def test_malformed_json_wrong_content_type_and_non_objects_are_refused_and_change_nothing(api, db, setting):
    for route in write_routes():
        if setting["bodies"][route.endpoint] is None:
            continue
        client = api(setting["actors"][route.endpoint])
        path = fill(route.rule, setting["ids"])
        before = snapshot(db)
        assert_error_shape(_send(client, route, path, data="{not json", content_type="application/json"), 400)
        form = "application/x-www-form-urlencoded"
        assert_error_shape(_send(client, route, path, data="name=x", content_type=form), 400)
        assert_error_shape(_send(client, route, path, json=["a", "list"]), 422)
        assert_error_shape(_send(client, route, path, json="a string"), 422)
        assert snapshot(db) == before, route.endpoint


def test_missing_unknown_and_mistyped_fields_name_each_field_and_change_nothing(api, db, setting):
    for route in write_routes():
        valid = setting["bodies"][route.endpoint]
        if valid is None:
            continue
        client = api(setting["actors"][route.endpoint])
        path = fill(route.rule, setting["ids"])
        before = snapshot(db)
        missing = assert_error_shape(_send(client, route, path, json={}), 422)
        assert missing["fields"], route.endpoint
        unknown = assert_error_shape(_send(client, route, path, json={**valid, "is_admin": True}), 422)
        assert "is_admin" in unknown["fields"], route.endpoint
        for name in valid:
            for wrong in ([1, 2], {"x": 1}, 3.5 if isinstance(valid[name], str) else "text"):
                body = {**copy.deepcopy(valid), name: wrong}
                error = assert_error_shape(_send(client, route, path, json=body), 422)
                assert name in error["fields"], (route.endpoint, name, wrong, error)
        assert snapshot(db) == before, route.endpoint


def test_over_long_text_is_refused_by_field_and_an_over_large_body_by_size(api, db, setting):
    client = api(setting["world"]["worker"])
    round_id = setting["ids"]["round_id"]
    before = snapshot(db)
    long = assert_error_shape(client.post(f"/rounds/{round_id}/comments",
                                          json={"section": "system", "body": "x" * 20_001}), 422)
    assert "body" in long["fields"]
    longest = client.post(f"/rounds/{round_id}/comments", json={"section": "system", "body": "x" * 20_000})
    assert longest.status_code == 201
    after_ok = snapshot(db)
    assert_error_shape(client.post(f"/rounds/{round_id}/comments",
                                   json={"section": "system", "body": "x" * 2_000_000}), 413)
    assert snapshot(db) == after_ok
    assert after_ok["comments"] == before["comments"] + 1


def test_unknown_ids_answer_404_in_the_path_and_422_in_the_body(api, db, setting):
    world = setting["world"]
    worker, employer = api(world["worker"]), api(world["employer"])
    before = snapshot(db)
    round_id = setting["ids"]["round_id"]
    assert_error_shape(worker.post("/rounds/999999/comments", json={"section": "system", "body": "x"}), 404)
    assert_error_shape(employer.post("/rounds/999999/participants", json={"organisation_id": 1}), 404)
    assert_error_shape(worker.put("/rounds/999999/signatories/workers", json={"user_id": world["worker"].id}), 404)
    assert_error_shape(worker.delete("/tokens/999999"), 404)
    assert_error_shape(worker.get(f"/rounds/{round_id}/comments/999999"), 404)
    assert_error_shape(worker.get("/no/such/route"), 404)
    assert "section" in assert_error_shape(worker.post(f"/rounds/{round_id}/comments",
                                                       json={"section": "nope", "body": "x"}), 422)["fields"]
    assert "parent_id" in assert_error_shape(worker.post(f"/rounds/{round_id}/comments", json={
        "section": "system", "body": "x", "parent_id": 999999}), 422)["fields"]
    assert "organisation_id" in assert_error_shape(employer.post(f"/rounds/{round_id}/participants",
                                                                 json={"organisation_id": 999999}), 422)["fields"]
    assert "user_id" in assert_error_shape(worker.put(f"/rounds/{round_id}/signatories/workers",
                                                      json={"user_id": 999999}), 422)["fields"]
    assert_error_shape(worker.put(f"/rounds/{round_id}/signatories/observers", json={"user_id": 1}), 404)
    assert snapshot(db) == before


def test_reasons_and_the_identity_policy_are_checked_and_change_nothing(api, db, setting):
    world = setting["world"]
    secretariat, worker = api(world["secretariat"]), api(world["worker"])
    round_id = setting["ids"]["round_id"]
    before = snapshot(db)
    policy = f"/rounds/{round_id}/identity-policy"
    for body, field in (({"identity_policy": "invisible", "reason": "x"}, "identity_policy"),
                        ({"identity_policy": "organisation", "reason": "   "}, "reason"),
                        ({"identity_policy": "organisation", "reason": "x" * 2001}, "reason"),
                        ({"identity_policy": "organisation"}, "reason")):
        assert field in assert_error_shape(secretariat.put(policy, json=body), 422)["fields"], body
    signatory = f"/rounds/{round_id}/signatories/workers"
    for reason in ("x" * 2001, 7, None):
        body = {"user_id": world["worker"].id, "reason": reason}
        assert "reason" in assert_error_shape(worker.put(signatory, json=body), 422)["fields"], reason
    remove = f"/rounds/{round_id}/participants/{world['government'].organisation_id}/remove"
    assert "reason" in assert_error_shape(secretariat.post(remove, json={"reason": ""}), 422)["fields"]
    assert snapshot(db) == before


def test_plan_validation_explains_each_problem(api, make, db):
    employer = make.user("employers")
    from tests.factories import round_payload

    body = round_payload(time_zone="Mars/Olympus")
    body["plan"].update(functions=["telepathy"], workers_affected=0, rollout_completes_on="2026-01-01",
                        country="Germany")
    del body["plan"]["impact_statements"]["privacy"]
    client = api(employer)
    before = snapshot(db)
    error = assert_error_shape(client.post("/rounds", json=body), 422)
    assert "time_zone" in error["fields"]
    plan = error["fields"]["plan"]
    assert {"functions", "workers_affected", "country", "impact_statements"} <= set(plan)
    assert snapshot(db) == before


def test_bad_pagination_input_is_refused_clearly(api, setting):
    client = api(setting["world"]["worker"])
    round_id = setting["ids"]["round_id"]
    assert "cursor" in assert_error_shape(client.get(f"/rounds/{round_id}/comments?cursor=%%%"), 422)["fields"]
    assert "limit" in assert_error_shape(client.get(f"/rounds/{round_id}/comments?limit=0"), 422)["fields"]
    assert "limit" in assert_error_shape(client.get(f"/rounds/{round_id}/comments?limit=abc"), 422)["fields"]
