"""fr-cse walked through the API with the scheduler's clock moved: the package's release starts the CSE's month,
an expert makes it two, no opinion is given, and at expiry the opinion deemed negative (L2312-16) is in the
record and in the outcome."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from consult.scheduler.jobs import process_due
from tests.opinions.helpers import (
    REASON,
    appoint_expert,
    at,
    end_of_day_months_later,
    event_types,
    expert_body,
    plan,
    profile_world,
    start_with_package,
)
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
    one_month = end_of_day_months_later(released_at, 1)  # R2312-6 I; CPC 641, 642: 24:00 Paris of the last day
    clock = employer.get(f"/rounds/{round_id}/procedure").get_json()["clock"]
    assert at(clock["deadline_at"]) == one_month and "R2312-6" in clock["basis"]

    appoint_expert(api, world)
    two_months = end_of_day_months_later(released_at, 2)  # R2312-6 I al. 2
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


def test_one_cse_with_a_second_expert_stays_at_two_months_and_a_given_opinion_is_not_deemed(api, make, db):
    # R2312-6 I: 2 months "en cas d'intervention d'un expert"; 3 months only for expertise in a consultation held
    # at both the central CSE and establishment CSEs (al. 3). One CSE with two experts: still 2 months.
    world = profile_world(make, "fr-cse", plan=plan(rollout_starts_on="2027-09-01", rollout_completes_on="2027-12-31"))
    round_id = world["round"].id
    secretariat, worker = api(world["secretariat"]), api(world["worker"])
    released_at = start_with_package(api, world)
    appoint_expert(api, world)
    appoint_expert(api, world, make.user("observers", name="Xavier Expert"))
    two_months = end_of_day_months_later(released_at, 2)
    clock = worker.get(f"/rounds/{round_id}/procedure").get_json()["clock"]
    assert at(clock["deadline_at"]) == two_months and "R2312-6 I al. 2" in clock["basis"]
    three_months = two_months + timedelta(days=28)  # anything up to a third month later is wrong
    assert at(clock["deadline_at"]) < three_months
    given = worker.post(f"/rounds/{round_id}/opinions", json={"verdict": "disagree", "reasons": "Monitoring is "
                                                              "disproportionate."})
    assert given.status_code == 201, given.get_json()
    process_due(db, two_months + timedelta(seconds=1))
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


def test_a_rollout_before_the_consultations_end_is_warned_of_on_the_page_in_its_language(app, api, make, db):
    """L2312-14, R2312-6: the decision follows the CSE's opinion or its deemed date; a plan whose rollout now falls
    before the planned end (arranged in the database: no service moves a plan's dates back) is warned of, in the
    page's language, with the end said as the clock says it (24:00 Paris time, CPC art. 641)."""
    from consult.rounds.models import Round
    from consult.timeline.models import PlannedStage
    from tests.i18n.helpers import speak
    from tests.pages.forms import browser

    world = profile_world(make, "fr-cse")
    start_with_package(api, world)
    round_id = world["round"].id
    with db.transaction() as session:
        round = session.get(Round, round_id)
        end = session.query(PlannedStage).filter_by(round_id=round_id, key="consultation").one().deadline_at
        last_day = end.astimezone(ZoneInfo("Europe/Paris")).date()
        round.plan.rollout_starts_on = last_day  # on the last day: before its end, at 24:00
    warning = api(world["worker"]).get(f"/rounds/{round_id}/procedure").get_json()["rollout_warning"]
    assert "comes before the end of the consultation" in warning and "L2312-14" in warning
    speak(db, world["worker"], "fr")
    page = browser(app, world["worker"]).get(f"/rounds/{round_id}/procedure").get_data(as_text=True)
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
    assert f"{last_day.day} {months[last_day.month - 1]} {last_day.year}, à la fin de la journée (24 h), heure de " \
           "Paris" in page
    assert "Le déploiement prévu le" in page and "comes before" not in page
