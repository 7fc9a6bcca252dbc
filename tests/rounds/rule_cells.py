"""Trying cells of the rule table through the API: what the table says about one cell, whether a refusal is the
table's own, and the loop that tries rows as every role (and an outsider) and checks nothing changed when refused.

A cell is a row x the round's phase x its stage (and whether it is paused) x a role, for the constituency the
attempt acts for (a row the table grants OWN is the table's 403 for another constituency's item). The table
says 404 (an outsider does not see the round), 403 (the role may never), 409 (not in this phase, or the stage
does not open it, or the round is paused), or "past the table": then the service's named conditions may still
refuse, in their own words, never in the table's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from consult.rounds.governance import ANY_PARTY, OWN, PHASE_REFUSALS, RULES, Phase, Role
from consult.workflow import engine
from tests.rounds.governance_world import state

#: Not a role of the table: a person whose organisation is not invited (the round is not found for them).
OUTSIDER = "outsider"
SIDE = {Role.SECRETARIAT: "secretariat", Role.EMPLOYER: "employers", Role.EMPLOYERS: "employers",
        Role.WORKERS: "workers", Role.GOVERNMENT: "government", Role.OBSERVERS: "observers"}
PAST = "past the table"
PAUSED = "The round is paused: nothing can be done until the secretariat resumes it."
#: An attempt: the constituency it acts for (None: the role's own) and the call that makes it with a client.
Attempt = tuple[str | None, Callable[[Any], Any]]


def expected(action: str, role: Role | str, phase: Phase, stage: str, paused: bool, workflow,
             acted_for: str | None = None, role_first: bool = False) -> int | str:
    """What the table says about one cell (`role_first`: the route asks the role before it reads the round for
    writing, so a concluded round refuses a role that may never with the table's 403, not the read-only 409)."""
    rule = RULES[action]
    if role == OUTSIDER:
        return 404
    grant, side = rule.grant(role), SIDE[role]
    acted_for = acted_for or side
    never = grant is None or (grant == OWN and acted_for != side)
    if phase == Phase.CONCLUDED and phase not in rule.phases:
        # The record is read-only: refused before the role is asked, as every route that reads the round for
        # writing first does; a route that asks the role first refuses a role that may never with the table's 403.
        return 403 if never and role_first else 409
    if never:
        return 403
    if phase not in rule.phases:
        return 409
    # The stage is asked for the constituency acted for: the secretariat names the party it acts for (or, where
    # the row says ANY_PARTY and it names none, any party will do).
    sides = ("workers", "employers", "government") if rule.opens_for == ANY_PARTY and acted_for == "secretariat" \
        else (acted_for,)
    if rule.opens and (paused or not any(engine.is_open(workflow, stage, opened, party)
                                         for opened in rule.opens for party in sides)):
        return 409
    return PAST


def is_the_tables(action: str, status: int, message: str) -> bool:
    """Whether a refusal is the table's own: its 403, a phase's 409, or the stage's (or the pause's) 409."""
    if status == 403:
        return message == RULES[action].refused
    return status == 409 and (message in PHASE_REFUSALS.values() or message == PAUSED
                              or " are not open to you in the " in message)


def try_rows(world: dict[str, Any], api, db, rows: Iterable[str], attempt: Callable[[dict, str, Any], Attempt],
             workflow, *, kind: str, condition_first: dict[str, set[int]] | None = None,
             after: Callable[[dict, str, Any], None] | None = None,
             role_first: frozenset[str] = frozenset()) -> tuple[list[tuple], set[str]]:
    """Try each row as every role and the outsider: the cells whose answer is not the table's, and the rows some
    role did (so that a test knows its world lets each row through where the table does).

    `attempt(world, action, role)` sets up what one attempt needs (before the state is read) and returns it;
    `after(world, action, role)` puts back what later cells rely on, after an attempt that was done;
    `condition_first[action]`: the statuses of a named condition the service asks before the table's stage;
    `role_first`: the rows whose route asks the role before reading the round for writing (see `expected`)."""
    round_id, wrong, done = world["round"].id, [], set()
    for action in rows:
        for role in (*Role, OUTSIDER):
            acted_for, call = attempt(world, action, role)
            before = state(db, round_id)
            round = before["round"]
            want = expected(action, role, world["phase"], round.stage, round.status == "paused", workflow, acted_for,
                            action in role_first)
            response = call(api(world["people"][role]))
            cell = (action, str(role), acted_for, kind)
            status = response.status_code
            if status < 300:
                if want != PAST:
                    wrong.append((*cell, f"want {want}", status))
                done.add(action)
                if after is not None:
                    after(world, action, role)
                continue
            message = ((response.get_json(silent=True) or {}).get("error") or {}).get("message", "")
            assert state(db, round_id) == before, ("a refused attempt changed something", cell, status, message)
            if want == PAST:
                if is_the_tables(action, status, message):
                    wrong.append((*cell, "want past the table", status, message))
            elif want == 404:
                if status != 404:
                    wrong.append((*cell, "want 404", status, message))
            elif status in (condition_first or {}).get(action, ()):
                continue  # refused by the named condition that comes first
            elif status != want or not is_the_tables(action, status, message):
                wrong.append((*cell, f"want the table's {want}", status, message))
    return wrong, done
