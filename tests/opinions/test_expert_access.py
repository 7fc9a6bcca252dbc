"""The expert sees their constituency's caucus (and the package), nothing else: 404 on every other route and page.

Played as the adversary: everything the expert can obtain (API, pages) is gathered and searched for what they
must not learn: the plenary, another constituency's caucus, worker representatives' names behind pseudonyms.
"""

from __future__ import annotations

import json

from tests.factories import log_in
from tests.opinions.helpers import REASON, expert_body, profile_world
from tests.routes import fill, round_routes, valid_bodies


def _expert_world(make, api):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    appointed = api(world["worker"]).post(f"/rounds/{round_id}/experts", json=expert_body(world))
    assert appointed.status_code == 201, appointed.get_json()
    world["workers_caucus"] = make.comment(world["worker"], world["round"], "Workers only: we may strike.",
                                           channel="caucus")
    world["employers_caucus"] = make.comment(world["employer"], world["round"], "Employers only: budget is 2M.",
                                             channel="caucus")
    world["plenary"] = make.comment(world["employer"], world["round"], "Plenary: welcome to all.")
    return world


def test_the_expert_reads_the_workers_caucus_under_pseudonyms_and_nothing_else(api, make, db):
    world = _expert_world(make, api)
    round_id = world["round"].id
    expert = api(world["expert"])
    brief = expert.get(f"/rounds/{round_id}/expert")
    assert brief.status_code == 200, brief.get_json()
    body = brief.get_json()
    assert body["constituency"] == "workers" and body["appointment"]["firm"] == "Cabinet Syndex"
    assert [c["body"] for c in body["caucus"]] == ["Workers only: we may strike."]
    text = json.dumps(body["caucus"])
    assert "Wanda Worker" not in text and "Worker representative" in text  # the default policy is pseudonymous
    assert "Employers only" not in json.dumps(body) and "Plenary" not in json.dumps(body)


def test_the_expert_gets_404_on_every_other_route_and_page_of_the_round(api, make, db, client):
    world = _expert_world(make, api)
    round_id = world["round"].id
    expert = api(world["expert"])
    bodies = valid_bodies(world, make.organisation("government").id)
    ids = {"round_id": round_id, "comment_id": world["workers_caucus"].id, "constituency": "workers",
           "opinion_id": 1, "expert_id": 1}
    gathered = []
    for route in round_routes():
        if route.endpoint in ("get_expert_brief", "expert_download_document"):  # the expert's own routes
            continue
        path = "/api/v1" + fill(route.rule, ids)
        response = expert.client.open(path, method=route.method, headers=expert.headers,
                                      json=bodies.get(route.endpoint) if route.method != "GET" else None)
        assert response.status_code == 404, (route.endpoint, response.status_code)
        assert response.get_json()["error"]["message"] == "No such round.", route.endpoint
        gathered.append(response.get_data(as_text=True))
    log_in(client, world["expert"])
    for page in (f"/rounds/{round_id}", f"/rounds/{round_id}/people", f"/rounds/{round_id}/timeline",
                 f"/rounds/{round_id}/positions", f"/rounds/{round_id}/procedure"):
        response = client.get(page)
        assert response.status_code == 404, page
        gathered.append(response.get_data(as_text=True))
    everything = "\n".join(gathered)
    for secret in ("we may strike", "budget is 2M", "welcome to all", "Wanda Worker"):
        assert secret not in everything


def test_an_expert_of_one_round_is_nobody_in_another(api, make, db):
    world = _expert_world(make, api)
    other = profile_world(make, "fr-cse")
    expert = api(world["expert"])
    assert expert.get(f"/rounds/{other['round'].id}/expert").status_code == 404
    assert expert.get(f"/rounds/{other['round'].id}").status_code == 404
    assert api(world["worker"]).get(f"/rounds/{world['round'].id}/expert").status_code == 404  # not for members


def test_the_expert_reads_the_released_package_and_their_caucus_documents_but_no_other(api, make, db):
    from tests.package.files import CSV, PDF
    from tests.package.helpers import attach

    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    employer, worker = api(world["employer"]), api(world["worker"])
    assert attach(employer, round_id, "dpia.pdf", PDF, title="Impact assessment").status_code == 201
    budget = attach(employer, round_id, "budget.csv", CSV, title="Employers' budget", caucus="employers")
    assert budget.status_code == 201
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    assert worker.post(f"/rounds/{round_id}/experts", json=expert_body(world)).status_code == 201
    expert = api(world["expert"])
    package = expert.get(f"/rounds/{round_id}/expert").get_json()["package"]
    assert [d["title"] for d in package] == ["Impact assessment"]  # not the employers' caucus document
    for document in package:
        path = document["versions"][0]["download"].removeprefix("/api/v1")
        response = expert.get(path)
        assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    employers_document = next(d for d in employer.get(f"/rounds/{round_id}/package").get_json()["documents"]
                              if d["title"] == "Employers' budget")
    hidden = expert.get(f"/rounds/{round_id}/expert/documents/{employers_document['id']}/versions/1/file")
    assert hidden.status_code == 404 and b"Lyon" not in hidden.get_data()
    assert expert.get(f"/rounds/{round_id}/package").status_code == 404  # the participants' route stays closed
    other = api(world["government"])
    dpia = package[0]
    assert other.get(f"/rounds/{round_id}/expert/documents/{dpia['id']}/versions/1/file").status_code == 404


def test_the_expert_cannot_join_the_rounds_live_room_nor_hear_its_caucus(live_server, api, make):
    import time

    from tests.live.test_cut_off import Socket, _api

    world = _expert_world(make, api)
    round_id = world["round"].id
    socket = Socket(live_server, token=make.token(world["expert"]))
    try:
        assert socket.join(round_id)["error"]["code"] == "not_found"
        _api(live_server, make.token(world["worker"]), "POST", f"/rounds/{round_id}/comments",
             json={"section": "privacy", "body": "Caucus: live secret", "channel": "caucus"})
        time.sleep(1)  # a push would have arrived by now (tests/live measures pushes in milliseconds)
        assert not any("live secret" in repr(event) for event in socket.events)
    finally:
        socket.close()
