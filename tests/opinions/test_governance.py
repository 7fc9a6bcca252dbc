"""The governance table's rules for opinions, responses, consent and experts, tried role by role and by phase,
and the opinion's own bad input: each refusal has the documented shape and changes nothing."""

from __future__ import annotations

from consult.rounds.governance import RULES, Role
from tests.opinions.helpers import expert_body, plan, profile_world
from tests.test_bad_input import assert_error_shape, snapshot

OPINION = {"verdict": "agree_with_reservations", "reasons": "Only with an annual audit."}


def test_only_each_partys_signatory_gives_its_opinion_and_only_the_employer_answers(api, make, db):
    world = profile_world(make, "fr-cse", stage="consultation")
    round_id = world["round"].id
    observer = make.user("observers")
    from consult.accounts.models import User
    from consult.rounds.services import invite_organisation

    with make.db.transaction() as session:
        invite_organisation(session, session.get(User, world["employer"].id), round_id, observer.organisation_id)
    clients = {name: api(world[name]) for name in ("worker", "second_worker", "employer", "government",
                                                    "secretariat")}
    clients["observer"] = api(observer)
    before = snapshot(db)
    for name, status in (("observer", 403), ("secretariat", 403), ("second_worker", 403), ("government", 409),
                         ("employer", 409)):
        assert_error_shape(clients[name].post(f"/rounds/{round_id}/opinions", json=OPINION), status)
    for body, field in (({**OPINION, "verdict": "deemed_negative"}, "verdict"),
                        ({**OPINION, "reasons": "  "}, "reasons"), ({**OPINION, "section": "nowhere"}, "section"),
                        ({"verdict": "agree"}, "reasons")):
        assert field in assert_error_shape(clients["worker"].post(f"/rounds/{round_id}/opinions", json=body),
                                           422)["fields"], body
    assert snapshot(db) == before
    given = clients["worker"].post(f"/rounds/{round_id}/opinions", json=OPINION)
    assert given.status_code == 201
    twice = clients["worker"].post(f"/rounds/{round_id}/opinions", json=OPINION)
    assert "stands as given" in assert_error_shape(twice, 409)["message"]
    opinion_id = given.get_json()["id"]
    path = f"/rounds/{round_id}/opinions/{opinion_id}/response"
    for name in ("worker", "government", "secretariat", "observer"):
        assert_error_shape(clients[name].post(path, json={"reasons": "No."}), 403)
    assert_error_shape(clients["employer"].post(path, json={"reasons": ""}), 422)
    assert_error_shape(clients["employer"].post(f"/rounds/{round_id}/opinions/999999/response",
                                                json={"reasons": "Yes."}), 404)
    assert clients["employer"].post(path, json={"reasons": "An audit every year."}).status_code == 201
    assert_error_shape(clients["employer"].post(path, json={"reasons": "Again."}), 409)


def test_after_freezing_no_opinion_or_consent_is_given_but_costs_are_recorded_after_conclusion(api, make, db):
    world = profile_world(make, "de-betrvg", plan=plan(functions=["scheduling"]), stage="consultation")
    round_id = world["round"].id
    worker, secretariat = api(world["worker"]), api(world["secretariat"])
    appointed = worker.post(f"/rounds/{round_id}/experts", json=expert_body(world))
    assert appointed.status_code == 201
    expert_id = appointed.get_json()["id"]
    make.move_to(world["secretariat"], world["round"], "sign_off")
    assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").status_code == 201
    frozen = worker.post(f"/rounds/{round_id}/consents", json={"function": "scheduling", "decision": "given"})
    assert assert_error_shape(frozen, 409)["phase"] == "frozen"
    make.move_to(world["secretariat"], world["round"], "concluded")
    cost = {"amount_minor": 250000, "currency": "EUR", "description": "Final report"}
    assert_error_shape(api(world["government"]).post(f"/rounds/{round_id}/experts/{expert_id}/costs", json=cost), 403)
    assert "currency" in assert_error_shape(api(world["employer"]).post(
        f"/rounds/{round_id}/experts/{expert_id}/costs", json={**cost, "currency": "euro"}), 422)["fields"]
    recorded = api(world["employer"]).post(f"/rounds/{round_id}/experts/{expert_id}/costs", json=cost)
    assert recorded.status_code == 201, recorded.get_json()
    [expert] = worker.get(f"/rounds/{round_id}/procedure").get_json()["experts"]
    assert expert["costs"] == [cost]


def test_the_table_says_who_may_and_the_platform_threshold_is_flagged(api, make, db):
    assert RULES["respond_to_opinion"].grant(Role.EMPLOYER) and not RULES["respond_to_opinion"].grant(Role.WORKERS)
    assert RULES["appoint_expert"].grant(Role.EMPLOYER) is None  # the plan's employer appoints no expert
    # Art. 13(2) of Directive (EU) 2024/2831 counts the platform workers in the Member State, not the plan's.
    big = profile_world(make, "platform-work", stage="information", plan=plan(
        workers_affected=10, platform_workers_in_member_state=251))
    small = profile_world(make, "platform-work", stage="information", plan=plan(
        workers_affected=5000, platform_workers_in_member_state=250, decision_categories=[
            {"category": "Task offers", "parameters": "distance", "weight": "100%"}]))
    for world, bears in ((big, True), (small, False)):
        costs = api(world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_json()["expert_costs"]
        assert costs["employer_bears_costs"] is bears and costs["threshold"] == 250
    missing = api(make.user("employers")).post("/rounds", json={"title": "Couriers", "workflow": "platform-work",
                                                                "establishment_country": "NL", "plan": plan()})
    error = assert_error_shape(missing, 422)
    assert {"plan.decision_categories", "plan.data_recipients", "plan.monitored_data", "plan.account_decisions",
            "plan.platform_workers_in_member_state", "plan.impact_assessment"} <= set(error["fields"])
    started = api(big["secretariat"]).get(f"/rounds/{big['round'].id}").get_json()
    assert started["plan"]["decision_categories"][0]["weight"] == "60/40"
