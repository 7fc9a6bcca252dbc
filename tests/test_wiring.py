"""The composition root's table is complete, nothing registers itself on import, and every row is guarded.

Completeness is read from the workflows themselves: every gate a workflow can name has its facts, every legal
clock's expiry rule has the due kind that carries it out, and every feature a workflow uses (a legal clock, the
rollout rule, the expert's calendar) has its hooks. `GUARDS` names, for each registration, a behavioural test
that fails when the registration is left out: `pytest <guard> --without-wiring=<registration>` shows it.
"""

from __future__ import annotations

import ast
import time
import uuid
from pathlib import Path

import pytest
import redis

from consult import create_app
from consult.bootstrap import WIRING, subscribers
from consult.opinions import clock_records, clocks, expert_reminders, record
from consult.opinions.expert_calendar import CALENDARS
from consult.outcomes import followup
from consult.package.services import release_on_start
from consult.paths import ROOT
from consult.registry.services import publish_on_conclusion
from consult.rounds.models import Round
from consult.scheduler.runner import Scheduler, rearm_channel
from consult.timeline.clock import gate_facts, rearm
from consult.timeline.rules import workflow_of
from consult.wiring import INFO_KEY, wiring_of
from consult.workflow import engine
from consult.workflow.definitions import GATES, load_workflows
from consult.workflow.legal import AT_EXPIRY
from tests.factories import Factory
from tests.opinions.helpers import appoint_expert, profile_world, start_with_package
from tests.processes import REDIS_URL, redis_answers
from tests.timeline.test_scheduler import ready_round, stages_of

WORKFLOWS = load_workflows(ROOT / "workflows")
#: The one gate the timeline judges on its own facts (the round's signatories, read with every batch).
TIMELINE_GATES = {"signatories_named"}


def _name(function) -> str:
    return f"{function.__module__}.{function.__name__}"


#: For each registration, a behavioural test that fails without it (tried with --without-wiring).
GUARDS = {
    "consult.opinions.record.opinion_facts":
        "tests/opinions/test_fr_cse.py::test_one_cse_with_a_second_expert_stays_at_two_months_and_a_given_opinion_is_not_deemed",
    "consult.opinions.record.settlement_facts":
        "tests/opinions/test_de_betrvg.py::test_conclusion_is_refused_while_a_function_is_refused_or_undecided",
    "consult.outcomes.services.sign_off_facts":
        "tests/outcomes/test_outcomes.py::test_the_outcome_is_frozen_by_digest_and_signed_by_each_named_signatory",
    "consult.questions.services.question_facts":
        "tests/package/test_questions.py::test_the_gate_holds_the_stage_until_every_question_is_answered",
    "consult.informing.gate.informing_facts":
        "tests/opinions/test_eu_ai_act.py::test_the_consultation_does_not_end_before_every_affected_worker_is_informed_naming_art_26_7",
    "consult.package.services.release_on_start":
        "tests/package/test_package.py::test_documents_attached_in_the_draft_are_released_when_the_round_starts",
    "consult.opinions.record.check_rollout_on_entry":
        "tests/opinions/test_eu_ai_act.py::test_starting_so_late_that_the_consultation_ends_after_the_rollout_is_refused",
    "consult.registry.services.publish_on_conclusion":
        "tests/registry/test_registry.py::test_registry_search_finds_the_right_rounds_for_each_filter_and_nothing_private",
    "consult.opinions.clocks.set_clock_on_entry":
        "tests/test_wiring_clock_entry.py::"
        "test_a_clock_started_in_an_earlier_stage_gets_its_deadline_when_the_scheduler_enters_its_stage",
    "consult.outcomes.followup.handle_due":
        "tests/registry/test_followup.py::test_commitments_are_followed_up_reminded_flagged_overdue_and_can_start_a_follow_up_round",
    "consult.opinions.clocks.handle_due":
        "tests/opinions/test_fr_cse_clock.py::test_nothing_is_deemed_one_second_before_24_00_of_the_last_day_and_both_facts_one_second_after",
    "consult.opinions.expert_reminders.remind_expert_dates":
        "tests/notifications/test_expert_calendar_mail.py::"
        "test_expert_dates_are_reminded_to_who_must_act_and_flagged_when_missed_once_each",
    "consult.opinions.clock_records.deem_establishment_opinions":
        "tests/opinions/test_fr_cse_clock.py::test_a_two_level_consultation_with_an_expert_runs_three_months_and_a_missing_establishment_opinion_is_deemed",
    "consult.opinions.clocks.set_clock_on_event":
        "tests/opinions/test_fr_cse.py::test_fr_cse_clock_runs_from_release_moves_to_two_months_with_an_expert_and_deems_the_opinion_negative",
    "consult.opinions.expert_reminders.rearm_on_expert_event":
        "tests/test_wiring.py::test_an_expert_step_recorded_sets_the_scheduler_to_the_calendars_next_date",
    "consult.opinions.experts.end_appointments_of":
        "tests/opinions/test_expert_term.py::test_an_ended_expert_loses_every_path_at_once[deactivated_then_reactivated]",
    # The dispatcher's subscribers (consult/bootstrap.py's `subscribers`).
    "live push (prepared)":
        "tests/live/test_prepared.py::test_each_room_is_pushed_what_the_log_replays_to_it_and_the_push_reads_nothing",
    "live push (ordered)":  # heartbeats alone would let clients catch up; this test's come once an hour
        "tests/live/test_followed.py::test_comments_written_on_a_process_without_followers_reach_a_follower_on_another_live",
    "notifications (written)":
        "tests/notifications/test_kinds.py::test_a_new_stage_tells_each_participant_what_is_now_open_to_them_and_until_when",
    "exports (committed)": "tests/outcomes/test_exports.py::test_a_signed_pdf_is_exported_once_per_digest_and_verifies",
    "re-arm announcer (committed, with Redis)":
        "tests/test_wiring.py::test_a_deadline_set_in_a_web_process_is_announced_to_the_schedulers_of_others",
    "re-arm of this process's schedulers (committed)":
        "tests/test_wiring.py::test_a_round_started_while_a_scheduler_runs_in_the_same_process_moves_at_once",
}


def registrations() -> list[str]:
    """Every function the table registers (a due kind by its handler: its wake goes with it)."""
    return ([_name(g.read) for g in WIRING.gate_facts] + [_name(h) for h in WIRING.stage_hooks]
            + [_name(k.handle) for k in WIRING.due_kinds] + [_name(h) for h in WIRING.event_hooks]
            + [_name(h) for h in WIRING.deactivation_hooks])


def test_every_gate_a_workflow_can_name_has_its_facts():
    served = set(TIMELINE_GATES)
    for provider in WIRING.gate_facts:
        served |= provider.gates
    named = {gate for workflow in WORKFLOWS.values() for stage in workflow.stages for gate in stage.gates}
    assert named <= GATES == set(engine.GATE_CHECKS)
    assert GATES - served == set()


def test_every_gate_is_judged_on_facts_its_reader_gives(app, make, db):
    """The engine's check of each gate runs on the facts the table gathers for it alone (a missing key fails)."""
    round_id = ready_round(make)["round"].id
    with db.transaction(write=False) as session:
        round = session.get(Round, round_id)
        for gate in sorted(GATES):
            facts = gate_facts(session, round, {gate})
            engine.GATE_CHECKS[gate](facts)  # raises KeyError when a reader is missing (questions_answered)


def test_every_legal_clock_expiry_and_every_feature_a_workflow_uses_is_wired():
    carried = {rule for kind in WIRING.due_kinds for rule in kind.at_expiry}
    assert AT_EXPIRY <= carried
    hooks, events, due = set(WIRING.stage_hooks), set(WIRING.event_hooks), {k.handle for k in WIRING.due_kinds}
    assert followup.handle_due in due and publish_on_conclusion in hooks  # every workflow concludes
    for workflow in WORKFLOWS.values():
        if workflow.stages[0].on_deadline == "manual":
            assert release_on_start in hooks, workflow.key
        if any(stage.clock for stage in workflow.stages):
            assert {clocks.set_clock_on_entry} <= hooks and clocks.set_clock_on_event in events, workflow.key
            assert {clocks.handle_due, clock_records.deem_establishment_opinions} <= due, workflow.key
            assert {stage.clock.at_expiry for stage in workflow.stages if stage.clock} - {None} <= carried
        if workflow.legal.rollout is not None:
            assert record.check_rollout_on_entry in hooks, workflow.key
        if workflow.key in CALENDARS:
            assert expert_reminders.remind_expert_dates in due, workflow.key
            assert expert_reminders.rearm_on_expert_event in events, workflow.key
    for kind in WIRING.due_kinds:
        assert callable(kind.wake) and callable(kind.handle), kind.name


def test_every_application_carries_the_table_and_every_subscriber(app):
    db = app.extensions["consult.db"]
    with db.transaction(write=False) as session:
        assert wiring_of(session) is WIRING
    subscribed = [*db.dispatcher.preparers, *db.dispatcher.writers, *db.dispatcher.ordered, *db.dispatcher.subscribers]
    assert len(subscribed) == len(subscribers(app))


def test_a_session_that_was_not_wired_fails_loudly_rather_than_skip_the_features():
    class Bare:
        info: dict = {}

    with pytest.raises(RuntimeError, match="consult.bootstrap"):
        wiring_of(Bare())  # type: ignore[arg-type]
    assert INFO_KEY not in Bare.info


#: Module-level calls that declare rather than register: a route table entry is read where it is declared.
DECLARATIONS = {"ROUTES.append"}


def test_no_module_registers_anything_when_imported():
    found = []
    for path in sorted((ROOT / "consult").rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            call = node.value if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) else None
            if call is None or not isinstance(call.func, ast.Attribute):
                continue
            name = ast.unparse(call.func)
            if name in DECLARATIONS:
                continue
            if call.func.attr in {"append", "extend", "insert", "add", "update"} or "subscribe" in call.func.attr \
                    or call.func.attr.startswith("register"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert found == []
    for old in ("GATE_FACT_PROVIDERS", "STAGE_HOOKS", "WAKE_PROVIDERS", "DUE_HANDLERS", "EVENT_HOOKS"):
        assert not [p for p in (ROOT / "consult").rglob("*.py") if old in p.read_text()], old


def test_every_registration_names_a_guard_test_that_exists():
    assert set(registrations()) <= set(GUARDS)
    for guard in GUARDS.values():
        path, _, test = guard.partition("::")
        assert (ROOT / path).is_file(), guard
        if test:
            tree = ast.parse(Path(ROOT / path).read_text())
            defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
            assert test.partition("[")[0] in defined, guard  # a parametrised guard names one case: name[case]


def test_a_round_started_while_a_scheduler_runs_in_the_same_process_moves_at_once(app, make, db):
    """The scheduler sleeps until its next wake; a deadline set by a commit in its own process wakes it at once
    (the dispatcher's re-arm), not at its next check (every 30 s without Redis)."""
    scheduler = Scheduler(app)
    scheduler.start()
    try:
        time.sleep(1)  # started, caught up with nothing, armed with nothing
        round_id = ready_round(make)["round"].id  # information stage of 1 s
        deadline = time.monotonic() + 15
        while stages_of(db, [round_id])[round_id] == "information" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert stages_of(db, [round_id])[round_id] != "information"
    finally:
        scheduler.shutdown()


def test_an_expert_step_recorded_sets_the_scheduler_to_the_calendars_next_date(api, make, db):
    """Recording a step (no event of the legal clock's) moves the expert's next date: the round's next look
    (`wake_at`) is what the clock computes now, not the reminder of the step just recorded."""
    world = profile_world(make, "fr-cse")
    start_with_package(api, world)
    expert_id = appoint_expert(api, world)["id"]
    path = f"/rounds/{world['round'].id}/experts/{expert_id}/steps"
    recorded = api(world["worker"]).post(path, json={"step": "information_requested", "note": "The DPIA."})
    assert recorded.status_code == 201, recorded.get_json()
    with db.transaction(write=False) as session:
        round = session.get(Round, world["round"].id)
        stored = round.wake_at
        rearm(session, round, workflow_of(session, round))
        assert stored == round.wake_at


@pytest.mark.skipif(not redis_answers(), reason=f"needs Redis at {REDIS_URL}")
def test_a_deadline_set_in_a_web_process_is_announced_to_the_schedulers_of_others(database_url, tmp_path):
    """A scheduler process sleeps until its next wake; a round started in a web process tells it on Redis at once
    (it would otherwise see it at its next check, every 5 minutes with Redis)."""
    web = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "web"), "SECRET_KEY": "s",
                      "REDIS_URL": REDIS_URL, "REDIS_CHANNEL": f"test-{uuid.uuid4().hex[:8]}"})
    pubsub = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(rearm_channel(web))
    try:
        ready_round(Factory(web))  # started: its first deadline is set
        deadline, message = time.monotonic() + 10, None
        while message is None and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=1.0)
        assert message is not None and message["data"] == b"rearm"
    finally:
        pubsub.close()
        web.extensions["consult.db"].dispose()
