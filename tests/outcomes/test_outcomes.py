"""Positions in versions, stances, commitments, the frozen outcome and its per-constituency sign-off."""

from __future__ import annotations

import hashlib

from consult.rounds.models import Round
from tests.factories import PASSWORD, log_in, tripartite
from tests.outcomes.helpers import PARTIES, outcome_world
from tests.test_bad_input import assert_error_shape, snapshot

REASON = {"reason": "Ready for sign-off."}


def types(client, round_id: int) -> list[str]:
    return [e["type"] for e in client.get(f"/rounds/{round_id}/events?limit=500").get_json()["items"]]


def test_positions_are_versioned_and_a_stale_edit_answers_409_with_the_current_version(api, make, db):
    world = tripartite(make)
    make.move_to(world["employer"], world["round"], "drafting")
    round_id = world["round"].id
    secretariat, worker = api(world["secretariat"]), api(world["worker"])
    path = f"/rounds/{round_id}/positions/privacy"
    first = secretariat.put(path, json={"text": "No tracking outside working time.", "base_version": 0})
    assert first.status_code == 200 and first.get_json()["version"] == 1
    second = secretariat.put(path, json={"text": "No tracking outside working time, ever.", "base_version": 1})
    assert second.get_json()["version"] == 2
    before = snapshot(db)
    stale = assert_error_shape(secretariat.put(path, json={"text": "My edit of version 1", "base_version": 1}), 409)
    assert stale["current"]["version"] == 2
    assert stale["current"]["text"] == "No tracking outside working time, ever."
    assert snapshot(db) == before
    versions = worker.get(f"{path}/versions").get_json()
    assert [(v["version"], v["text"]) for v in versions] == [
        (1, "No tracking outside working time."), (2, "No tracking outside working time, ever.")]
    assert_error_shape(worker.put(path, json={"text": "Mine now", "base_version": 2}), 403)
    assert "position.drafted" in types(worker, round_id)


def test_each_constituency_records_its_stance_with_a_statement(api, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    worker, government, secretariat = api(world["worker"]), api(world["government"]), api(world["secretariat"])
    recorded = worker.put(f"/rounds/{round_id}/stances/privacy", json={
        "stance": "agree_with_reservation", "statement": "Only with a yearly audit by the works council."})
    assert recorded.status_code == 200 and recorded.get_json()["position_version"] == 1
    before = snapshot(db)
    bare = assert_error_shape(government.put(f"/rounds/{round_id}/stances/privacy", json={"stance": "disagree"}), 422)
    assert "statement" in bare["fields"]
    assert_error_shape(secretariat.put(f"/rounds/{round_id}/stances/privacy", json={"stance": "agree"}), 403)
    assert snapshot(db) == before
    privacy = next(p for p in government.get(f"/rounds/{round_id}/positions").get_json() if p["section"] == "privacy")
    assert [(s["constituency"], s["stance"], s["statement"]) for s in privacy["stances"]] == [
        ("workers", "agree_with_reservation", "Only with a yearly audit by the works council.")]


def test_the_outcome_is_frozen_by_digest_and_signed_by_each_named_signatory(api, make, db):
    world = outcome_world(make)
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).get_json()["stage"] == "sign_off"
    frozen = secretariat.post(f"/rounds/{round_id}/outcome/freeze")
    assert frozen.status_code == 201
    outcome = frozen.get_json()
    assert outcome["version"] == 1 and outcome["status"] == "frozen"
    assert outcome["missing"] == ["employers", "government", "workers"]
    assert outcome["document"]["commitments"][0]["kpi"] == "Audits published"
    with db.transaction(write=False) as session:
        from consult.outcomes.models import Outcome

        canonical = session.get(Outcome, 1).canonical if session.get(Outcome, 1) else None
    assert canonical and hashlib.sha256(canonical.encode()).hexdigest() == outcome["digest"]
    assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").get_json()["version"] == 1  # same content

    sign = f"/rounds/{round_id}/outcome/sign"
    clients = {party: api(world[party]) for party in PARTIES}
    before = snapshot(db)
    wrong = assert_error_shape(clients["worker"].post(sign, json={"digest": outcome["digest"],
                                                                  "password": "guess"}), 403)
    assert wrong["code"] == "reauthentication_failed"
    stale = assert_error_shape(clients["worker"].post(sign, json={"digest": "a" * 64, "password": PASSWORD}), 409)
    assert stale["current"]["digest"] == outcome["digest"]
    colleague = make.user(world["worker"].organisation, name="Not The Signatory")
    assert_error_shape(api(colleague).post(sign, json={"digest": outcome["digest"], "password": PASSWORD}), 403)
    assert snapshot(db) == {**before, "api_tokens": before["api_tokens"] + 1, "users": before["users"] + 1}

    refused = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert refused["reasons"] == ["Not yet signed by: employers, government, workers."]
    for party in PARTIES:
        body = {"digest": outcome["digest"], "password": PASSWORD}
        if party == "government":
            body["reservation"] = "Subject to the data-protection authority's review."
        signed = clients[party].post(sign, json=body)
        assert signed.status_code == 201, signed.get_json()
    again = assert_error_shape(clients["worker"].post(sign, json={"digest": outcome["digest"],
                                                                  "password": PASSWORD}), 409)
    assert "already" in again["message"]
    final = clients["worker"].get(f"/rounds/{round_id}/outcome").get_json()
    assert final["status"] == "signed" and final["missing"] == []
    assert {s["constituency"]: s["reservation"] for s in final["signatures"]} == {
        "employers": None, "workers": None, "government": "Subject to the data-protection authority's review."}
    assert types(clients["worker"], round_id)[-2:] == ["outcome.signature_added", "outcome.signed"]
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).get_json()["stage"] == "concluded"


def test_a_change_after_freezing_voids_the_signatures_and_needs_a_new_version(api, make, db):
    world = outcome_world(make)
    round_id = world["round"].id
    secretariat, employer = api(world["secretariat"]), api(world["employer"])
    secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON)
    first = secretariat.post(f"/rounds/{round_id}/outcome/freeze").get_json()
    assert employer.post(f"/rounds/{round_id}/outcome/sign", json={"digest": first["digest"],
                                                                   "password": PASSWORD}).status_code == 201
    changed = secretariat.put(f"/rounds/{round_id}/positions/privacy", json={
        "text": "No tracking outside working time; biometric data excluded.", "base_version": 1})
    assert changed.status_code == 200
    voided = [e for e in employer.get(f"/rounds/{round_id}/events?limit=500").get_json()["items"]
              if e["type"] == "outcome.voided"]
    assert len(voided) == 1 and voided[0]["payload"]["signatures_voided"] == ["employers"]
    assert voided[0]["payload"]["digest"] == first["digest"]
    assert_error_shape(employer.get(f"/rounds/{round_id}/outcome"), 404)
    assert_error_shape(employer.post(f"/rounds/{round_id}/outcome/sign", json={"digest": first["digest"],
                                                                              "password": PASSWORD}), 409)
    second = secretariat.post(f"/rounds/{round_id}/outcome/freeze").get_json()
    assert second["version"] == 2 and second["digest"] != first["digest"] and second["signatures"] == []
    record = api(world["worker"]).get(f"/verify/{first['digest']}").get_json()
    assert record["status"] == "void"


def test_stances_and_signing_are_refused_outside_their_stages(api, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    make.move_to(world["employer"], make.reload(Round, round_id), "concluded")
    worker = api(world["worker"])
    before = snapshot(db)
    late = assert_error_shape(worker.put(f"/rounds/{round_id}/stances/privacy", json={"stance": "agree"}), 409)
    assert late["stage"] == "concluded"
    assert snapshot(db) == before


def test_open_data_exports_follow_the_visibility_and_identity_policy(api, make, client):
    world = tripartite(make, identity_policy="pseudonymous")
    round_id = world["round"].id
    make.comment(world["worker"], world["round"], "Plenary: the audit must be independent.")
    make.comment(world["worker"], world["round"], "Caucus: our red line is no rankings.", channel="caucus")
    make.comment(world["employer"], world["round"], "=HYPERLINK(\"http://evil\")")
    for person in ("employer", "government"):
        rows = api(world[person]).get(f"/rounds/{round_id}/records?what=comments").get_json()["rows"]
        text = repr(rows)
        assert "red line" not in text and "Wanda Worker" not in text
        assert world["worker"].organisation.name not in text
        assert any(r["author"] == "Worker representative 1" for r in rows)
    own = api(world["worker"]).get(f"/rounds/{round_id}/records?what=comments").get_json()["rows"]
    assert any("red line" in r["body"] for r in own)

    log_in(client, world["government"])
    csv_text = client.get(f"/rounds/{round_id}/records.csv?what=comments").get_data(as_text=True)
    assert "audit must be independent" in csv_text and "red line" not in csv_text
    assert "Wanda Worker" not in csv_text and "'=HYPERLINK" in csv_text
    assert client.get(f"/rounds/{round_id}/records.csv?what=secrets").status_code == 422


def test_two_secretariat_members_saving_one_position_at_once_one_gets_409_and_no_text_is_lost(app, api, make):
    import threading

    from tests.factories import ApiClient

    world = tripartite(make)
    make.move_to(world["employer"], world["round"], "drafting")
    round_id = world["round"].id
    colleague = make.user(world["secretariat"].organisation, name="Second Secretary")
    path = f"/rounds/{round_id}/positions/privacy"
    assert api(world["secretariat"]).put(path, json={"text": "First draft.", "base_version": 0}).status_code == 200
    tokens = {"Sasha": make.token(world["secretariat"]), "Second": make.token(colleague)}
    barrier, answers = threading.Barrier(2), {}

    def save(name: str) -> None:
        client = ApiClient(app.test_client(), tokens[name])
        barrier.wait()
        answers[name] = client.put(path, json={"text": f"{name}'s wording.", "base_version": 1})

    threads = [threading.Thread(target=save, args=(name,)) for name in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(a.status_code for a in answers.values()) == [200, 409]
    winner = next(name for name, a in answers.items() if a.status_code == 200)
    loser = answers[next(name for name in answers if name != winner)].get_json()["error"]
    assert loser["current"] == {**loser["current"], "version": 2, "text": f"{winner}'s wording."}
    versions = api(world["worker"]).get(f"{path}/versions").get_json()
    assert [v["text"] for v in versions] == ["First draft.", f"{winner}'s wording."]
