"""The governance scenarios of issue 12, each refused with a clear 403 or 409 and nothing changed, and the rules
that guard them: the secretariat is never locked out, signatories are fixed once they sign, a concluded round is
read-only but for the follow-up, and the identity policy only ever becomes stronger once anyone has written."""

from __future__ import annotations

from sqlalchemy import select

from consult.outcomes.models import Commitment, Outcome
from tests.factories import PASSWORD, round_payload, tripartite
from tests.outcomes.helpers import PARTIES, outcome_world
from tests.registry.test_registry import REASON, conclude
from tests.rounds.governance_world import last_event, state
from tests.routes import fill, valid_bodies, write_routes
from tests.test_bad_input import assert_error_shape

REMOVAL = {"reason": "We do not want them here."}


def test_the_employer_cannot_remove_anyone_and_the_secretariat_keeps_its_round(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    employer, secretariat = api(world["employer"]), api(world["secretariat"])
    before = state(db, round_id)
    for party in ("worker", "government", "secretariat"):
        organisation_id = world[party].organisation_id
        response = employer.post(f"/rounds/{round_id}/participants/{organisation_id}/remove", json=REMOVAL)
        assert "Only the secretariat" in assert_error_shape(response, 403)["message"]
    assert state(db, round_id) == before  # nobody removed, no event
    assert secretariat.get(f"/rounds/{round_id}").status_code == 200
    taking_part = {p["organisation"]["id"] for p in secretariat.get(f"/rounds/{round_id}/participants").get_json()}
    assert {world[p].organisation_id for p in ("worker", "government", "secretariat", "employer")} <= taking_part
    # Nor can the secretariat push out the last union, the last ministry, the employer or itself.
    for party in ("worker", "government", "employer", "secretariat"):
        response = secretariat.post(f"/rounds/{round_id}/participants/{world[party].organisation_id}/remove",
                                    json={"reason": "Testing the limits."})
        assert_error_shape(response, 409)
    assert state(db, round_id) == before


def test_a_second_secretariat_may_go_but_the_last_one_never(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    second = make.user("secretariat", name="Second Secretariat")
    secretariat = api(world["secretariat"])
    assert secretariat.post(f"/rounds/{round_id}/participants",
                            json={"organisation_id": second.organisation_id}).status_code == 201
    assert api(second).post(f"/rounds/{round_id}/participants/{world['secretariat'].organisation_id}/remove",
                            json={"reason": "Handed over to the regional office."}).status_code == 200
    before = state(db, round_id)
    response = api(second).post(f"/rounds/{round_id}/participants/{second.organisation_id}/remove",
                                json={"reason": "Leaving."})
    assert "never be locked out" in assert_error_shape(response, 409)["message"]
    assert state(db, round_id) == before
    assert api(second).get(f"/rounds/{round_id}").status_code == 200


def test_a_removed_union_is_invited_again_by_the_secretariat_only(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    union = make.user("workers", name="Second Union member")
    secretariat, employer = api(world["secretariat"]), api(world["employer"])
    assert employer.post(f"/rounds/{round_id}/participants", json={"organisation_id": union.organisation_id}
                         ).status_code == 201
    assert secretariat.post(f"/rounds/{round_id}/participants/{union.organisation_id}/remove",
                            json={"reason": "Not recognised in this workplace."}).status_code == 200
    before = state(db, round_id)
    response = employer.post(f"/rounds/{round_id}/participants", json={"organisation_id": union.organisation_id})
    assert_error_shape(response, 403)
    assert state(db, round_id) == before
    assert secretariat.post(f"/rounds/{round_id}/participants", json={"organisation_id": union.organisation_id}
                            ).status_code == 201
    assert api(union).get(f"/rounds/{round_id}").status_code == 200


def _frozen(api, world) -> str:
    round_id = world["round"].id
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200
    return api(world["secretariat"]).post(f"/rounds/{round_id}/outcome/freeze").get_json()["digest"]


def test_a_signatory_cannot_be_replaced_after_signing(api, make, db):
    world = outcome_world(make)
    round_id = world["round"].id
    colleague = make.user(world["worker"].organisation, name="Carla Colleague")
    digest = _frozen(api, world)
    api(colleague), api(world["secretariat"])  # their tokens exist before the rows are counted
    assert api(world["worker"]).post(f"/rounds/{round_id}/outcome/sign",
                                     json={"digest": digest, "password": PASSWORD}).status_code == 201
    before = state(db, round_id)
    body = {"user_id": colleague.id, "reason": "Our executive changed its mind."}
    for who in ("worker", "secretariat"):
        response = api(world[who] if who != "worker" else colleague).put(
            f"/rounds/{round_id}/signatories/workers", json=body)
        assert "signed the current version" in assert_error_shape(response, 409)["message"], who
    assert state(db, round_id) == before
    # The employers have not signed yet: their signatory may still change, saying why; the frozen version,
    # which names the signatories, is void and is frozen again.
    federation = make.user(world["employer"].organisation, name="Elena Employer")
    response = api(world["employer"]).put(f"/rounds/{round_id}/signatories/employers",
                                          json={"user_id": federation.id, "reason": "Erin is on leave."})
    assert response.status_code == 200 and response.get_json()["name"] == "Elena Employer"
    event = last_event(db, round_id)
    assert event.type == "signatory.named" and event.payload["reason"] == "Erin is on leave."
    assert event.payload["replaces_user_id"] == world["employer"].id
    with db.transaction(write=False) as session:
        assert set(session.scalars(select(Outcome.status).where(Outcome.round_id == round_id))) == {"void"}


def test_a_replacement_without_a_reason_is_refused(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    colleague = make.user(world["worker"].organisation)
    make.signatory(world["secretariat"], world["round"], "workers", world["worker"])
    worker = api(world["worker"])
    before = state(db, round_id)
    response = worker.put(f"/rounds/{round_id}/signatories/workers", json={"user_id": colleague.id})
    assert "reason" in assert_error_shape(response, 422)["fields"]
    assert state(db, round_id) == before


def test_no_signatory_is_renamed_after_conclusion(api, make, db):
    world = outcome_world(make)
    round_id = world["round"].id
    conclude(api, world)
    colleague = make.user(world["worker"].organisation, name="Carla Colleague")
    api(world["secretariat"]), api(world["worker"])  # their tokens exist before the rows are counted
    before = state(db, round_id)
    for who, person in (("secretariat", world["secretariat"]), ("worker", world["worker"])):
        response = api(person).put(f"/rounds/{round_id}/signatories/workers",
                                   json={"user_id": colleague.id, "reason": "Correcting the record."})
        assert assert_error_shape(response, 409)["message"].startswith("The round is concluded"), who
    assert state(db, round_id) == before
    named = {s["constituency"]: s["user_id"] for s in api(world["worker"]).get(
        f"/rounds/{round_id}/signatories").get_json()}
    assert named["workers"] == world["worker"].id  # the published round names the person who signed


def test_after_conclusion_every_write_but_the_follow_up_is_refused_and_changes_nothing(api, make, db):
    world = outcome_world(make)
    round_id = world["round"].id
    comment = make.comment(world["worker"], world["round"], "Said before the end.")
    conclude(api, world)
    with db.transaction(write=False) as session:
        commitment_id = session.scalar(select(Commitment.id).where(Commitment.round_id == round_id))
    extra = make.organisation("observers")
    bodies = valid_bodies(world, extra.id)
    ids = {"round_id": round_id, "comment_id": comment.public_id, "commitment_id": commitment_id,
           "organisation_id": world["government"].organisation_id}
    still_open = {"post_update", "follow_up", "request_export", "record_expert_cost"}  # invoices come late
    for party in ("secretariat", *PARTIES):
        api(world[party])  # their tokens exist before the rows are counted
    for route in write_routes():
        if "<int:round_id>" not in route.rule or route.endpoint in still_open:
            continue
        for party in ("secretariat", *PARTIES):
            client = api(world[party])
            before = state(db, round_id)
            response = client.client.open("/api/v1" + fill(route.rule, ids), method=route.method,
                                          headers=client.headers, json=bodies[route.endpoint])
            assert response.status_code in (403, 404, 409, 422), (route.endpoint, party, response.status_code)
            assert state(db, round_id) == before, (route.endpoint, party)
    update = {"value": "1 audit", "note": "Published.", "evidence": []}
    response = api(world["employer"]).post(f"/rounds/{round_id}/commitments/{commitment_id}/updates", json=update)
    assert response.status_code == 201, response.get_json()


def test_a_new_round_is_pseudonymous_and_only_the_secretariat_weakens_it_before_anyone_writes(api, make, db):
    world = tripartite(make)
    employer, secretariat, worker = api(world["employer"]), api(world["secretariat"]), api(world["worker"])
    response = employer.post("/rounds", json=round_payload())
    assert response.status_code == 201 and response.get_json()["identity_policy"] == "pseudonymous"
    assert_error_shape(employer.post("/rounds", json=round_payload(identity_policy="named")), 403)
    round_id = world["round"].id
    path = f"/rounds/{round_id}/identity-policy"
    assert_error_shape(employer.put(path, json={"identity_policy": "named", "reason": "Simpler."}), 403)
    assert_error_shape(worker.put(path, json={"identity_policy": "named", "reason": "We want names."}), 403)
    assert secretariat.put(path, json={"identity_policy": "named", "reason": "The union asked for names."}
                           ).get_json()["identity_policy"] == "named"
    make.comment(world["worker"], world["round"], "Under our names.")
    # Written under `named`: stronger is fine, and the workers may ask for it themselves...
    assert worker.put(path, json={"identity_policy": "organisation", "reason": "Members fear reprisals."}
                      ).status_code == 200
    event = last_event(db, round_id)
    assert event.type == "identity_policy.changed" and event.payload == {
        "from": "named", "to": "organisation", "reason": "Members fear reprisals."}
    # ...but never back to a weaker one, not even by the secretariat.
    before = state(db, round_id)
    response = secretariat.put(path, json={"identity_policy": "named", "reason": "Back to names."})
    assert "only become stronger" in assert_error_shape(response, 409)["message"]
    assert state(db, round_id) == before
