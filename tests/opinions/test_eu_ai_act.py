"""eu-ai-act through the API: a rollout before the end of the consultation is refused naming Art. 26(7), and a
round whose rollout comes after it walks to sign-off by the clock alone."""

from __future__ import annotations

from datetime import timedelta

from consult.db import utcnow
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from tests.factories import round_payload
from tests.opinions.helpers import REASON, establishment_today, plan, profile_plan, profile_world
from tests.test_bad_input import assert_error_shape, snapshot

#: An EU profile's round states the Member State of its establishment (its law, time and holidays).
EU_AI_ACT = {"workflow": "eu-ai-act", "establishment_country": "DE"}
PLATFORM_WORK = {"workflow": "platform-work", "establishment_country": "DE"}


def test_a_rollout_before_the_end_of_consultation_is_refused_naming_art_26_7_and_nothing_is_stored(api, make, db):
    employer = make.user("employers")
    client = api(employer)
    soon = (establishment_today() + timedelta(days=20)).isoformat()  # information 14d + consultation 14d end later
    before = snapshot(db)
    response = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=profile_plan(
        "eu-ai-act", rollout_starts_on=soon, rollout_completes_on=None)))
    error = assert_error_shape(response, 422)
    assert "Art. 26(7)" in error["message"] and "plan.rollout_starts_on" in error["fields"]
    longer = client.post("/rounds", json=round_payload(**EU_AI_ACT, stage_lengths={"consultation": "60d"},
                                                       plan=profile_plan("eu-ai-act", rollout_starts_on=(
                                                           establishment_today() + timedelta(days=40)).isoformat(),
                                                           rollout_completes_on=None)))
    assert "Art. 26(7)" in assert_error_shape(longer, 422)["message"]  # the round's own stage lengths count
    assert snapshot(db) == before
    # Not a high-risk use (scheduling only, not declared): Art. 26(7) does not apply.
    low = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=plan(
        functions=["scheduling"], rollout_starts_on=soon, rollout_completes_on=None)))
    assert low.status_code == 201, low.get_json()


def test_a_rollout_after_the_consultation_walks_to_sign_off_and_a_late_start_is_refused(api, make, db):
    later = (establishment_today() + timedelta(days=45)).isoformat()
    world = profile_world(make, "eu-ai-act", plan=plan(rollout_starts_on=later, rollout_completes_on=None))
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    process_due(db, utcnow() + timedelta(days=20))  # the draft waits: nothing is planned yet
    started = secretariat.post(f"/rounds/{round_id}/timeline/start", json=REASON)
    assert started.status_code == 200
    _inform(api, world, [{"name": "Ada Picker"}])  # Art. 26(7): the affected workers too, before service
    process_due(db, utcnow() + timedelta(days=28, seconds=5))
    assert secretariat.get(f"/rounds/{round_id}").get_json()["stage"] == "sign_off"
    assert secretariat.get(f"/rounds/{round_id}/procedure").get_json()["rollout_warning"] is None


def test_starting_so_late_that_the_consultation_ends_after_the_rollout_is_refused(api, make, db):
    soonish = (establishment_today() + timedelta(days=29)).isoformat()
    world = profile_world(make, "eu-ai-act", plan=plan(rollout_starts_on=soonish, rollout_completes_on=None))
    round_id = world["round"].id
    # Arranged in the database: the plan as it would stand had the draft waited ten days (no service edits a plan).
    with make.db.transaction() as session:
        session.get(Round, round_id).plan.rollout_starts_on = establishment_today() + timedelta(days=20)
    employer = api(world["employer"])
    before = snapshot(db)
    refused = employer.post(f"/rounds/{round_id}/timeline/start", json=REASON)
    assert "Art. 26(7)" in assert_error_shape(refused, 409)["message"]
    assert snapshot(db) == before


def _inform(api, world, workers: list[dict]) -> None:
    round_id, employer = world["round"].id, api(world["employer"])
    assert employer.post(f"/rounds/{round_id}/affected-workers", json={"workers": workers}).status_code == 201
    assert employer.post(f"/rounds/{round_id}/affected-workers/inform").status_code == 200


def test_the_consultation_does_not_end_before_every_affected_worker_is_informed_naming_art_26_7(api, make, db):
    # Art. 26(7): "Before putting into service or using a high-risk AI system at the workplace, deployers who are
    # employers shall inform workers' representatives and the affected workers". The profile puts the system into
    # service only after the consultation ([rollout] after_stage), so the consultation may not end (by the clock or
    # by hand), nor the round conclude, while a listed worker is uninformed or none is listed.
    later = (establishment_today() + timedelta(days=45)).isoformat()
    world = profile_world(make, "eu-ai-act", plan=plan(rollout_starts_on=later, rollout_completes_on=None))
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    assert secretariat.post(f"/rounds/{round_id}/timeline/start", json=REASON).status_code == 200
    # information 14 days + consultation 14 days: 28 days after the start the consultation's deadline has passed
    process_due(db, utcnow() + timedelta(days=28, seconds=5))
    shown = secretariat.get(f"/rounds/{round_id}").get_json()
    assert (shown["stage"], shown["status"]) == ("consultation", "blocked")
    before = snapshot(db)
    refused = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert "Art. 26(7)" in refused["message"] and "No affected worker is listed" in refused["message"]
    assert snapshot(db) == before
    _inform(api, world, [{"name": "Ada Picker"}])
    employer = api(world["employer"])
    assert employer.post(f"/rounds/{round_id}/affected-workers",
                         json={"workers": [{"name": "Bo Driver"}]}).status_code == 201
    refused = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert "Art. 26(7)" in refused["message"] and "1 of the 2 listed affected workers" in refused["message"]
    assert employer.post(f"/rounds/{round_id}/affected-workers/inform").status_code == 200
    advanced = secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON)
    assert advanced.status_code == 200, advanced.get_json()
    assert secretariat.get(f"/rounds/{round_id}").get_json()["stage"] == "sign_off"


def test_a_plan_that_is_not_high_risk_is_not_held_for_individual_information(api, make, db):
    # Art. 26(7) is a duty of deployers of high-risk systems (Annex III point 4); scheduling alone is not one.
    later = (establishment_today() + timedelta(days=45)).isoformat()
    world = profile_world(make, "eu-ai-act", plan=plan(functions=["scheduling"], rollout_starts_on=later,
                                                       rollout_completes_on=None))
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    assert secretariat.post(f"/rounds/{round_id}/timeline/start", json=REASON).status_code == 200
    process_due(db, utcnow() + timedelta(days=28, seconds=5))
    assert secretariat.get(f"/rounds/{round_id}").get_json()["stage"] == "sign_off"
