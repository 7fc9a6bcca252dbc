"""de-betrvg walked through the API with the scheduler's clock moved: consent per function (§87(1) no. 6), given
for two and refused for one; the outcome shows which, and the conciliation board (§87(2)) as the next step."""

from __future__ import annotations

from datetime import timedelta

from consult.db import utcnow
from consult.scheduler.jobs import process_due
from tests.opinions.helpers import REASON, plan, profile_world
from tests.test_bad_input import assert_error_shape, snapshot

FUNCTIONS = ["scheduling", "monitoring", "performance_evaluation"]


def test_de_betrvg_consent_given_for_two_functions_and_refused_for_one_is_in_the_outcome(api, make, db):
    world = profile_world(make, "de-betrvg", plan=plan(functions=FUNCTIONS, country="DE"),
                          time_zone="Europe/Berlin")
    round_id = world["round"].id
    secretariat, worker, government = api(world["secretariat"]), api(world["worker"]), api(world["government"])
    assert secretariat.post(f"/rounds/{round_id}/timeline/start", json=REASON).status_code == 200
    early = worker.post(f"/rounds/{round_id}/consents", json={"function": "scheduling", "decision": "given"})
    assert "decisions on consent" in assert_error_shape(early, 409)["message"].lower()  # information stage
    process_due(db, utcnow() + timedelta(days=14, seconds=1))
    assert worker.get(f"/rounds/{round_id}").get_json()["stage"] == "consultation"

    second = api(world["second_worker"])
    before = snapshot(db)
    refused_without_reasons = worker.post(f"/rounds/{round_id}/consents",
                                          json={"function": "performance_evaluation", "decision": "refused"})
    assert "reasons" in assert_error_shape(refused_without_reasons, 422)["fields"]
    not_in_plan = worker.post(f"/rounds/{round_id}/consents", json={"function": "pay", "decision": "given"})
    assert "function" in assert_error_shape(not_in_plan, 422)["fields"]
    unknown = worker.post(f"/rounds/{round_id}/consents", json={"function": "mind_reading", "decision": "given"})
    assert "function" in assert_error_shape(unknown, 422)["fields"]
    by_government = government.post(f"/rounds/{round_id}/consents", json={"function": "scheduling",
                                                                          "decision": "given"})
    assert "workers" in assert_error_shape(by_government, 403)["message"]
    not_signatory = second.post(f"/rounds/{round_id}/consents",
                                                     json={"function": "scheduling", "decision": "given"})
    assert "signatory" in assert_error_shape(not_signatory, 403)["message"]
    assert snapshot(db) == before

    for function in ("scheduling", "monitoring"):
        given = worker.post(f"/rounds/{round_id}/consents", json={"function": function, "decision": "given",
                                                                 "reasons": "Under the works agreement of 2026."})
        assert given.status_code == 201 and given.get_json()["is_agreed"] is True
    refused = worker.post(f"/rounds/{round_id}/consents", json={
        "function": "performance_evaluation", "decision": "refused",
        "reasons": "Individual scores from scanner data are a performance control we do not accept."})
    assert refused.status_code == 201
    assert "Einigungsstelle" in refused.get_json()["next_step"] and "87(2)" in refused.get_json()["next_step"]

    process_due(db, utcnow() + timedelta(days=14 + 21, seconds=2))
    assert worker.get(f"/rounds/{round_id}").get_json()["stage"] == "sign_off"
    assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").status_code == 201
    document = government.get(f"/rounds/{round_id}/outcome").get_json()["document"]
    consents = {row["function"]: row for row in document["consents"]}
    assert [f for f in FUNCTIONS if consents[f]["is_agreed"]] == ["scheduling", "monitoring"]
    assert consents["performance_evaluation"]["decision"] == "refused"
    assert "Einigungsstelle" in consents["performance_evaluation"]["next_step"]
    assert consents["scheduling"]["next_step"] is None and consents["scheduling"]["basis"] == "BetrVG §87(1) no. 6"


def test_a_function_never_decided_stays_not_agreed(api, make, db):
    world = profile_world(make, "de-betrvg", plan=plan(functions=["scheduling", "monitoring"]), stage="consultation")
    round_id = world["round"].id
    api(world["worker"]).post(f"/rounds/{round_id}/consents", json={"function": "scheduling", "decision": "given"})
    consents = {row["function"]: row for row in
                api(world["employer"]).get(f"/rounds/{round_id}/procedure").get_json()["consents"]}
    assert consents["monitoring"]["decision"] == "undecided" and consents["monitoring"]["is_agreed"] is False
    assert "Einigungsstelle" in consents["monitoring"]["next_step"]
