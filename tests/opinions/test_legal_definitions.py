"""The legal parts of workflow files are validated when loaded, every problem named with its file and stage;
the shipped profiles load and cite their articles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consult.paths import ROOT
from consult.workflow.definitions import Duration, WorkflowError, check_workflows, load_workflow, load_workflows
from consult.workflow.timeline import add_duration

BROKEN = """
key = "broken-law"

[consent]
by = "unions"
if_refused = ""
basis = "BetrVG"

[rollout]
after_stage = "nowhere"
basis = "AI Act"

[plan]
requires = ["shoe_size"]

[[stages]]
key = "draft"
duration = "none"
on_deadline = "manual"

[[stages]]
key = "consultation"
duration = "7d"
on_deadline = "advance"
open = { consent = ["workers"] }

[stages.clock]
starts_at = "moon.rose"
length = "2mo"
at_expiry = "opinion_deemed_negative"
basis = "L2312-16"

[[stages.clock.extensions]]
after = "expert.appointed"
length = "1mo"
basis = "R2312-6"

[[stages]]
key = "concluded"
on_deadline = "none"
"""


def test_every_legal_problem_is_named_with_the_file_and_the_stage(tmp_path):
    path = tmp_path / "broken-law.toml"
    path.write_text(BROKEN)
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path)
    lines = str(caught.value).splitlines()
    expected = [
        f"{path}: consent: 'by' must be one of employers, government, observers, secretariat, workers",
        f"{path}: consent: 'if_refused' must be a non-empty text",
        f"{path}: rollout: 'after_stage' must name a stage of this workflow",
        f"{path}: plan: unknown plan item 'shoe_size'; use account_decisions, data_recipients, decision_categories, "
        "deployer_checklist, impact_assessment, monitored_data, platform_workers_in_member_state",
        f"{path}: stage 'consultation': clock: 'starts_at' must be one of bdese.notified, expert.appointed, "
        "package.acknowledged, package.released, stage.entered (or a list of them)",
        f"{path}: stage 'consultation': a legal clock needs the workflow's [jurisdiction] table (country, time_zone, "
        "next_working_day, basis): it is counted in the law's time zone",
        f"{path}: stage 'consultation': clock: extension 1: the extended length must be longer than the clock's "
        "length",
        f"{path}: stage 'consultation': a stage with a clock has duration = \"none\": the clock sets its deadline",
        f"{path}: stage 'consultation': 'opinion_deemed_negative' needs the stage to open 'opinion' to someone",
    ]
    for line in expected:
        assert line in lines, (line, lines)


def test_the_shipped_profiles_load_and_cite_their_articles():
    workflows = load_workflows(ROOT / "workflows")
    fr = workflows["fr-cse"].stage("consultation").clock
    assert fr.starts_at == "package.released" and fr.length == Duration(1, "months")
    assert fr.starts_with == ("package.released", "bdese.notified")  # R2312-5
    # R2312-6 I: 2 months with an expert; 3 only in a consultation at central and establishment level
    assert [(e.count, e.length, e.two_level) for e in fr.extensions] == [(1, Duration(2, "months"), False),
                                                                         (1, Duration(3, "months"), True)]
    jurisdiction = workflows["fr-cse"].legal.jurisdiction
    assert (jurisdiction.country, jurisdiction.time_zone, jurisdiction.next_working_day) == (
        "FR", "Europe/Paris", "uncertain")
    assert fr.at_expiry == "opinion_deemed_negative" and "L2312-16" in fr.basis
    assert workflows["de-betrvg"].legal.consent.basis == "BetrVG §87(1) no. 6"
    assert "Art. 26(7)" in workflows["eu-ai-act"].legal.rollout.basis
    assert workflows["platform-work"].legal.experts.costs_borne_above == 250
    assert workflows["platform-work"].legal.plan_requires == {
        "decision_categories", "data_recipients", "monitored_data", "account_decisions",
        "platform_workers_in_member_state", "impact_assessment"}
    for key in ("fr-cse", "de-betrvg", "eu-ai-act", "platform-work"):
        assert "NEEDS A LAWYER'S CHECK" in (ROOT / "workflows" / f"{key}.toml").read_text()


def test_a_jurisdiction_is_validated_when_the_file_is_loaded(tmp_path):
    path = tmp_path / "bad-place.toml"
    path.write_text('[jurisdiction]\ncountry = "XX"\ntime_zone = "UTC"\nnext_working_day = "sometimes"\n'
                    '[[stages]]\nkey = "concluded"\non_deadline = "none"\n')
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path)
    message = str(caught.value)
    assert "'country' must be an ISO 3166-1 alpha-2 code" in message
    assert "a legal clock never counts in UTC" in message and "'next_working_day' must be one of" in message


def test_a_calendar_month_ends_on_the_last_day_of_a_shorter_month_at_the_same_local_time():
    start = datetime(2027, 1, 31, 9, 30, tzinfo=UTC)
    assert add_duration(start, Duration(1, "months"), "Europe/Paris") == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    # across the change to summer time the local wall time is kept (10:30 in Paris both times)
    assert add_duration(datetime(2027, 3, 1, 9, 30, tzinfo=UTC), Duration(1, "months"), "Europe/Paris") == \
        datetime(2027, 4, 1, 8, 30, tzinfo=UTC)


def test_a_round_cannot_agree_its_own_length_for_a_legal_clocks_stage(api, make, db):
    from tests.factories import round_payload

    client = api(make.user("employers"))
    refused = client.post("/rounds", json=round_payload(workflow="fr-cse", stage_lengths={"consultation": "60d"}))
    assert refused.status_code == 422 and "stage_lengths" in refused.get_json()["error"]["fields"]
    assert client.post("/rounds", json=round_payload(workflow="fr-cse", stage_lengths={"response": "21d"})
                       ).status_code == 201


def test_every_eu_duty_problem_is_named_when_the_file_is_loaded(tmp_path):
    """A minimum longer than its stage, an unknown prohibited practice, a pending date before the date of
    application, and an individual-information duty naming no stage are each refused by name."""
    path = tmp_path / "broken-eu.toml"
    path.write_text("""
key = "broken-eu"
[application]
applies_from = 2026-08-02
basis = "Art. 113"
pending_date = 2026-01-01
pending_basis = "an omnibus"
[minimum_lengths]
information = "30d"
basis = "2002/14 Art. 4"
[prohibitions.mind_reading]
basis = "none"
[individual_information]
basis = "Art. 26(7)"
subject = "a system"
before_stage = "nowhere"
[[stages]]
key = "information"
duration = "14d"
on_deadline = "advance"
[[stages]]
key = "concluded"
on_deadline = "none"
""")
    problems = "\n".join(check_workflows(tmp_path))
    assert "application: 'pending_date' must come after 'applies_from'" in problems
    assert "minimum_lengths: information: the minimum (30d) is longer than the stage's own length" in problems
    assert "prohibitions: mind_reading: unknown practice" in problems
    assert "individual_information: 'before_stage' must name a stage of this workflow" in problems
