"""fr-cse walked through the API with the scheduler's clock moved: the package's release starts the CSE's month,
an expert makes it two, no opinion is given, and at expiry the opinion deemed negative (L2312-16) is in the
record and in the outcome."""

from __future__ import annotations

from datetime import timedelta

from consult.scheduler.jobs import process_due
from consult.workflow.definitions import Duration
from consult.workflow.timeline import add_duration
from tests.opinions.helpers import REASON, at, event_types, expert_body, profile_world, start_with_package
from tests.package.files import PDF
from tests.package.helpers import attach
from tests.test_bad_input import assert_error_shape, snapshot


def test_fr_cse_clock_runs_from_release_moves_to_two_months_with_an_expert_and_deems_the_opinion_negative(
        api, make, db):
    world = profile_world(make, "fr-cse", time_zone="Europe/Paris")
    round_id = world["round"].id
    secretariat, worker, employer = api(world["secretariat"]), api(world["worker"]), api(world["employer"])
    government = api(world["government"])
    released_at = start_with_package(api, world)
    for party in (worker, government):  # each organisation acknowledges receipt; the times are in the record
        release = party.get(f"/rounds/{round_id}/package").get_json()["awaiting_my_acknowledgement"][0]
        assert party.post(f"/rounds/{round_id}/package/releases/{release}/acknowledgement").status_code == 201
    assert event_types(db, round_id).count("package.acknowledged") == 2
    clock = worker.get(f"/rounds/{round_id}/procedure").get_json()["clock"]
    assert clock["starts_with"] == "package.released"
    one_month = add_duration(released_at, Duration(1, "months"), "Europe/Paris")
    clock = employer.get(f"/rounds/{round_id}/procedure").get_json()["clock"]
    assert at(clock["deadline_at"]) == one_month and "R2312-6" in clock["basis"]

    appointed = worker.post(f"/rounds/{round_id}/experts", json=expert_body(world))
    assert appointed.status_code == 201, appointed.get_json()
    two_months = add_duration(released_at, Duration(2, "months"), "Europe/Paris")
    clock = employer.get(f"/rounds/{round_id}/procedure").get_json()["clock"]
    assert at(clock["deadline_at"]) == two_months
    timeline = {s["key"]: s for s in worker.get(f"/rounds/{round_id}/timeline").get_json()["stages"]}
    assert at(timeline["consultation"]["deadline_at"]) == two_months
    assert at(timeline["response"]["starts_at"]) == two_months  # the stages after it follow the clock
    assert event_types(db, round_id).count("clock.set") == 2

    process_due(db, one_month + timedelta(days=1))  # the first month has passed: the expert's month runs on
    assert worker.get(f"/rounds/{round_id}").get_json()["stage"] == "consultation"
    assert worker.get(f"/rounds/{round_id}/procedure").get_json()["opinions"] == []

    process_due(db, two_months + timedelta(seconds=1))
    assert worker.get(f"/rounds/{round_id}").get_json()["stage"] == "response"
    opinions = worker.get(f"/rounds/{round_id}/procedure").get_json()["opinions"]
    assert [(o["constituency"], o["section"], o["verdict"], o["is_deemed"]) for o in opinions] == [
        ("workers", "overall", "deemed_negative", True)]
    assert "L2312-16" in opinions[0]["basis"] and opinions[0]["signed_by"] is None
    types = event_types(db, round_id)
    assert types.index("opinion.deemed") < len(types) - 1 - types[::-1].index("stage.entered")

    frozen = secretariat.post(f"/rounds/{round_id}/outcome/freeze")
    assert frozen.status_code == 201, frozen.get_json()
    document = secretariat.get(f"/rounds/{round_id}/outcome").get_json()["document"]
    assert document["opinions"][0]["verdict"] == "deemed_negative"
    assert "L2312-16" in document["opinions"][0]["basis"]
    assert document["experts"][0]["firm"] == "Cabinet Syndex"


def test_a_second_expert_makes_three_months_and_a_given_opinion_is_not_deemed(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    secretariat, worker = api(world["secretariat"]), api(world["worker"])
    released_at = start_with_package(api, world)
    worker.post(f"/rounds/{round_id}/experts", json=expert_body(world))
    second = make.user("observers", name="Xavier Expert")
    assert worker.post(f"/rounds/{round_id}/experts", json=expert_body(world, second)).status_code == 201
    three_months = add_duration(released_at, Duration(3, "months"), "UTC")
    assert at(worker.get(f"/rounds/{round_id}/procedure").get_json()["clock"]["deadline_at"]) == three_months
    given = worker.post(f"/rounds/{round_id}/opinions", json={"verdict": "disagree", "reasons": "Monitoring is "
                                                              "disproportionate."})
    assert given.status_code == 201, given.get_json()
    process_due(db, three_months + timedelta(seconds=1))
    opinions = worker.get(f"/rounds/{round_id}/procedure").get_json()["opinions"]
    assert [(o["verdict"], o["is_deemed"], o["signed_by"]) for o in opinions] == [("disagree", False, "Wanda Worker")]
    # the response stage's gate: the employer's reasoned response
    assert worker.get(f"/rounds/{round_id}").get_json()["stage"] == "response"
    blocked = secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON)
    assert "reasoned response" in assert_error_shape(blocked, 409)["message"]
    answer = api(world["employer"]).post(f"/rounds/{round_id}/opinions/{opinions[0]['id']}/response",
                                         json={"reasons": "Pick rates will be shown only in aggregate."})
    assert answer.status_code == 201
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200


def test_appointing_an_expert_refuses_bad_input_and_changes_nothing(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    worker, government = api(world["worker"]), api(world["government"])
    before = snapshot(db)
    bad = [({**expert_body(world), "firm": ""}, 422, "firm"),
           ({**expert_body(world), "expert_user_id": world["government"].id}, 422, "expert_user_id"),
           ({**expert_body(world), "member_in_charge_user_id": world["employer"].id}, 422,
            "member_in_charge_user_id"),
           ({k: v for k, v in expert_body(world).items() if k != "brief"}, 422, "brief")]
    for body, status, field in bad:
        error = assert_error_shape(worker.post(f"/rounds/{round_id}/experts", json=body), status)
        assert field in error["fields"], error
    error = assert_error_shape(government.post(f"/rounds/{round_id}/experts", json=expert_body(world)), 409)
    assert "appointments of experts" in error["message"].lower()
    assert snapshot(db) == before


def test_without_a_package_released_the_clock_has_not_started(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON).status_code == 200
    clock = api(world["worker"]).get(f"/rounds/{round_id}/procedure").get_json()["clock"]
    assert clock["starts_with"] == "package.released" and clock["deadline_at"] is None  # not before delivery
    # a caucus-only document released later is no delivery to the CSE: the clock still waits
    employer = api(world["employer"])
    attached = attach(employer, round_id, "notes.pdf", PDF, title="Employers' notes", caucus="employers")
    assert attached.status_code == 201, attached.get_json()
    assert employer.post(f"/rounds/{round_id}/package/release").status_code == 201
    assert api(world["worker"]).get(f"/rounds/{round_id}/procedure").get_json()["clock"]["deadline_at"] is None
