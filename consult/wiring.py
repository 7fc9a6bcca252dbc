"""What the features plug into the clock and the event log: the shape of the table that `consult.bootstrap` fills.

The timeline and the event log call features they do not import (the legal clock, the information package,
the registry...). They find them here, in a `Wiring` built once by the composition root (`consult/bootstrap.py`)
and handed to every session of an application through its `info` (`wiring_of`), as the loaded workflows are.
Nothing is registered by importing a module: a feature that is not in the table is not called, and a session
made without a table fails loudly rather than running with the features missing.

This module imports nothing of consult's, so the lowest layers (the event log) may read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # annotations only: the models sit above this module
    from sqlalchemy.orm import Session

    from consult.accounts.models import User
    from consult.rounds.models import Round

#: The key under which a session's `info` holds its application's table.
INFO_KEY = "consult.wiring"

FactReader = Callable[["Session", "Round"], dict[str, Any]]
ManyFactsReader = Callable[["Session", list["Round"]], dict[int, dict[str, Any]]]
StageHook = Callable[["Session", "Round", "int | None"], None]
WakeProvider = Callable[["Session", "Round"], list[datetime]]
DueHandler = Callable[["Session", "Round", datetime], None]
EventHook = Callable[["Session", "Round", str], None]
DeactivationHook = Callable[["Session", "User", "User"], object]


@dataclass(frozen=True)
class GateFacts:
    """A feature's facts for the gates it serves: `read` for one round, `many` (optional) for a batch in one query."""

    gates: frozenset[str]
    read: FactReader
    many: ManyFactsReader | None = None


@dataclass(frozen=True)
class DueKind:
    """A feature with moments of its own: when the scheduler must look at a round (`wake`), and what it does then
    (`handle`, called for every due round before the stage may move). `at_expiry`: the legal clocks' expiry
    rules (a workflow's `[stages.clock] at_expiry`) that this kind carries out."""

    name: str
    wake: WakeProvider
    handle: DueHandler
    at_expiry: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Wiring:
    """Every feature the clock and the event log call, in the order they are called."""

    gate_facts: tuple[GateFacts, ...] = ()
    #: Called, in order, in the transaction that enters a stage: (session, round, actor_id or None).
    stage_hooks: tuple[StageHook, ...] = ()
    #: Woken for and called, in order, for every round the scheduler finds due (before its stage may move).
    due_kinds: tuple[DueKind, ...] = ()
    #: Called, in order, for each event appended with `append_event`: (session, round, event type).
    event_hooks: tuple[EventHook, ...] = ()
    #: Called, in order, in the transaction that deactivates a person: (session, actor, person).
    deactivation_hooks: tuple[DeactivationHook, ...] = ()

    def without(self, hook: Callable[..., Any]) -> Wiring:
        """This table less one registration (a gate-fact reader, hook, or due kind's wake or handler): for tests."""
        return Wiring(tuple(g for g in self.gate_facts if hook not in (g.read, g.many)),
                      tuple(h for h in self.stage_hooks if h is not hook),
                      tuple(k for k in self.due_kinds if hook not in (k.wake, k.handle)),
                      tuple(h for h in self.event_hooks if h is not hook),
                      tuple(h for h in self.deactivation_hooks if h is not hook))


def wiring_of(session: Session) -> Wiring:
    """The table of the application this session belongs to (put in its `info` by `consult.bootstrap`)."""
    try:
        return cast(Wiring, session.info[INFO_KEY])
    except KeyError:
        raise RuntimeError("this session's factory was not wired by consult.bootstrap (build the application "
                           "with consult.create_app)") from None
