"""Generated from the rule table: the rows of the procedure (the information package, questions, opinions and
responses, consent and the conciliation board, experts, the legal clock, affected workers), as every role and an
outsider, in each phase, in a stage that opens them or not, through the API.

Each row is tried in a round on a workflow whose stages open it (fr-cse with two establishments; de-betrvg; the
AI Act's individual information), with what its success needs arranged first (a question, an opinion, an
expert, a release, listed workers). The answer must be the table's (tests/rounds/rule_cells.py); every refused
attempt changes nothing.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from consult.paths import ROOT
from consult.rounds.governance import Phase, Role
from consult.workflow.definitions import load_workflow
from tests.opinions.helpers import expert_body, plan, profile_world, start_with_package
from tests.package.files import PDF
from tests.package.helpers import attach
from tests.rounds.governance_world import outcome_stands
from tests.rounds.rule_cells import OUTSIDER, Attempt, try_rows

REASON = {"reason": "Asked for by the parties."}
_COUNTER = itertools.count()


def _post(path: str, body: dict[str, Any] | None = None):
    return lambda client: client.post(path, json=body)


def _fr_cse(world: dict[str, Any], action: str, role) -> Attempt:
    """fr-cse: the package, questions, opinions, experts and the legal clock."""
    base, n = f"/rounds/{world['round'].id}", next(_COUNTER)
    expert = f"{base}/experts/{world['expert']}"
    if action == "attach_document":
        return None, lambda client: attach(client, world["round"].id, f"note-{n}.pdf", PDF, title=f"Note {n}")
    if action == "appoint_expert":
        body = expert_body(world, world["make"].user("observers", name=f"Expert {n}"))
        return ("workers", _post(f"{base}/experts", {**body, "constituency": "workers"})) \
            if role == Role.SECRETARIAT else (None, _post(f"{base}/experts", body))
    if action == "withdraw_question":
        asker = role if role in world["questions"] else Role.WORKERS
        side = {Role.SECRETARIAT: "secretariat", Role.WORKERS: "workers", Role.GOVERNMENT: "government",
                Role.OBSERVERS: "observers"}[asker]
        return side, _post(f"{base}/questions/{world['questions'][asker]}/withdraw", {"reason": "Answered at the "
                                                                                               "meeting."})
    return {
        "give_opinion": (None, _post(f"{base}/opinions", {"verdict": "agree", "reasons": f"Sound, {n}.",
                                                          "section": "system"})),
        "respond_to_opinion": (None, _post(f"{base}/opinions/{world['opinion']}/response",
                                           {"reasons": "An audit every year."})),
        "ask_question": (None, _post(f"{base}/questions", {"section": "system", "body": f"Which data, {n}?"})),
        "answer_question": (None, _post(f"{base}/questions/{world['to_answer']}/answer",
                                        {"answer": "Rosters and pick rates."})),
        "end_expert": ("workers", _post(f"{expert}/end", {"reason": "The report is in."})),
        "record_expert_cost": ("workers", _post(f"{expert}/costs", {"amount_minor": 1000 + n, "currency": "EUR",
                                                                    "description": f"Invoice {n}"})),
        "record_expert_step": ("workers", _post(f"{expert}/steps", {"step": "information_requested",
                                                                    "note": "The DPIA's annexes."})),
        "release_package": (None, _post(f"{base}/package/release")),
        "acknowledge_package": (None, _post(f"{base}/package/releases/{world['release']}/acknowledgement")),
        "record_clock_facts": (None, _post(f"{base}/procedure/agreement", {"reference": "Accord 2026, art. 3",
                                                                           "length": "45d"})),
        "notify_bdese": (None, _post(f"{base}/procedure/bdese", {"description": "The DPIA, section 7."})),
        "transmit_establishment_opinion": ("workers", _post(f"{base}/procedure/establishment-opinions", {
            "establishment": "Lyon", "verdict": "agree", "reasons": f"Agreed in Lyon, {n}."})),
    }[action]


def _prepare_fr_cse(world: dict[str, Any], api) -> None:
    """An opinion to answer, an expert, questions of each role that asks, and a release with news after it."""
    round_id = world["round"].id
    given = api(world["worker"]).post(f"/rounds/{round_id}/opinions", json={"verdict": "disagree",
                                                                            "reasons": "No audit."})
    assert given.status_code == 201, given.get_json()
    world["opinion"] = given.get_json()["id"]
    world["expert"] = api(world["worker"]).post(f"/rounds/{round_id}/experts", json=expert_body(world)) \
        .get_json()["id"]
    world["questions"] = {}
    for role in (Role.SECRETARIAT, Role.WORKERS, Role.GOVERNMENT, Role.OBSERVERS):
        asked = api(world["people"][role]).post(f"/rounds/{round_id}/questions",
                                                json={"section": "system", "body": f"Asked by {role.value}?"})
        assert asked.status_code == 201, asked.get_json()
        world["questions"][role] = asked.get_json()["id"]
    world["to_answer"] = api(world["government"]).post(f"/rounds/{round_id}/questions", json={
        "section": "system", "body": "Which data is kept?"}).get_json()["id"]
    [release] = api(world["worker"]).get(f"/rounds/{round_id}/package").get_json()["releases"]
    world["release"] = release["id"]
    assert attach(api(world["employer"]), round_id, "annex.pdf", PDF, title="Annex").status_code == 201


def _de_betrvg(world: dict[str, Any], action: str, role) -> Attempt:
    """de-betrvg: consent per function, the conciliation board's ruling, the employer's revision of the plan."""
    base = f"/rounds/{world['round'].id}"
    return {
        "decide_consent": (None, _post(f"{base}/consents", {"function": "scheduling", "decision": "given"})),
        "record_ruling": (None, _post(f"{base}/rulings", {"function": "monitoring", "ruling": "permits_with_conditions",
                                                          "terms": "Aggregated data only.", "reference": "ES 1/27",
                                                          "ruled_on": "2027-01-15"})),
        "revise_functions": (None, _post(f"{base}/plan/functions/monitoring/changes",
                                         {"description": "Pick rates per team, never per person."})),
    }[action]


def _affected(world: dict[str, Any], action: str, role) -> Attempt:
    """The AI Act's individual information: listing the affected workers, informing them."""
    base, n = f"/rounds/{world['round'].id}", next(_COUNTER)
    return {
        "list_affected_workers": (None, _post(f"{base}/affected-workers", {
            "workers": [{"name": f"Worker {n}", "email": f"worker{n}@example.org"}]})),
        "inform_affected_workers": (None, _post(f"{base}/affected-workers/inform")),
    }[action]


def _prepare_affected(world: dict[str, Any], api) -> None:
    listed = api(world["employer"]).post(f"/rounds/{world['round'].id}/affected-workers", json={
        "workers": [{"name": "Zoë Ångström", "email": "zoe@example.org"}]})
    assert listed.status_code == 201, listed.get_json()


#: Each workflow: its rows, in the order tried, how to attempt them, the stage the set-up runs in, what it
#: arranges there, the round's fields, and the named conditions asked before the table's stage.
FAMILIES = {
    "fr-cse": (("attach_document", "release_package", "acknowledge_package", "ask_question", "answer_question",
                "withdraw_question", "give_opinion", "respond_to_opinion", "appoint_expert", "record_expert_cost",
                "record_expert_step", "end_expert", "record_clock_facts", "notify_bdese",
                "transmit_establishment_opinion"),
               _fr_cse, "consultation", _prepare_fr_cse, {"establishments": ["Lyon", "Lille"]}, {}),
    # The workflow's [consent] table names who decides consent (the works council) before the stage is asked:
    # another party hears whose decision it is (403), not that the stage does not open it to them.
    "de-betrvg": (("decide_consent", "record_ruling", "revise_functions"), _de_betrvg, "information", None,
                  {"plan": plan(functions=["scheduling", "monitoring"])}, {"decide_consent": {403}}),
    "eu-ai-act": (("list_affected_workers", "inform_affected_workers"), _affected, "information",
                  _prepare_affected, {}, {}),
}
#: The rows whose route asks the table's role before it reads the round for writing: an upload is read only
#: once the role may attach; the list of affected workers reads the round after conclusion too.
ROLE_FIRST = frozenset({"attach_document", "list_affected_workers"})
#: Every row this file tries.
PROCEDURE = tuple(row for rows, *_ in FAMILIES.values() for row in rows)
#: The worlds tried per workflow: (family, name, the stage moved to after the set-up, paused).
WORLDS = (("fr-cse", "consultation", None, False), ("fr-cse", "paused", None, True),
          ("fr-cse", "response", "response", False), ("fr-cse", "frozen", "sign_off", False),
          ("fr-cse", "concluded", "concluded", False),
          ("de-betrvg", "information", None, False), ("de-betrvg", "conciliation", "conciliation", False),
          ("de-betrvg", "paused", "conciliation", True), ("de-betrvg", "frozen", "sign_off", False),
          ("de-betrvg", "concluded", "concluded", False),
          ("eu-ai-act", "information", None, False), ("eu-ai-act", "paused", None, True),
          ("eu-ai-act", "frozen", "sign_off", False), ("eu-ai-act", "concluded", "concluded", False))
#: The worlds whose stage opens every row of the family: each row is done there at least once.
OPENING = (("fr-cse", "consultation"), ("de-betrvg", "conciliation"), ("eu-ai-act", "information"))


def _world(make, api, family: str, kind: str, stage: str | None, paused: bool) -> dict[str, Any]:
    """A round of the family's workflow with one person for every role and an outsider, in the world asked."""
    _rows, _attempt, prepare_in, prepare, fields, _first = FAMILIES[family]
    world = profile_world(make, family, **fields)
    round_id, secretariat = world["round"].id, api(world["secretariat"])
    federation, observer = make.user("employers", name="Fede Federation"), make.user("observers", name="Olga Observer")
    for organisation in (federation.organisation, observer.organisation):
        invited = secretariat.post(f"/rounds/{round_id}/participants", json={"organisation_id": organisation.id})
        assert invited.status_code == 201, invited.get_json()
    world["people"] = {Role.SECRETARIAT: world["secretariat"], Role.EMPLOYER: world["employer"],
                       Role.EMPLOYERS: federation, Role.WORKERS: world["worker"], Role.GOVERNMENT: world["government"],
                       Role.OBSERVERS: observer, OUTSIDER: make.user("workers", name="Otto Outsider")}
    world["make"] = make
    start_with_package(api, world)
    make.move_to(world["secretariat"], world["round"], prepare_in)
    if prepare is not None:
        prepare(world, api)
    if stage is not None:
        make.move_to(world["secretariat"], world["round"], stage)
    world["phase"] = {"frozen": Phase.FROZEN, "concluded": Phase.CONCLUDED}.get(kind, Phase.UNDER_WAY)
    if world["phase"] == Phase.FROZEN:
        frozen = secretariat.post(f"/rounds/{round_id}/outcome/freeze")
        assert frozen.status_code in (200, 201), frozen.get_json()
    if paused:
        assert secretariat.post(f"/rounds/{round_id}/timeline/pause", json=REASON).status_code == 200
    for person in world["people"].values():
        api(person)  # the token exists before any attempt counts rows
    return world


@pytest.mark.parametrize(("family", "kind", "stage", "paused"), WORLDS, ids=[f"{w[0]}-{w[1]}" for w in WORLDS])
def test_every_cell_of_the_procedure_rows_as_every_role(make, api, db, family, kind, stage, paused):
    rows, attempt, _in, _prepare, _fields, condition_first = FAMILIES[family]
    world = _world(make, api, family, kind, stage, paused)
    round_id = world["round"].id

    def after(world: dict[str, Any], action: str, role) -> None:
        """A decision that voids the frozen version (consent, a ruling, a revision): freeze again."""
        if world["phase"] == Phase.FROZEN and not outcome_stands(db, round_id):
            assert action in ("record_ruling", "revise_functions"), action
            assert api(world["secretariat"]).post(f"/rounds/{round_id}/outcome/freeze").status_code in (200, 201)

    workflow = load_workflow(ROOT / "workflows" / f"{family}.toml")
    wrong, done = try_rows(world, api, db, rows, attempt, workflow, kind=f"{family}-{kind}",
                           condition_first=condition_first, after=after, role_first=ROLE_FIRST)
    assert not wrong, wrong
    if (family, kind) in OPENING:  # where the stage opens every row, each is done by a role the table lets through
        assert done == set(rows), set(rows) - done
