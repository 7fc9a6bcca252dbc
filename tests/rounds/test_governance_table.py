"""Generated from the governance table: every rule, as every role, in every phase, through the API and the page form.

For each cell the table says 403 (the role may never), 409 (not in this phase) or done; the test checks the
answer, and when refused that nothing changed (row counts, who takes part, who signs, the policy, no event).
"""

from __future__ import annotations

from typing import Any

import pytest

from consult.rounds.governance import GOVERNANCE, OWN, RULES, Phase, Role, markdown_table
from consult.rounds.plan import IdentityPolicy
from tests.docs import published
from tests.pages.forms import send
from tests.rounds.governance_world import (
    governed_world,
    last_event,
    outcome_stands,
    set_policy_directly,
    state,
)
from tests.rounds.test_rule_table import WORK
from tests.rounds.test_rule_table_procedure import PROCEDURE

#: Rules another test generated from the same table proves: the round's work (comments, the outcome, the
#: timeline, the follow-up: tests/rounds/test_rule_table.py) and the procedure (the package, questions,
#: opinions, consent and the board, experts, the legal clock, affected workers:
#: tests/rounds/test_rule_table_procedure.py). Every write route of a concluded round:
#: tests/rounds/test_governance_scenarios.py.
ELSEWHERE = {*WORK, *PROCEDURE}
#: Identity attempts first: a worker's act in the round (naming their signatory) forbids weakening after it.
ORDER = ("weaken_identity_policy", "strengthen_identity_policy", "invite", "reinvite", "remove", "name_signatory")
EVENTS = {"invite": "organisation.invited", "reinvite": "organisation.invited", "remove": "organisation.removed",
          "name_signatory": "signatory.named", "weaken_identity_policy": "identity_policy.changed",
          "strengthen_identity_policy": "identity_policy.changed"}


def expected(action: str, role: Role, phase: Phase) -> int | str:
    """What the table says about one cell: 403, 409 or "done"."""
    rule = RULES[action]
    if rule.grant(role) is None:
        return 403
    return "done" if phase in rule.phases else 409


def _target_constituency(role: Role) -> str:
    """The constituency an attempt to name a signatory is about: the role's own where the table says OWN."""
    own = {Role.EMPLOYER: "employers", Role.EMPLOYERS: "employers", Role.WORKERS: "workers",
           Role.GOVERNMENT: "government"}
    return own.get(role, "workers") if RULES["name_signatory"].grant(role) == OWN else "workers"


def _request(world: dict[str, Any], db, action: str, role: Role) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """The API method and path, the API body and the page form for one attempt (setting up what it needs)."""
    round_id = world["round"].id
    if action in ("invite", "reinvite"):
        organisation = world["make"].organisation("observers") if action == "invite" else world["removed"].pop()
        body = {"organisation_id": organisation.id}
        return "POST", f"/rounds/{round_id}/participants", body, {
            "page": f"/rounds/{round_id}/people/invite", "form": {"organisation_id": str(organisation.id)}}
    if action == "remove":
        organisation = world["removable"].pop()
        body = {"reason": "The institute withdrew."}
        return "POST", f"/rounds/{round_id}/participants/{organisation.id}/remove", body, {
            "page": f"/rounds/{round_id}/people/{organisation.id}/remove", "form": body}
    if action == "name_signatory":
        constituency = _target_constituency(role)
        current = {c.value: user_id for c, user_id in state(db, round_id)["signatories"]}[constituency]
        person = next(p for p in world["alternates"][constituency] if p.id != current)
        body = {"user_id": person.id, "reason": "Our executive designated another representative."}
        return "PUT", f"/rounds/{round_id}/signatories/{constituency}", body, {
            "page": f"/rounds/{round_id}/people/signatories/{constituency}",
            "form": {"user_id": str(person.id), "reason": body["reason"]}}
    start = "named" if action == "strengthen_identity_policy" else "pseudonymous"
    set_policy_directly(db, round_id, IdentityPolicy(start))
    body = {"identity_policy": "organisation", "reason": "The union asked for its members to be protected."}
    return "PUT", f"/rounds/{round_id}/identity-policy", body, {
        "page": f"/rounds/{round_id}/people/identity-policy", "form": body}


def _attempt(world, api, request, role: Role, channel: str) -> int:
    method, path, body, page = request
    if channel == "api":
        client = api(world["people"][role])
        response = client.client.open("/api/v1" + path, method=method, headers=client.headers, json=body)
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert set(error) >= {"code", "message", "fields"} and error["message"], error
        return {200: 200, 201: 200}.get(response.status_code, response.status_code)
    browser = world["browsers"][role]
    response = send(browser, page["page"], page["form"], page=f"/rounds/{world['round'].id}/people")
    if response.status_code == 409:
        assert 'role="alert"' in response.get_data(as_text=True)  # the page shows the refusal beside the form
    return {303: 200}.get(response.status_code, response.status_code)


def test_every_rule_of_the_table_is_tried_here_or_named_as_proved_elsewhere():
    assert {rule.action for rule in GOVERNANCE} == set(ORDER) | ELSEWHERE
    assert not set(ORDER) & ELSEWHERE and len(WORK) + len(PROCEDURE) == len(ELSEWHERE)  # each row tried once


def test_the_docs_show_the_table_the_services_read():
    assert markdown_table() in published("rules.md"), "docs/rules.md: keep the marker of markdown_table()"


@pytest.mark.parametrize("phase", list(Phase), ids=[p.value for p in Phase])
def test_every_cell_of_the_governance_table_as_every_role(app, make, api, db, phase):
    world = governed_world(app, make, api, phase)
    world["make"] = make
    round_id = world["round"].id
    wrong = []
    for action in ORDER:
        for channel in ("api", "page"):
            for role in Role:
                want = expected(action, role, phase)
                request = _request(world, db, action, role)
                before = state(db, round_id)
                got = _attempt(world, api, request, role, channel)
                cell = (action, role.value, phase.value, channel)
                if want == "done":
                    if got != 200:
                        wrong.append((*cell, "want done", got))
                        continue
                    event = last_event(db, round_id)
                    assert event.type == EVENTS[action] and event.actor_id == world["people"][role].id, cell
                    if action not in ("invite", "reinvite"):
                        assert (event.payload.get("reason") or "").strip(), cell  # each change says why
                    if phase == Phase.FROZEN and not outcome_stands(db, round_id):
                        # naming another signatory voids the frozen version: freeze again for the next cells
                        assert action == "name_signatory", cell
                        freeze = api(world["secretariat"]).post(f"/rounds/{round_id}/outcome/freeze")
                        assert freeze.status_code in (200, 201), cell
                    continue
                if got != want:
                    wrong.append((*cell, f"want {want}", got))
                assert state(db, round_id) == before, ("a refused attempt changed something", cell)
    assert not wrong, wrong
