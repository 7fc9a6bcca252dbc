"""The composition root: every feature the clock, the event log and the dispatcher call, in one table.

Nothing in consult registers itself by being imported. What reacts to what is written here, and only here:

- `WIRING` (a `consult.wiring.Wiring`): the facts each workflow gate is judged on, what happens in the
  transaction that enters a stage, the features with moments of their own (what wakes the scheduler and what
  it does then), and what reacts to an appended event. The timeline reads it through the session
  (`consult.wiring.wiring_of`), so it needs no import of the features.
- `subscribers(app)`: what the event dispatcher hands each transaction's events to, before and after its commit.

`create_app` (and so the CLI, `consult serve`, the scheduler process and every test) calls `wire(app, db)`.

**One table, handed to each application.** `WIRING` is an immutable value; each application carries it in its
database's session `info`, as it carries its loaded workflows, not in a module global that features fill. Many
applications are built in one test process, and the web and the scheduler of `consult serve` share one: each
reads the table it was built with, and a test may build an application with a registration removed
(`create_app(config, wiring=WIRING.without(...))`) without changing any other. The dispatcher's subscribers are
per application by nature: they hold that application's live pusher, mail settings and export runner.

**Order.** Hooks run in the order of their tuple, which is the order the imports used to produce:
- stage hooks: the package's automatic release first, because its `package.released` event starts the legal
  clock (the event hook sets the deadline in the same transaction), so the clock's own entry hook, last, finds a
  deadline and does nothing; the rollout check before the clock's hook, so it judges the plan the entry itself
  made, as it always has; the registry's publication (terminal stages only) between them, as before.
- due kinds: commitment reviews, the legal clock's expiry, the expert's dates, the establishments' opinions: the
  order their events take within a scheduler pass (the clock's deemed opinion before any establishment's).
- event hooks: the legal clock before the expert's calendar, which reads the deadline the clock has just set.
- gate facts: each reader gives keys of its own; the order changes nothing.

**Each registration is guarded by a behavioural test** that fails when its row is removed. `GUARDS` in
tests/test_wiring.py names one per row, and a test keeps that list complete. `pytest <guard>
--without-wiring=<module.function>` builds every application of the run without a row of `WIRING`; each of its
15 rows was tried so, and each guard failed. For instance:
- the legal clock's due kind (`clocks.handle_due`): no opinion is deemed, tests/opinions/test_fr_cse_clock.py::
  test_nothing_is_deemed_one_second_before_24_00_of_the_last_day_and_both_facts_one_second_after
- the questions' gate facts (`question_facts`): advancing fails with a 500, not a 409 naming the open questions,
  tests/package/test_questions.py::test_the_gate_holds_the_stage_until_every_question_is_answered
- the re-arm of this process's schedulers (a subscriber, tried by deleting its line): a round started while the
  scheduler runs waits for the 30 s check, tests/test_wiring.py::
  test_a_round_started_while_a_scheduler_runs_in_the_same_process_moves_at_once
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from consult.db import Database
from consult.informing.gate import informing_facts
from consult.notifications.deliver import Notifier
from consult.opinions import clock_records, clocks, expert_reminders, experts, record
from consult.outcomes import followup
from consult.outcomes.services import sign_off_facts
from consult.package.services import release_on_start
from consult.questions.services import question_facts, question_facts_many
from consult.registry.services import publish_on_conclusion
from consult.scheduler.runner import make_rearm_announcer, rearm_running_schedulers
from consult.wiring import INFO_KEY, DueKind, GateFacts, Wiring

WIRING = Wiring(
    gate_facts=(
        GateFacts(frozenset({"opinions_given", "responses_given", "consents_decided"}), record.opinion_facts),
        GateFacts(frozenset({"consents_settled"}), record.settlement_facts),
        GateFacts(frozenset({"stances_recorded", "outcome_signed"}), sign_off_facts),
        GateFacts(frozenset({"questions_answered"}), question_facts, question_facts_many),
        GateFacts(frozenset({"affected_workers_informed"}), informing_facts),
        # "signatories_named" is the timeline's own: the round's signatories, read with every batch.
    ),
    stage_hooks=(
        release_on_start,  # the information package goes out as the round leaves its draft
        record.check_rollout_on_entry,  # a person may not move the round past the planned rollout
        publish_on_conclusion,  # a public round's signed outcome goes to the registry, its PDF is made
        clocks.set_clock_on_entry,  # a stage with a legal clock gets its deadline
    ),
    due_kinds=(
        DueKind("commitment reviews", followup.wake_moments, followup.handle_due),
        DueKind("legal clock expiry", clocks.wake_moments, clocks.handle_due,
                at_expiry=frozenset({"opinion_deemed_negative"})),
        DueKind("the expert's dates", expert_reminders.expert_wake, expert_reminders.remind_expert_dates),
        DueKind("establishment opinions", clock_records.establishment_wake,
                clock_records.deem_establishment_opinions),
    ),
    event_hooks=(
        clocks.set_clock_on_event,  # an event that starts or extends the current stage's legal clock
        expert_reminders.rearm_on_expert_event,  # an appointment's dates moved: the scheduler looks again
    ),
    deactivation_hooks=(
        experts.end_appointments_of,  # a deactivated expert's appointments end; reactivating restores none
    ),
)

#: The dispatcher's four kinds of subscriber (consult/events/dispatcher.py says when each runs).
KINDS = ("prepared", "written", "ordered", "committed")


def subscribers(app: Flask) -> list[tuple[str, Callable]]:
    """Every dispatcher subscriber of an application, as (kind, subscriber), in the order each kind calls them."""
    pusher, exports = app.extensions["consult.pusher"], app.extensions["consult.exports"]
    table: list[tuple[str, Callable]] = [
        ("prepared", pusher.prepare),  # live push: what browsers will need, made before the commit
        ("ordered", pusher.offer),  # live push: each round's committed events, in sequence order
        ("written", Notifier(app)),  # notifications: mail and feed rows, in the events' own transaction
        ("committed", exports.on_events),  # exports: a signed outcome's PDF and archive are made
    ]
    if app.config["REDIS_URL"]:
        table.append(("committed", make_rearm_announcer(app)))  # schedulers in other processes look again
    table.append(("committed", rearm_running_schedulers(app)))  # a scheduler in this process looks again
    return table


def database_info(wiring: Wiring | None = None) -> dict:
    """What the composition root puts in every session's `info` (the services read their table there):
    `wiring`, or the table above."""
    return {INFO_KEY: wiring or WIRING}


def wire(app: Flask, db: Database) -> None:
    """Subscribe an application's dispatcher subscribers (its table is in `db`'s session info from the start)."""
    subscribe = {"prepared": db.dispatcher.subscribe_prepared, "written": db.dispatcher.subscribe_written,
                 "ordered": db.dispatcher.subscribe_ordered, "committed": db.dispatcher.subscribe}
    for kind, subscriber in subscribers(app):
        subscribe[kind](subscriber)
