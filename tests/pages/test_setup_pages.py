"""The open-round form and a round's people page: each form's happy path, bad input and refused people."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.rounds.models import Participant, Round, Signatory
from tests.factories import PLAN, log_in, tripartite
from tests.pages.forms import browser, post
from tests.test_bad_input import snapshot


def plan_form(**overrides) -> dict:
    """The open-round form as a browser posts it: flat, dotted names, functions as a list."""
    form = {"title": "Consultation on PickPace", "workflow": "standard", "identity_policy": "pseudonymous",
            "language": "fr", "time_zone": "Europe/Paris", "is_public": "true",
            "required_constituencies": ["workers", "employers", "government"]}
    for key, value in PLAN.items():
        if key == "impact_statements":
            form.update({f"plan.impact_statements.{area}": text for area, text in value.items()})
        else:
            form[f"plan.{key}"] = str(value) if not isinstance(value, list) else value
    form["plan.system_name"] = "PickPace"
    form["stage_lengths.consultation"] = "21d"
    form.update(overrides)
    return form


@pytest.fixture
def world(make):
    return tripartite(make, stage="draft")


def test_employer_opens_a_round_with_the_whole_plan(client, make, db, world):
    log_in(client, world["employer"])
    page = client.get("/rounds/new")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for name in ("plan.system_name", "plan.functions", "plan.impact_statements.privacy", "plan.data_retention",
                 "identity_policy", "plan.declares_high_risk", "plan.rollout_completes_on", "stage_lengths.caucus"):
        assert f'name="{name}"' in text
    assert "Annex III" in text
    response = post(client, "/rounds/new", plan_form(), follow_redirects=True)
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert "People of Consultation on PickPace" in shown
    assert "The round is open" in shown
    with db.transaction(write=False) as session:
        round = session.scalar(select(Round).where(Round.title == "Consultation on PickPace"))
        assert round.plan.system_name == "PickPace"
        assert round.plan.functions == ["scheduling", "monitoring"]
        assert round.plan.is_high_risk  # monitoring is an Annex III employment use
        assert round.plan.workers_affected == 420
        assert round.identity_policy.value == "pseudonymous" and round.time_zone == "Europe/Paris"
        assert round.is_public and round.language == "fr"
        assert round.stage_lengths == {"consultation": 21 * 86400}
        assert round.employer_id == world["employer"].organisation_id
        assert {s.key: s.impact_statement for s in round.sections}["privacy"] == PLAN["impact_statements"]["privacy"]


def test_scheduling_only_plan_is_flagged_when_the_employer_says_so(client, db, world):
    log_in(client, world["employer"])
    response = post(client, "/rounds/new", plan_form(**{"plan.functions": ["scheduling"],
                                                       "plan.declares_high_risk": "true"}))
    assert response.status_code == 303
    with db.transaction(write=False) as session:
        round = session.scalar(select(Round).where(Round.title == "Consultation on PickPace"))
        assert round.plan.functions == ["scheduling"] and round.plan.is_high_risk


def test_secretariat_opens_a_round_for_the_employer_it_picks(client, db, world):
    log_in(client, world["secretariat"])
    page = client.get("/rounds/new").get_data(as_text=True)
    assert world["employer"].organisation.name in page
    employer_id = world["employer"].organisation_id
    response = post(client, "/rounds/new", plan_form(employer_organisation_id=str(employer_id)))
    assert response.status_code == 303
    with db.transaction(write=False) as session:
        round = session.scalar(select(Round).where(Round.title == "Consultation on PickPace"))
        assert round.employer_id == employer_id
        assert response.headers["Location"].endswith(f"/rounds/{round.id}/people")


def test_secretariat_must_pick_an_employer(client, db, world):
    log_in(client, world["secretariat"])
    before = snapshot(db)
    response = post(client, "/rounds/new", plan_form())
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="employer_organisation_id-error"' in text
    assert snapshot(db) == before


def test_bad_plan_comes_back_with_every_value_kept_and_each_problem_beside_its_field(client, db, world):
    log_in(client, world["employer"])
    before = snapshot(db)
    form = plan_form(**{"plan.workers_affected": "many", "plan.impact_statements.privacy": "",
                        "plan.functions": [], "plan.country": "France"})
    response = post(client, "/rounds/new", form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert snapshot(db) == before
    assert 'role="alert"' in text
    for name in ("plan-workers_affected", "plan-functions", "plan-country", "plan-impact_statements"):
        assert f'id="{name}-error"' in text, name
    assert "missing: privacy" in text
    assert "Not a valid integer." in text
    # What was typed stays.
    assert 'value="PickPace"' in text and 'value="France"' in text and 'value="many"' in text
    assert PLAN["impact_statements"]["social_dialogue"] in text
    assert 'value="pseudonymous" checked' in text
    assert '<option value="fr" selected>' in text


def test_empty_form_names_each_missing_field(client, db, world):
    log_in(client, world["employer"])
    before = snapshot(db)
    response = post(client, "/rounds/new", {})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for name in ("title", "plan-system_name", "plan-rollout_starts_on", "required_constituencies"):
        assert f'id="{name}-error"' in text, name
    assert snapshot(db) == before


@pytest.mark.parametrize("who", ["worker", "government"])
def test_others_may_not_open_a_round(client, db, world, who):
    log_in(client, world[who])
    assert client.get("/rounds/new").status_code == 403
    before = snapshot(db)
    assert post(client, "/rounds/new", plan_form()).status_code == 403
    assert snapshot(db) == before


def test_open_round_link_shows_for_employers_and_secretariat_only(app, world):
    for who, shown in (("employer", True), ("secretariat", True), ("worker", False), ("government", False)):
        assert ('href="/rounds/new"' in browser(app, world[who]).get("/").get_data(as_text=True)) == shown, who


# The people page ----------------------------------------------------------------------------------------------


def test_people_page_lists_organisations_by_constituency_for_every_participant(app, make, world):
    round = world["round"]
    make.organisation("observers", name="Research Institute")
    for who in ("worker", "government", "employer", "secretariat"):
        page = browser(app, world[who]).get(f"/rounds/{round.id}/people")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert world["worker"].organisation.name in text and world["government"].organisation.name in text
        assert "<h3>Workers</h3>" in text and "<h3>Government</h3>" in text
        manages = who in ("employer", "secretariat")
        assert (f'action="/rounds/{round.id}/people/invite"' in text) == manages
        assert ("Research Institute" in text) == manages
        assert ("Remove from the round" in text) == (who == "secretariat")  # the secretariat alone removes
        assert 'id="rule-remove"' in text  # the governance table, for everyone
    outsider = browser(app, make.user("workers"))
    assert outsider.get(f"/rounds/{round.id}/people").status_code == 404


def test_employer_invites_an_organisation(client, make, db, world):
    round = world["round"]
    union = make.organisation("workers", name="Second Union")
    log_in(client, world["employer"])
    assert "Second Union" in client.get(f"/rounds/{round.id}/people").get_data(as_text=True)
    response = post(client, f"/rounds/{round.id}/people/invite", {"organisation_id": str(union.id)},
                    follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "The organisation is invited." in text
    assert '<span class="org">Second Union</span>' in text
    with db.transaction(write=False) as session:
        assert session.scalar(select(Participant).where(Participant.round_id == round.id,
                                                        Participant.organisation_id == union.id)) is not None


def test_invite_with_bad_input_changes_nothing(client, db, world):
    round = world["round"]
    log_in(client, world["employer"])
    before = snapshot(db)
    response = post(client, f"/rounds/{round.id}/people/invite", {"organisation_id": "abc"})
    assert response.status_code == 422
    assert "Not a valid integer." in response.get_data(as_text=True)
    response = post(client, f"/rounds/{round.id}/people/invite", {"organisation_id": "999999"})
    assert response.status_code == 422
    assert "No such organisation." in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_a_worker_may_not_invite_or_remove(client, make, db, world):
    round = world["round"]
    union = make.organisation("workers")
    log_in(client, world["worker"])
    before = snapshot(db)
    assert post(client, f"/rounds/{round.id}/people/invite", {"organisation_id": str(union.id)}).status_code == 403
    gov = world["government"].organisation_id
    assert post(client, f"/rounds/{round.id}/people/{gov}/remove", {"reason": "No."}).status_code == 403
    assert snapshot(db) == before


def test_secretariat_removes_an_organisation_with_a_reason(app, client, make, db, world):
    round = world["round"]
    gov = world["government"].organisation
    log_in(client, world["secretariat"])
    inspectorate = make.organisation("government", name="Labour Inspectorate")
    post(client, f"/rounds/{round.id}/people/invite", {"organisation_id": str(inspectorate.id)})  # not the last
    before = snapshot(db)
    response = post(client, f"/rounds/{round.id}/people/{gov.id}/remove", {"reason": "  "})
    assert response.status_code == 422
    assert f'id="problem-remove-{gov.id}"' in response.get_data(as_text=True)
    assert snapshot(db) == before
    response = post(client, f"/rounds/{round.id}/people/{gov.id}/remove", {"reason": "The ministry withdrew."},
                    follow_redirects=True)
    assert response.status_code == 200
    assert f'<span class="org">{gov.name}</span>' not in response.get_data(as_text=True)
    assert browser(app, world["government"]).get(f"/rounds/{round.id}/people").status_code == 404


def test_constituency_names_its_own_signatory_and_the_secretariat_any(app, client, make, db, world):
    round = world["round"]
    colleague = make.user(world["worker"].organisation, name="Carla Colleague")
    log_in(client, world["worker"])
    text = client.get(f"/rounds/{round.id}/people").get_data(as_text=True)
    assert f'action="/rounds/{round.id}/people/signatories/workers"' in text
    assert f'action="/rounds/{round.id}/people/signatories/employers"' not in text
    response = post(client, f"/rounds/{round.id}/people/signatories/workers", {"user_id": str(colleague.id)},
                    follow_redirects=True)
    assert response.status_code == 200
    union = world["worker"].organisation.name
    assert f"Carla Colleague, {union}, signs for this constituency." in response.get_data(as_text=True)
    response = post(browser(app, world["secretariat"]), f"/rounds/{round.id}/people/signatories/government",
                    {"user_id": str(world["government"].id)}, follow_redirects=True)
    assert response.status_code == 200
    with db.transaction(write=False) as session:
        named = {s.constituency.value: s.user_id for s in session.scalars(
            select(Signatory).where(Signatory.round_id == round.id))}
    assert named == {"workers": colleague.id, "government": world["government"].id}


def test_signatory_refusals_change_nothing(client, db, world):
    round = world["round"]
    log_in(client, world["worker"])
    before = snapshot(db)
    # Someone of another constituency cannot sign for workers: 422 next to the form.
    response = post(client, f"/rounds/{round.id}/people/signatories/workers", {"user_id": str(world["employer"].id)})
    assert response.status_code == 422
    assert 'id="problem-signatory-workers"' in response.get_data(as_text=True)
    # Workers do not name the employers' signatory.
    response = post(client, f"/rounds/{round.id}/people/signatories/employers",
                    {"user_id": str(world["employer"].id)})
    assert response.status_code == 403
    assert snapshot(db) == before


def test_only_the_secretariat_is_offered_a_weaker_identity_policy_when_opening_a_round(app, db, world):
    employer = browser(app, world["employer"]).get("/rounds/new").get_data(as_text=True)
    secretariat = browser(app, world["secretariat"]).get("/rounds/new").get_data(as_text=True)
    assert 'value="pseudonymous" checked' in employer and 'value="named"' not in employer
    assert 'value="named"' in secretariat and 'value="pseudonymous" checked' in secretariat
    before = snapshot(db)
    refused = post(browser(app, world["employer"]), "/rounds/new", plan_form(identity_policy="named"))
    assert refused.status_code == 403
    assert snapshot(db) == before
