"""eu-ai-act through the API: a rollout before the end of the consultation is refused naming Art. 26(7), and a
round whose rollout comes after it walks to sign-off by the clock alone."""

from __future__ import annotations

from datetime import date, timedelta

from consult.db import utcnow
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from tests.factories import round_payload
from tests.opinions.helpers import REASON, plan, profile_plan, profile_world
from tests.test_bad_input import assert_error_shape, snapshot

#: An EU profile's round states the Member State of its establishment (its law, time and holidays).
EU_AI_ACT = {"workflow": "eu-ai-act", "establishment_country": "DE"}
PLATFORM_WORK = {"workflow": "platform-work", "establishment_country": "DE"}


def test_a_rollout_before_the_end_of_consultation_is_refused_naming_art_26_7_and_nothing_is_stored(api, make, db):
    employer = make.user("employers")
    client = api(employer)
    soon = (date.today() + timedelta(days=20)).isoformat()  # information 14d + consultation 14d end later
    before = snapshot(db)
    response = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=profile_plan(
        "eu-ai-act", rollout_starts_on=soon, rollout_completes_on=None)))
    error = assert_error_shape(response, 422)
    assert "Art. 26(7)" in error["message"] and "plan.rollout_starts_on" in error["fields"]
    longer = client.post("/rounds", json=round_payload(**EU_AI_ACT, stage_lengths={"consultation": "60d"},
                                                       plan=profile_plan("eu-ai-act", rollout_starts_on=(
                                                           date.today() + timedelta(days=40)).isoformat(),
                                                           rollout_completes_on=None)))
    assert "Art. 26(7)" in assert_error_shape(longer, 422)["message"]  # the round's own stage lengths count
    assert snapshot(db) == before
    # Not a high-risk use (scheduling only, not declared): Art. 26(7) does not apply.
    low = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=plan(
        functions=["scheduling"], rollout_starts_on=soon, rollout_completes_on=None)))
    assert low.status_code == 201, low.get_json()


def test_a_rollout_after_the_consultation_walks_to_sign_off_and_a_late_start_is_refused(api, make, db):
    later = (date.today() + timedelta(days=45)).isoformat()
    world = profile_world(make, "eu-ai-act", plan=plan(rollout_starts_on=later, rollout_completes_on=None))
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    process_due(db, utcnow() + timedelta(days=20))  # the draft waits: nothing is planned yet
    started = secretariat.post(f"/rounds/{round_id}/timeline/start", json=REASON)
    assert started.status_code == 200
    process_due(db, utcnow() + timedelta(days=28, seconds=5))
    assert secretariat.get(f"/rounds/{round_id}").get_json()["stage"] == "sign_off"
    assert secretariat.get(f"/rounds/{round_id}/procedure").get_json()["rollout_warning"] is None


def test_starting_so_late_that_the_consultation_ends_after_the_rollout_is_refused(api, make, db):
    soonish = (date.today() + timedelta(days=29)).isoformat()
    world = profile_world(make, "eu-ai-act", plan=plan(rollout_starts_on=soonish, rollout_completes_on=None))
    round_id = world["round"].id
    # Arranged in the database: the plan as it would stand had the draft waited ten days (no service edits a plan).
    with make.db.transaction() as session:
        session.get(Round, round_id).plan.rollout_starts_on = date.today() + timedelta(days=20)
    employer = api(world["employer"])
    before = snapshot(db)
    refused = employer.post(f"/rounds/{round_id}/timeline/start", json=REASON)
    assert "Art. 26(7)" in assert_error_shape(refused, 409)["message"]
    assert snapshot(db) == before
