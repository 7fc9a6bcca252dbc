"""Workflow files and the pure engine: validation messages, what is open to whom, gates, deadlines across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from consult.cli import main
from consult.paths import ROOT
from consult.workflow import engine
from consult.workflow.definitions import WorkflowError, load_workflow, load_workflows
from consult.workflow.timeline import due_stages, plan_timeline, shift_from

WORKFLOWS = load_workflows(ROOT / "workflows")
STANDARD = WORKFLOWS["standard"]

BROKEN = """
key = "broken"
title = "Broken"

[[stages]]
key = "information"
duration = "7 days"
on_deadline = "advance"
open = { ask = ["workers", "unions"] }

[[stages]]
key = "consultation"
duration = "14d"
on_deadline = "sometimes"
reminders = ["20d"]
gates = ["everyone_happy"]

[[stages]]
key = "concluded"
on_deadline = "none"
"""


def test_the_shipped_workflows_have_the_stages_of_the_design():
    assert [s.key for s in STANDARD.stages] == [
        "draft", "information", "consultation", "caucus", "drafting", "sign_off", "concluded"]
    assert [s.key for s in WORKFLOWS["fast-track"].stages] == [
        "draft", "information", "consultation", "sign_off", "concluded"]
    assert STANDARD.stage("information").duration.delta == timedelta(days=7)
    assert STANDARD.stage("sign_off").on_deadline == "hold"
    assert STANDARD.stage("consultation").reminders == (timedelta(hours=48), timedelta(hours=2))


def test_a_broken_file_names_the_file_the_stage_and_every_problem(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path)
    lines = str(caught.value).splitlines()
    assert f"{path}: stage 'information': bad duration '7 days': use a number and mo, d, h, m or s " \
           "(\"1mo\", \"7d\", \"48h\") or \"none\"" in lines
    assert f"{path}: stage 'information': unknown constituency 'unions' for 'ask'" in lines
    assert any(line.startswith(f"{path}: stage 'consultation': 'on_deadline' must be one of") for line in lines)
    assert f"{path}: stage 'consultation': unknown gate 'everyone_happy'" in lines
    assert f"{path}: stage 'consultation': reminder '20d' does not fall within the stage" in lines


def test_workflows_check_prints_the_problems_of_every_file_and_fails(tmp_path):
    (tmp_path / "broken.toml").write_text(BROKEN)
    (tmp_path / "empty.toml").write_text('key = "empty"\n')
    (tmp_path / "good.toml").write_text((ROOT / "workflows" / "standard.toml").read_text())
    result = CliRunner().invoke(main, ["workflows", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "broken.toml: stage 'consultation': unknown gate 'everyone_happy'" in result.output
    assert "empty.toml: no stages" in result.output
    assert "good.toml" not in result.output
    fine = CliRunner().invoke(main, ["workflows", "check"])
    assert fine.exit_code == 0
    assert "6 workflows OK: de-betrvg, eu-ai-act, fast-track, fr-cse, platform-work, standard" in fine.output


def test_what_each_stage_opens_to_whom():
    assert engine.is_open(STANDARD, "consultation", "comment", "government")
    assert engine.is_open(STANDARD, "caucus", "caucus", "workers")
    assert not engine.is_open(STANDARD, "caucus", "comment", "workers")
    assert not engine.is_open(STANDARD, "caucus", "caucus", "secretariat")
    assert engine.plenary_action(STANDARD, "information", "workers") == "ask"
    assert engine.plenary_action(STANDARD, "information", "employers") == "answer"
    assert engine.plenary_action(STANDARD, "caucus", "workers") is None
    assert "caucus stage" in engine.refusal(STANDARD, "caucus", "comment")
    assert STANDARD.next_stage("drafting").key == "sign_off" and STANDARD.next_stage("concluded") is None


def test_gates_name_what_is_missing():
    facts = {"required_constituencies": ["employers", "government", "workers"], "signatories": ["workers"]}
    assert engine.unmet_gates(STANDARD, "drafting", facts) == ["No signatory named for: employers, government."]
    facts["signatories"] = ["employers", "government", "workers"]
    assert engine.unmet_gates(STANDARD, "drafting", facts) == []
    assert engine.unmet_gates(STANDARD, "sign_off", {**facts, "stances_missing": ["government"],
                                                     "signatures_missing": ["workers"]}) == [
        "Stances still missing: government.", "Not yet signed by: workers."]


def test_a_timeline_is_planned_from_the_start_and_chains_each_deadline():
    start = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    plan = plan_timeline(STANDARD, start, "UTC", "information")
    assert [(p.key, p.deadline_at) for p in plan] == [
        ("information", datetime(2027, 1, 11, 9, tzinfo=UTC)), ("consultation", datetime(2027, 1, 25, 9, tzinfo=UTC)),
        ("caucus", datetime(2027, 1, 30, 9, tzinfo=UTC)), ("drafting", datetime(2027, 2, 6, 9, tzinfo=UTC)),
        ("sign_off", datetime(2027, 2, 13, 9, tzinfo=UTC)), ("concluded", None)]
    shifted = shift_from(plan, "consultation", timedelta(days=3))
    assert shifted[0] == plan[0]
    assert shifted[1].deadline_at == plan[1].deadline_at + timedelta(days=3)
    assert all(s.starts_at == p.starts_at + timedelta(days=3) for s, p in zip(shifted[2:], plan[2:], strict=True))


def test_a_deadline_across_a_daylight_saving_change_keeps_its_local_time():
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 10, 20, 9, 30, tzinfo=paris)  # summer time, UTC+2
    plan = plan_timeline(STANDARD, start, "Europe/Paris", "information")
    deadline = plan[0].deadline_at
    assert deadline.astimezone(paris).replace(tzinfo=None) == datetime(2026, 10, 27, 9, 30)  # winter time
    assert deadline - start.astimezone(UTC) == timedelta(days=7, hours=1)  # the clocks went back an hour
    spring = plan_timeline(STANDARD, datetime(2027, 3, 25, 18, 0, tzinfo=paris), "Europe/Paris", "information")
    assert spring[0].deadline_at.astimezone(paris).hour == 18


def test_catch_up_enters_each_overdue_stage_in_order_at_its_planned_time_and_stops_at_a_hold():
    start = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    plan = plan_timeline(STANDARD, start, "UTC", "information")
    due = due_stages(STANDARD, plan, "information", now=datetime(2027, 2, 1, tzinfo=UTC))
    assert [(p.key, p.starts_at) for p in due] == [
        ("consultation", datetime(2027, 1, 11, 9, tzinfo=UTC)), ("caucus", datetime(2027, 1, 25, 9, tzinfo=UTC)),
        ("drafting", datetime(2027, 1, 30, 9, tzinfo=UTC))]
    years_later = due_stages(STANDARD, plan, "information", now=datetime(2030, 1, 1, tzinfo=UTC))
    assert years_later[-1].key == "sign_off"  # sign-off holds: the clock never concludes a round
