"""de-betrvg walked through the API with the scheduler's clock moved, on SQLite and PostgreSQL.

The articles (BetrVG, read on betriebsverfassungsgesetz.org and dejure.org):
- §87(1) no. 6: the works council co-determines the "Einführung und Anwendung von technischen Einrichtungen, die
  dazu bestimmt sind, das Verhalten oder die Leistung der Arbeitnehmer zu überwachen"; consent is a precondition
  of the measure's effect (Wirksamkeitsvoraussetzung), so no function is introduced before it.
- §87(2): without agreement the conciliation board (Einigungsstelle, §76) decides, and its ruling replaces the
  agreement of employer and works council (the wording was not found in a primary source: uncertain).
- §77(2): "Betriebsvereinbarungen sind von Betriebsrat und Arbeitgeber gemeinsam zu beschließen und schriftlich
  niederzulegen. Sie sind von beiden Seiten zu unterzeichnen; dies gilt nicht, soweit Betriebsvereinbarungen auf
  einem Spruch der Einigungsstelle beruhen" (no ministry among the signatories).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consult.db import utcnow
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from consult.workflow.definitions import parse_workflow
from tests.factories import PASSWORD, round_payload
from tests.opinions.helpers import REASON, event_types, plan, profile_world
from tests.test_bad_input import assert_error_shape, snapshot

FUNCTIONS = ["scheduling", "monitoring", "performance_evaluation"]
BERLIN = ZoneInfo("Europe/Berlin")
REFUSAL = "Individual scores from scanner data are a performance control we do not accept."
RULING = {"function": "monitoring", "ruling": "permits_with_conditions", "reference": "Einigungsstelle ES 3/2027",
          "terms": "Pick rates only per team, never per person; deleted after 90 days.", "ruled_on": "2027-02-15"}


def in_consultation(api, make, db, functions=FUNCTIONS) -> dict:
    """A round under de-betrvg started through the API and moved by the scheduler into the consultation stage."""
    world = profile_world(make, "de-betrvg", plan=plan(functions=functions, country="DE"), time_zone="Europe/Berlin")
    assert api(world["secretariat"]).post(f"/rounds/{world['round'].id}/timeline/start", json=REASON).status_code == 200
    process_due(db, utcnow() + timedelta(days=14, seconds=1))  # information: 14 days
    assert api(world["worker"]).get(f"/rounds/{world['round'].id}").get_json()["stage"] == "consultation"
    return world


def consent(api, world, function, decision, reasons="Under the works agreement of 2026."):
    """The works council's signatory decides consent for one function."""
    return api(world["worker"]).post(f"/rounds/{world['round'].id}/consents",
                                     json={"function": function, "decision": decision, "reasons": reasons})


def in_conciliation(api, make, db) -> dict:
    """Consent given for scheduling, refused for monitoring, never decided for performance_evaluation; the
    consultation's 21 days run out and the round enters the conciliation stage."""
    world = in_consultation(api, make, db)
    assert consent(api, world, "scheduling", "given").status_code == 201
    assert consent(api, world, "monitoring", "refused", REFUSAL).status_code == 201
    process_due(db, utcnow() + timedelta(days=14 + 21, seconds=2))
    assert api(world["worker"]).get(f"/rounds/{world['round'].id}").get_json()["stage"] == "conciliation"
    return world


def consents(api, world) -> dict:
    """The procedure's consents by function, as the employer reads them."""
    rows = api(world["employer"]).get(f"/rounds/{world['round'].id}/procedure").get_json()["consents"]
    return {row["function"]: row for row in rows}


def test_a_rollout_before_the_works_council_can_consent_is_refused_naming_87(api, make, db):
    employer = make.user("employers", name="Erin Employer")
    client = api(employer)
    now = datetime.now(BERLIN)
    # §87(1) no. 6: consent first opens in the consultation stage, after 14 calendar days of information, so the
    # works council decides from that Berlin date on; a rollout on that day or before is "before consent".
    first_day = (now + timedelta(days=14)).date()
    before = snapshot(db)
    for rollout in (now.date() + timedelta(days=3), first_day):
        body = round_payload(workflow="de-betrvg", time_zone="Europe/Berlin",
                             plan=plan(functions=FUNCTIONS, country="DE", rollout_starts_on=rollout.isoformat()))
        refused = assert_error_shape(client.post("/rounds", json=body), 422)
        assert "§87(1) no. 6" in refused["message"] and "§87(2)" in refused["message"]
        assert first_day.isoformat() in refused["message"]
        assert "§87(1) no. 6" in refused["fields"]["plan.rollout_starts_on"][0]
    assert snapshot(db) == before
    late_enough = round_payload(workflow="de-betrvg", time_zone="Europe/Berlin", plan=plan(
        functions=FUNCTIONS, country="DE", rollout_starts_on=(first_day + timedelta(days=1)).isoformat()))
    assert client.post("/rounds", json=late_enough).status_code == 201
    under_standard = round_payload(plan=plan(rollout_starts_on=(now.date() + timedelta(days=3)).isoformat()))
    assert client.post("/rounds", json=under_standard).status_code == 201  # no consent rule: not refused


def test_the_rollout_warning_is_in_the_pages_language_with_its_day_said_as_a_day(app, api, make, db):
    from tests.i18n.helpers import speak
    from tests.pages.forms import browser

    world = in_conciliation(api, make, db)
    with db.transaction(write=False) as session:
        starts = session.get(Round, world["round"].id).plan.rollout_starts_on
    months = {"fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
              "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"}
    for language, monitoring, refused in (("fr", "Surveillance du travail ou du comportement", "refusé"),
                                          ("es", "Supervisión del trabajo o del comportamiento", "rechazado")):
        speak(db, world["worker"], language)
        page = browser(app, world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_data(as_text=True)
        day = f"{starts.day} {months[language].split()[starts.month - 1]} {starts.year}"
        assert f"{monitoring} ({refused})" in page and day in page, (language, day)
        assert starts.isoformat() not in page and "may not introduce" not in page


def test_conclusion_is_refused_while_a_function_is_refused_or_undecided(api, make, db):
    world = in_conciliation(api, make, db)
    round_id, secretariat = world["round"].id, api(world["secretariat"])
    rows = consents(api, world)
    assert [f for f in FUNCTIONS if rows[f]["is_settled"]] == ["scheduling"]
    warning = api(world["worker"]).get(f"/rounds/{round_id}/procedure").get_json()["rollout_warning"]
    assert "Monitoring of work or behaviour (refused)" in warning
    assert "Performance evaluation (not decided)" in warning
    assert "§87(1) no. 6" in warning
    process_due(db, utcnow() + timedelta(days=200))  # the conciliation stage has no deadline: nothing moves
    assert api(world["worker"]).get(f"/rounds/{round_id}").get_json()["stage"] == "conciliation"
    refused = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert "monitoring (refused)" in refused["message"] and "performance_evaluation (undecided)" in refused["message"]
    assert "§87(1) no. 6" in refused["message"] and "§87(2)" in refused["message"]
    assert "scheduling" not in refused["message"]
    # Consent given now settles one function; the other still holds the round.
    assert consent(api, world, "performance_evaluation", "given").status_code == 201
    still = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert "monitoring (refused)" in still["message"] and "performance_evaluation" not in still["message"]
    assert api(world["worker"]).get(f"/rounds/{round_id}").get_json()["stage"] == "conciliation"


def test_the_boards_ruling_replaces_consent_and_the_works_agreement_concludes(api, make, db):
    world = in_conciliation(api, make, db)
    round_id = world["round"].id
    secretariat, worker, employer, government = (api(world[p]) for p in ("secretariat", "worker", "employer",
                                                                          "government"))
    before = snapshot(db)
    for party in (worker, employer, government):  # only the neutral secretariat records the board's ruling
        assert "secretariat" in assert_error_shape(party.post(f"/rounds/{round_id}/rulings", json=RULING), 403)[
            "message"]
    on_given = assert_error_shape(secretariat.post(f"/rounds/{round_id}/rulings",
                                                   json={**RULING, "function": "scheduling"}), 409)
    assert "consented" in on_given["message"]
    not_planned = secretariat.post(f"/rounds/{round_id}/rulings", json={**RULING, "function": "pay"})
    assert "function" in assert_error_shape(not_planned, 422)["fields"]
    assert "reference" in assert_error_shape(secretariat.post(f"/rounds/{round_id}/rulings",
                                                              json={**RULING, "reference": " "}), 422)["fields"]
    assert snapshot(db) == before

    ruled = secretariat.post(f"/rounds/{round_id}/rulings", json=RULING)
    assert ruled.status_code == 201, ruled.get_json()
    assert ruled.get_json()["is_settled"] is True and ruled.get_json()["is_agreed"] is False
    assert ruled.get_json()["ruling"]["reference"] == "Einigungsstelle ES 3/2027"
    assert ruled.get_json()["next_step"] is None
    again = assert_error_shape(secretariat.post(f"/rounds/{round_id}/rulings", json=RULING), 409)
    assert "already" in again["message"]
    # performance_evaluation was never decided: the round still holds.
    held = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert "performance_evaluation (undecided)" in held["message"] and "monitoring" not in held["message"]
    assert secretariat.post(f"/rounds/{round_id}/rulings", json={
        **RULING, "function": "performance_evaluation", "ruling": "forbids",
        "terms": "No individual performance scores from the system."}).status_code == 201
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200
    assert worker.get(f"/rounds/{round_id}").get_json()["stage"] == "sign_off"

    assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").status_code == 201
    outcome = worker.get(f"/rounds/{round_id}/outcome").get_json()
    document = outcome["document"]
    assert document["agreement"]["document"] == "Works agreement (Betriebsvereinbarung)"
    assert document["agreement"]["signed_by"] == ["employers", "workers"] and "§77(2)" in document["agreement"]["basis"]
    by_function = {row["function"]: row for row in document["consents"]}
    assert by_function["monitoring"]["ruling"]["ruling"] == "permits_with_conditions"
    assert by_function["performance_evaluation"]["ruling"]["ruling"] == "forbids"
    for party in (employer, worker):
        assert party.post(f"/rounds/{round_id}/outcome/sign",
                          json={"digest": outcome["digest"], "password": PASSWORD}).status_code == 201
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200
    assert worker.get(f"/rounds/{round_id}").get_json()["stage"] == "concluded"
    assert "conciliation.ruled" in event_types(db, round_id)
    after = secretariat.post(f"/rounds/{round_id}/rulings", json={**RULING, "function": "scheduling"})
    assert assert_error_shape(after, 409)["phase"] == "concluded"
    change = employer.post(f"/rounds/{round_id}/plan/functions/monitoring/changes", json={"description": "More."})
    assert assert_error_shape(change, 409)["phase"] == "concluded"


def test_the_employer_withdraws_a_function_in_a_new_plan_version(api, make, db):
    world = in_conciliation(api, make, db)
    round_id, employer = world["round"].id, api(world["employer"])
    withdraw = f"/rounds/{round_id}/plan/functions/performance_evaluation/withdrawal"
    body = {"description": "Performance evaluation is taken out of the system."}
    others = [api(world[party]) for party in ("worker", "government", "secretariat")]
    before = snapshot(db)
    for other in others:
        assert assert_error_shape(other.post(withdraw, json=body), 403)
    assert "description" in assert_error_shape(employer.post(withdraw, json={"description": ""}), 422)["fields"]
    assert_error_shape(employer.post(f"/rounds/{round_id}/plan/functions/pay/withdrawal", json=body), 422)
    assert_error_shape(employer.post(f"/rounds/{round_id}/plan/functions/mind_reading/withdrawal", json=body), 404)
    assert snapshot(db) == before

    withdrawn = employer.post(withdraw, json=body)
    assert withdrawn.status_code == 201, withdrawn.get_json()
    assert withdrawn.get_json()["version"] == 2 and withdrawn.get_json()["kind"] == "withdrawn"
    assert employer.get(f"/rounds/{round_id}").get_json()["plan"]["functions"] == ["scheduling", "monitoring"]
    assert "performance_evaluation" not in consents(api, world)
    assert_error_shape(employer.post(withdraw, json=body), 422)  # not in the plan any more
    late = consent(api, world, "performance_evaluation", "given")
    assert "function" in assert_error_shape(late, 422)["fields"]
    # monitoring, refused, still holds the round until the employer withdraws it too (version 3).
    assert_error_shape(api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    third = employer.post(f"/rounds/{round_id}/plan/functions/monitoring/withdrawal", json=body)
    assert third.get_json()["version"] == 3
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200
    procedure = employer.get(f"/rounds/{round_id}/procedure").get_json()
    assert [(r["version"], r["function"]) for r in procedure["plan_revisions"]] == [
        (2, "performance_evaluation"), (3, "monitoring")]
    assert event_types(db, round_id).count("plan.function_withdrawn") == 2


def test_a_substantial_change_reopens_the_consent_given_for_a_function(api, make, db):
    world = in_consultation(api, make, db, functions=["scheduling", "monitoring"])
    round_id, employer = world["round"].id, api(world["employer"])
    for function in ("scheduling", "monitoring"):
        assert consent(api, world, function, "given").status_code == 201
    assert all(row["is_settled"] for row in consents(api, world).values())
    changed = employer.post(f"/rounds/{round_id}/plan/functions/monitoring/changes",
                            json={"description": "Monitoring now also records idle time per person."})
    assert changed.status_code == 201 and changed.get_json()["version"] == 2
    rows = consents(api, world)
    assert rows["monitoring"]["decision"] == "undecided" and rows["monitoring"]["is_settled"] is False
    assert "Einigungsstelle" in rows["monitoring"]["next_step"]
    assert rows["scheduling"]["is_settled"] is True  # the change touched one function only
    process_due(db, utcnow() + timedelta(days=14 + 21, seconds=2))
    refused = assert_error_shape(api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance",
                                                                json=REASON), 409)
    assert "monitoring (undecided)" in refused["message"]
    assert consent(api, world, "monitoring", "given").status_code == 201  # consent on the changed function
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200


def test_the_works_agreement_is_signed_by_employer_and_works_council_only(api, make, db):
    world = profile_world(make, "de-betrvg", plan=plan(functions=["scheduling"], country="DE"),
                          time_zone="Europe/Berlin", required_constituencies=["workers", "employers", "government"])
    round_id = world["round"].id
    # §77(2): concluded and signed by employer and works council, whatever the opener asked.
    assert world["round"].required_constituencies == ["employers", "workers"]
    secretariat, government = api(world["secretariat"]), api(world["government"])
    naming = secretariat.put(f"/rounds/{round_id}/signatories/government",
                             json={"user_id": world["government"].id, "reason": "Asked to."})
    assert "does not sign" in assert_error_shape(naming, 409)["message"]
    make.move_to(world["secretariat"], world["round"], "sign_off")
    assert consent(api, world, "scheduling", "given").status_code == 201
    assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").status_code == 201
    outcome = government.get(f"/rounds/{round_id}/outcome").get_json()
    before = snapshot(db)
    refused = government.post(f"/rounds/{round_id}/outcome/sign", json={"digest": outcome["digest"],
                                                                         "password": PASSWORD})
    assert assert_error_shape(refused, 403)
    assert snapshot(db) == before
    unsigned = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert "employers" in unsigned["message"].lower() or "employer" in unsigned["message"].lower()
    for party in ("employer", "worker"):
        assert api(world[party]).post(f"/rounds/{round_id}/outcome/sign", json={
            "digest": outcome["digest"], "password": PASSWORD}).status_code == 201
    signed = government.get(f"/rounds/{round_id}/outcome").get_json()
    assert signed["status"] == "signed"
    assert sorted(s["constituency"] for s in signed["signatures"]) == ["employers", "workers"]
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).status_code == 200


@pytest.mark.parametrize(("change", "problem"), [
    ({"signatories": {"required": ["workers", "ministry"], "document": "x", "basis": "y"}}, "'required' must list"),
    ({"signatories": {"required": ["workers"], "document": "", "basis": "y"}}, "'document' must be"),
    ({"consent": {"by": "workers", "if_refused": "x", "basis": "y", "gates": ["rollout"]}}, "conciliation_basis"),
    ({"consent": {"by": "workers", "if_refused": "x", "basis": "y", "gates": ["launch"]}}, "'gates' must list"),
])
def test_the_profile_file_is_checked_when_loaded(change, problem):
    base = {"key": "x", "stages": [{"key": "draft", "on_deadline": "manual"},
                                   {"key": "sign_off", "duration": "7d", "on_deadline": "hold"},
                                   {"key": "concluded", "on_deadline": "none"}]}
    workflow, problems = parse_workflow({**base, **change}, "x.toml")
    assert workflow is None and any(problem in p for p in problems), problems


def test_consent_that_gates_the_conclusion_needs_the_settlement_gate_before_the_last_stage():
    data = {"key": "x", "consent": {"by": "workers", "if_refused": "x", "basis": "y", "gates": ["conclusion"],
                                    "conciliation_basis": "z"},
            "stages": [{"key": "draft", "on_deadline": "manual"},
                       {"key": "sign_off", "duration": "7d", "on_deadline": "hold"},
                       {"key": "concluded", "on_deadline": "none"}]}
    assert any("consents_settled" in p for p in parse_workflow(data, "x.toml")[1])
    data["stages"][1]["gates"] = ["consents_settled"]
    assert parse_workflow(data, "x.toml")[1] == []


def test_the_pdf_is_a_works_agreement_with_the_boards_rulings_and_the_plans_versions():
    import copy
    import io
    import re

    import pypdf

    from consult.documents.sandbox import render_outcome_pdf
    from tests.documents.test_pdf import DOCUMENT

    ruling = {"ruling": "permits_with_conditions", "terms": RULING["terms"], "reference": RULING["reference"],
              "ruled_on": "2027-02-15", "basis": "BetrVG §87(2), §76(5)"}
    document = {**copy.deepcopy(DOCUMENT), "language": "en",
                "agreement": {"document": "Works agreement (Betriebsvereinbarung)",
                              "signed_by": ["employers", "workers"],
                              "basis": "BetrVG §77(2): concluded by employer and works council, signed by both"},
                "consents": [{"function": "monitoring", "decision": "refused", "reasons": REFUSAL, "is_agreed": False,
                              "is_settled": True, "next_step": None, "decided_at": None,
                              "basis": "BetrVG §87(1) no. 6", "ruling": ruling}],
                "plan_revisions": [{"version": 2, "kind": "withdrawn", "function": "performance_evaluation",
                                    "description": "Taken out of the system.",
                                    "revised_at": "2027-02-01T10:00:00+00:00"}],
                "signatures": [{"constituency": c, "name": n, "organisation": o, "role": None,
                                "signed_at": "2027-03-02T09:00:00+00:00", "reservation": None}
                               for c, n, o in (("employers", "Erin Employer", "Lager GmbH"),
                                               ("workers", "Wanda Worker", "Betriebsrat Lager GmbH"))]}
    pdf = render_outcome_pdf(document)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    for words in ("Works agreement (Betriebsvereinbarung)", "signed by Employers, Workers", "§77(2)",
                  "Ruling of the conciliation board", "permits the function on conditions", "ES 3/2027",
                  "Versions of the plan", "withdrawn by the employer", "Erin Employer", "Wanda Worker"):
        assert words in text, words


def test_the_demo_holds_a_german_round_before_the_conciliation_board(app, api, db):
    from sqlalchemy import select

    from consult.accounts.models import User
    from consult.demo import load_demo
    from consult.rounds.models import Round

    load_demo(app)
    with db.transaction(write=False) as session:
        round = session.scalar(select(Round).where(Round.workflow == "de-betrvg"))
        chair = session.scalar(select(User).where(User.display_name == "Jonas Weber"))
        assert round is not None and round.stage == "conciliation" and round.time_zone == "Europe/Berlin"
        assert round.required_constituencies == ["employers", "workers"]
        round_id = round.id
    procedure = api(chair).get(f"/rounds/{round_id}/procedure").get_json()
    rows = {row["function"]: row for row in procedure["consents"]}
    assert rows["scheduling"]["decision"] == "given" and rows["monitoring"]["decision"] == "refused"
    assert rows["monitoring"]["is_settled"] is False and "Einigungsstelle" in rows["monitoring"]["next_step"]
    assert [(r["version"], r["function"], r["kind"]) for r in procedure["plan_revisions"]] == [
        (2, "performance_evaluation", "withdrawn")]
    assert "Monitoring of work or behaviour (refused)" in procedure["rollout_warning"]
