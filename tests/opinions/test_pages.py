"""The procedure page and the expert's page without JavaScript, in EN/FR/ES: refused forms keep the text and
change nothing; the forms give an opinion, answer it, decide consent and appoint an expert."""

from __future__ import annotations

import pytest

from tests.i18n.helpers import lang_of, speak
from tests.opinions.helpers import expert_body, plan, profile_world, start_with_package
from tests.pages.forms import browser, followed, send
from tests.test_bad_input import snapshot


def test_the_workers_signatory_gives_an_opinion_and_the_employer_answers_it_through_the_forms(app, api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    start_with_package(api, world)
    page = f"/rounds/{round_id}/procedure"
    worker = browser(app, world["worker"])
    shown = worker.get(page).get_data(as_text=True)
    assert "formal opinion</h3>" in shown, shown[shown.find("<main"):][:3000]
    assert "Legal basis: Code du travail R2312-5, R2312-6 I and L2312-16" in shown
    before = snapshot(db)
    refused = send(worker, f"{page}/opinion", {"section": "overall", "verdict": "disagree", "reasons": " "}, page=page)
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert snapshot(db) == before
    done = followed(worker, send(worker, f"{page}/opinion", {"section": "privacy", "verdict": "disagree",
                                                            "reasons": "Ninety days of scanner data is too long."},
                                 page=page))
    assert "Ninety days of scanner data is too long." in done and "Signed off by Wanda Worker" in done
    employer = browser(app, world["employer"])
    opinion_id = api(world["employer"]).get(f"/rounds/{round_id}/procedure").get_json()["opinions"][0]["id"]
    answered = followed(employer, send(employer, f"{page}/response/{opinion_id}",
                                       {"reasons": "Retention goes down to thirty days."}, page=page))
    assert "Retention goes down to thirty days." in answered
    # the workers appoint their expert through the form
    appointed = followed(worker, send(worker, f"{page}/expert", {**expert_body(world)}, page=page))
    assert "Cabinet Syndex" in appointed and "Member in charge: Wim Worker" in appointed


def test_consent_is_decided_through_the_form_and_a_refusal_without_reasons_is_refused(app, api, make, db):
    world = profile_world(make, "de-betrvg", plan=plan(functions=["scheduling", "monitoring"]), stage="consultation")
    page = f"/rounds/{world['round'].id}/procedure"
    worker = browser(app, world["worker"])
    before = snapshot(db)
    refused = send(worker, f"{page}/consent", {"function": "monitoring", "decision": "refused"}, page=page)
    assert refused.status_code == 422 and "Say why consent is refused" in refused.get_data(as_text=True)
    assert snapshot(db) == before
    done = followed(worker, send(worker, f"{page}/consent", {"function": "monitoring", "decision": "refused",
                                                            "reasons": "No individual scores."}, page=page))
    assert "Consent refused: No individual scores." in done and "Einigungsstelle" in done


@pytest.mark.parametrize("language, heading, expert_heading", [
    ("fr", "Avis formels et réponses motivées", "La désignation"),
    ("es", "Dictámenes formales y respuestas motivadas", "La designación")])
def test_the_pages_speak_french_and_spanish(app, api, make, db, language, heading, expert_heading):
    world = profile_world(make, "fr-cse", stage="consultation")
    round_id = world["round"].id
    api(world["worker"]).post(f"/rounds/{round_id}/experts", json=expert_body(world))
    speak(db, world["worker"], language)
    speak(db, world["expert"], language)
    page = browser(app, world["worker"]).get(f"/rounds/{round_id}/procedure").get_data(as_text=True)
    assert lang_of(page) == language and heading in page
    expert_page = browser(app, world["expert"]).get(f"/rounds/{round_id}/expert")
    assert expert_page.status_code == 200
    assert lang_of(expert_page.get_data(as_text=True)) == language
    assert expert_heading in expert_page.get_data(as_text=True)


def test_the_expert_page_is_404_for_everyone_but_the_expert(app, api, make, db):
    world = profile_world(make, "fr-cse", stage="consultation")
    round_id = world["round"].id
    api(world["worker"]).post(f"/rounds/{round_id}/experts", json=expert_body(world))
    make.comment(world["worker"], world["round"], "Caucus: the CSE votes on Friday.", channel="caucus")
    for person in ("worker", "employer", "secretariat"):
        assert browser(app, world[person]).get(f"/rounds/{round_id}/expert").status_code == 404
    shown = browser(app, world["expert"]).get(f"/rounds/{round_id}/expert").get_data(as_text=True)
    assert "Caucus: the CSE votes on Friday." in shown and "Wanda Worker" not in shown
    assert browser(app, world["expert"]).get(f"/rounds/{round_id}/procedure").status_code == 404


def test_the_secretariat_records_a_ruling_and_the_employer_revises_a_function_through_the_forms(app, api, make, db):
    # BetrVG §87(2): without agreement the conciliation board's ruling replaces it, per function; §87(1) no. 6 is
    # per function, so the employer may withdraw one or change it substantially (a new plan version each).
    from tests.opinions.test_de_betrvg import in_conciliation

    world = in_conciliation(api, make, db)  # scheduling consented, monitoring refused, performance undecided
    round_id = world["round"].id
    page = f"/rounds/{round_id}/procedure"
    secretariat, employer, worker = (browser(app, world[p]) for p in ("secretariat", "employer", "worker"))
    # The forms are offered to whom the governance table lets act: the ruling to the secretariat, revisions to the
    # employer, neither to the works council.
    assert 'id="record-ruling"' in secretariat.get(page).get_data(as_text=True)
    assert 'id="revise-function"' not in secretariat.get(page).get_data(as_text=True)
    assert 'id="revise-function"' in employer.get(page).get_data(as_text=True)
    assert 'id="record-ruling"' not in employer.get(page).get_data(as_text=True)
    shown = worker.get(page).get_data(as_text=True)
    assert 'id="record-ruling"' not in shown and 'id="revise-function"' not in shown
    ruling = {"function": "monitoring", "ruling": "permits_with_conditions", "reference": "Einigungsstelle ES 3/2027",
              "terms": "Pick rates only per team, never per person.", "ruled_on": "2027-02-15"}
    before = snapshot(db)
    refused = send(secretariat, f"{page}/ruling", {**ruling, "reference": " "}, page=page)
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    assert "Pick rates only per team, never per person." in refused.get_data(as_text=True)  # the text is kept
    assert send(secretariat, f"{page}/ruling", {**ruling, "ruled_on": "15 Feb"}, page=page).status_code == 422
    assert send(worker, f"{page}/ruling", ruling, page=page).status_code == 403
    assert snapshot(db) == before
    done = followed(secretariat, send(secretariat, f"{page}/ruling", ruling, page=page))
    assert "Einigungsstelle ES 3/2027" in done and "Pick rates only per team, never per person." in done
    revision = {"function": "performance_evaluation", "kind": "withdrawn",
                "description": "Performance evaluation is taken out of the system."}
    before = snapshot(db)
    refused = send(employer, f"{page}/revision", {**revision, "description": ""}, page=page)
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    assert send(employer, f"{page}/revision", {**revision, "kind": "deleted"}, page=page).status_code == 422
    assert send(secretariat, f"{page}/revision", revision, page=page).status_code == 403
    assert snapshot(db) == before
    done = followed(employer, send(employer, f"{page}/revision", revision, page=page))
    assert "Performance evaluation is taken out of the system." in done
    plan = api(world["employer"]).get(f"/rounds/{round_id}").get_json()["plan"]
    assert plan["functions"] == ["scheduling", "monitoring"]
    changed = followed(employer, send(employer, f"{page}/revision", {
        "function": "monitoring", "kind": "changed", "description": "Per-person pick rates are added."}, page=page))
    assert "Per-person pick rates are added." in changed
    revisions = api(world["employer"]).get(f"/rounds/{round_id}/procedure").get_json()["plan_revisions"]
    assert [(r["version"], r["kind"], r["function"]) for r in revisions] == [
        (2, "withdrawn", "performance_evaluation"), (3, "changed", "monitoring")]
