"""An expert's appointment is the constituency's decision and has a term: it ends by decision, at its end date, at
the round's conclusion, or with the person's account; then every path the expert had is closed, and stays
closed when the account is reactivated (issue 29).

Played as the adversary: after each way of ending, the ended expert tries every API route of the round, every
page of the round, their brief, their document downloads, the exports, a socket join and replay, and their
notifications; everything they obtain is searched for what the appointment showed them before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from consult.db import utcnow
from consult.opinions.models import Expert
from consult.rounds.models import Round
from tests.factories import log_in
from tests.opinions.helpers import REASON, expert_body, profile_world
from tests.package.files import PDF
from tests.package.helpers import attach
from tests.routes import fill, round_routes, valid_bodies
from tests.test_bad_input import assert_error_shape

SECRETS = ("we may strike", "Data-protection impact assessment", "Cabinet Syndex brief")


def _appointed(make, api, db, **extra):
    """A fr-cse round started with its package, a workers' caucus comment, and the workers' expert appointed
    by their named signatory; the expert has read their brief and downloaded the package."""
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    assert attach(api(world["employer"]), round_id, "dpia.pdf", PDF,
                  title="Data-protection impact assessment").status_code == 201
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON).status_code == 200
    body = {**expert_body(world), "brief": "Cabinet Syndex brief: the monitoring functions.", **extra}
    appointed = api(world["worker"]).post(f"/rounds/{round_id}/experts", json=body)
    assert appointed.status_code == 201, appointed.get_json()
    world["expert_id"] = appointed.get_json()["id"]
    world["caucus"] = make.comment(world["worker"], world["round"], "Workers only: we may strike.",
                                   channel="caucus")
    expert = api(world["expert"])
    brief = expert.get(f"/rounds/{round_id}/expert")
    assert brief.status_code == 200 and "we may strike" in brief.get_data(as_text=True)
    [document] = brief.get_json()["package"]
    world["download"] = document["versions"][0]["download"].removeprefix("/api/v1")
    assert expert.get(world["download"]).status_code == 200
    return world


def _end(how: str, make, api, db, world) -> None:
    round_id, expert_id = world["round"].id, world["expert_id"]
    if how == "decision":
        ended = api(world["worker"]).post(f"/rounds/{round_id}/experts/{expert_id}/end",
                                          json={"reason": "The report is delivered."})
        assert ended.status_code == 200, ended.get_json()
        assert ended.get_json()["term"]["ended_how"] == "decision"
    elif how == "secretariat":
        ended = api(world["secretariat"]).post(f"/rounds/{round_id}/experts/{expert_id}/end",
                                               json={"reason": "Recorded for the CSE after its vote."})
        assert ended.status_code == 200, ended.get_json()
    elif how == "end_date":  # the end date passes: the stored end moves one second into the past
        with db.transaction() as session:
            session.execute(update(Expert).where(Expert.public_id == expert_id)
                            .values(ends_at=utcnow() - timedelta(seconds=1)))
    elif how == "conclusion":
        with db.transaction() as session:
            session.execute(update(Round).where(Round.id == round_id).values(stage="concluded"))
    elif how == "deactivated_then_reactivated":
        secretariat = api(world["secretariat"])
        assert secretariat.post(f"/people/{world['expert'].id}/deactivate").status_code == 200
        assert secretariat.post(f"/people/{world['expert'].id}/reactivate").status_code == 200
    else:
        raise AssertionError(how)


def _page_rules(app) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if rule.endpoint.startswith("pages.") and "<int:round_id>" in rule.rule
                   and "GET" in rule.methods})


@pytest.mark.parametrize("how", ["decision", "secretariat", "end_date", "conclusion", "deactivated_then_reactivated"])
def test_an_ended_expert_loses_every_path_at_once(how, app, api, make, db):
    world = _appointed(make, api, db, ends_on=(utcnow() + timedelta(days=30)).date().isoformat())
    round_id = world["round"].id
    _end(how, make, api, db, world)
    expert = api(world["expert"] if how != "deactivated_then_reactivated" else world["expert"])
    if how == "deactivated_then_reactivated":  # deactivation revoked their tokens: a new one, as after a reset
        expert = type(expert)(app.test_client(), make.token(world["expert"]))
    gathered = []
    for path in (f"/rounds/{round_id}/expert", world["download"]):
        response = expert.get(path)
        assert response.status_code == 404, (how, path, response.status_code)
        gathered.append(response.get_data(as_text=True))
    bodies = valid_bodies(world, make.organisation("government").id)
    ids = {"round_id": round_id, "comment_id": world["caucus"].public_id, "constituency": "workers",
           "expert_id": world["expert_id"]}
    for route in round_routes():
        response = expert.client.open("/api/v1" + fill(route.rule, ids), method=route.method, headers=expert.headers,
                                      json=bodies.get(route.endpoint) if route.method != "GET" else None)
        assert response.status_code == 404, (how, route.endpoint, response.status_code)
        gathered.append(response.get_data(as_text=True))
    client = app.test_client()
    log_in(client, world["expert"])
    for rule in _page_rules(app):
        path = fill(rule, ids)
        response = client.get(path)
        assert response.status_code in (404, 302), (how, path, response.status_code)
        gathered.append(response.get_data(as_text=True))
    gathered.append(client.get("/notifications").get_data(as_text=True))
    gathered.append(client.get("/").get_data(as_text=True))
    everything = "\n".join(gathered)
    for secret in SECRETS:
        assert secret not in everything, (how, secret)


@pytest.mark.parametrize("how", ["decision", "end_date", "conclusion", "deactivated_then_reactivated"])
def test_the_people_and_procedure_pages_show_the_experts_term(how, app, api, make, db):
    world = _appointed(make, api, db, ends_on="2099-12-31")
    round_id = world["round"].id
    client = app.test_client()
    log_in(client, world["employer"])
    before = client.get(f"/rounds/{round_id}/people").get_data(as_text=True)
    assert "Eva Expert" in before and "Appointed until 2099-12-31 (end of the day)." in before
    _end(how, make, api, db, world)
    expected = {"decision": "Appointment ended by decision on", "end_date": "Appointment ended at its end date, "
                "2099-12-31.", "conclusion": "Appointment ended at the round's conclusion.",
                "deactivated_then_reactivated": "the expert's account was deactivated."}[how]
    for page in ("people", "procedure"):
        shown = client.get(f"/rounds/{round_id}/{page}").get_data(as_text=True).replace("&#39;", "'")
        assert expected in shown, (how, page)
    [term] = [e["term"] for e in api(world["employer"]).get(f"/rounds/{round_id}/procedure").get_json()["experts"]]
    assert term["active"] is False
    assert term["ended_how"] == {"deactivated_then_reactivated": "deactivated"}.get(how, how)


def test_only_the_signatory_or_the_secretariat_on_its_behalf_appoints_and_ends(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    lone = api(world["second_worker"])  # a worker representative who is not the named signatory
    assert_error_shape(lone.post(f"/rounds/{round_id}/experts", json=expert_body(world)), 403)
    secretariat = api(world["secretariat"])
    error = assert_error_shape(secretariat.post(f"/rounds/{round_id}/experts", json=expert_body(world)), 422)
    assert "constituency" in error["fields"]
    assert_error_shape(api(world["worker"]).post(f"/rounds/{round_id}/experts",
                                                 json={**expert_body(world), "constituency": "employers"}), 403)
    appointed = secretariat.post(f"/rounds/{round_id}/experts", json={**expert_body(world), "constituency": "workers"})
    assert appointed.status_code == 201, appointed.get_json()
    assert appointed.get_json()["constituency"] == "workers"
    expert_id = appointed.get_json()["id"]
    end = f"/rounds/{round_id}/experts/{expert_id}/end"
    assert_error_shape(lone.post(end, json={"reason": "I decide alone."}), 403)
    assert_error_shape(api(world["employer"]).post(end, json={"reason": "The employer dislikes the expert."}), 403)
    assert "reason" in assert_error_shape(api(world["worker"]).post(end, json={}), 422)["fields"]
    assert_error_shape(api(world["worker"]).post(f"/rounds/{round_id}/experts/999999/end",
                                                 json={"reason": "x"}), 404)
    assert api(world["expert"]).get(f"/rounds/{round_id}/expert").status_code == 200  # refusals changed nothing
    assert api(world["worker"]).post(end, json={"reason": "Done."}).status_code == 200
    assert_error_shape(api(world["worker"]).post(end, json={"reason": "Again."}), 409)
    # an ended appointment is never restarted by appointing the same person again
    assert_error_shape(api(world["worker"]).post(f"/rounds/{round_id}/experts", json=expert_body(world)), 409)


def test_an_end_date_in_the_past_is_refused_and_changes_nothing(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    worker = api(world["worker"])
    for bad in ("2001-01-01", "not a date", "2099-02-30", 20991231):
        error = assert_error_shape(worker.post(f"/rounds/{round_id}/experts",
                                               json={**expert_body(world), "ends_on": bad}), 422)
        assert "ends_on" in error["fields"], bad
    assert worker.get(f"/rounds/{round_id}/procedure").get_json()["experts"] == []


def test_ending_an_appointment_cuts_the_experts_live_sockets_and_they_cannot_join(live_server, api, make, db):
    from tests.live.test_cut_off import Socket, _api

    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    expert_id = api(world["worker"]).post(f"/rounds/{round_id}/experts", json=expert_body(world)).get_json()["id"]
    token = make.token(world["expert"])
    socket = Socket(live_server, token=token)
    try:
        assert socket.client.connected
        ended = _api(live_server, make.token(world["worker"]), "POST", f"/rounds/{round_id}/experts/{expert_id}/end",
                     json={"reason": "The report is delivered."})
        assert ended.status_code == 200, ended.text
        assert socket.cut.wait(10), "the ended expert's socket stayed connected"
    finally:
        socket.close()
    again = Socket(live_server, token=token)  # the account stays: a new socket connects, but the round is closed
    try:
        assert again.join(round_id)["error"]["code"] == "not_found"
        replay = again.client.call("catch_up", {"round_id": round_id, "last_seq": 0}, timeout=10)
        assert replay["error"]["code"] == "not_found"
        assert _api(live_server, token, "GET", f"/rounds/{round_id}/expert").status_code == 404
    finally:
        again.close()
