"""Generated from the rule table: every write of a round's work (comments, the outcome, the timeline, the
follow-up of commitments), as every role, in each phase, in a stage that opens it or not, through the API.

For each cell the table says 403 (the role may never), 409 (not in this phase, or the round's stage does not
open it to the role's constituency, or the round is paused) or "past the table": then the service's named
conditions may still refuse (not the author, not the named signatory, the gates), with their own message,
never with the table's. Every refused attempt changes nothing: no row anywhere, no event, not the round.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from consult.outcomes.models import Commitment, Outcome, OutcomeStatus, PositionVersion
from consult.paths import ROOT
from consult.rounds.governance import RULES, Phase, Role
from consult.rounds.models import Section
from consult.workflow.definitions import load_workflow
from tests.factories import PASSWORD, tripartite
from tests.rounds import rule_cells
from tests.rounds.governance_world import governed_world, outcome_stands
from tests.rounds.rule_cells import OUTSIDER

#: The rows this file tries, in the order tried: the timeline before signing, so that no signature ends the
#: stage under the later attempts; freezing after the drafting that voids it.
WORK = ("post_comment", "post_caucus_comment", "edit_comment", "edit_caucus_comment", "react", "hide_comment",
        "start_round", "extend_stage", "pause_round", "resume_round", "hold_round", "advance_round",
        "draft_position", "add_commitment", "record_stance", "freeze_outcome", "report_progress", "follow_up",
        "sign_outcome")
#: The worlds tried: (name, phase, stage moved to after it, paused).
WORLDS = (("under_way", Phase.UNDER_WAY, None, False), ("paused", Phase.UNDER_WAY, None, True),
          ("frozen", Phase.FROZEN, None, False), ("sign_off", Phase.FROZEN, "sign_off", False),
          ("concluded", Phase.CONCLUDED, None, False))
REASON = {"reason": "Asked for by the parties."}
#: Where the table refuses the role but a named condition refuses first, in its own words: a caucus comment
#: the person cannot read is not found (404, as for none at all: the secretariat unless the round shows it the
#: caucuses, observers), and one they read but did not write is refused as "only the author edits" (403);
#: signing asks who signs (a constituency that signs, its named signatory) before the stage, as it always has.
CONDITION_FIRST = {"edit_caucus_comment": {403, 404}, "sign_outcome": {403}}
STANDARD = load_workflow(ROOT / "workflows" / "standard.toml")


def expected(action: str, role: Role | str, phase: Phase, stage: str, paused: bool) -> int | str:
    """What the table says about one cell (the standard workflow's stages)."""
    return rule_cells.expected(action, role, phase, stage, paused, STANDARD)


def _prepare(make):
    def prepare(world: dict[str, Any], people: dict[Role, Any]) -> None:
        round = world["round"]
        world["plenary"] = {role: make.comment(person, round, f"Said by {role.value}.").public_id
                            for role, person in people.items()}
        # A caucus comment of each party's own; the secretariat and observers hold no caucus: the workers' one.
        authors = {role: world["worker"] if role in (Role.SECRETARIAT, Role.OBSERVERS) else person
                   for role, person in people.items()}
        world["caucus"] = {role: make.comment(author, round, f"Our side, for {role.value}.", channel="caucus")
                           .public_id for role, author in authors.items()}
        world["to_hide"] = make.comment(world["worker"], round, "Off topic.").public_id
    return prepare


def _facts(db, round_id: int) -> dict[str, Any]:
    with db.transaction(write=False) as session:
        section_id = session.scalar(select(Section.id).where(Section.round_id == round_id, Section.key == "system"))
        outcome = session.scalar(select(Outcome).where(Outcome.round_id == round_id, Outcome.status !=
                                                       OutcomeStatus.VOID).order_by(Outcome.version.desc()).limit(1))
        return {"version": session.scalar(select(func.max(PositionVersion.version)).where(
                    PositionVersion.section_id == section_id)) or 0,
                "digest": outcome.digest if outcome else "0" * 64,
                "commitment": session.scalar(select(Commitment.id).where(Commitment.round_id == round_id))}


def _request(world: dict[str, Any], db, action: str, role: Role) -> tuple[str, str, dict[str, Any] | None]:
    """The API method, path and body of one attempt."""
    round_id = world["round"].id
    base, facts = f"/rounds/{round_id}", _facts(db, round_id)
    comment = {"body": f"Said again by {role}, {len(world['tried'])}.", "section": "system"}
    plenary, caucus = (world[channel].get(role, world[channel][Role.WORKERS]) for channel in ("plenary", "caucus"))
    commitment = f"{base}/commitments/{facts['commitment']}"
    return {
        "post_comment": ("POST", f"{base}/comments", {**comment, "channel": "plenary"}),
        "post_caucus_comment": ("POST", f"{base}/comments", {**comment, "channel": "caucus"}),
        "edit_comment": ("PUT", f"{base}/comments/{plenary}", {"body": comment["body"]}),
        "edit_caucus_comment": ("PUT", f"{base}/comments/{caucus}", {"body": comment["body"]}),
        "react": ("PUT", f"{base}/comments/{world['plenary'][Role.WORKERS]}/reaction", {"kind": "agree"}),
        "hide_comment": ("POST", f"{base}/comments/{world['to_hide']}/hide", {"reason": "Off topic."}),
        "start_round": ("POST", f"{base}/timeline/start", REASON),
        "extend_stage": ("POST", f"{base}/timeline/extend", {**REASON, "by": "2d"}),
        "pause_round": ("POST", f"{base}/timeline/pause", REASON),
        "resume_round": ("POST", f"{base}/timeline/resume", REASON),
        "hold_round": ("POST", f"{base}/timeline/hold", REASON),
        "advance_round": ("POST", f"{base}/timeline/advance", REASON),
        "draft_position": ("PUT", f"{base}/positions/system", {"text": comment["body"],
                                                               "base_version": facts["version"]}),
        "add_commitment": ("POST", f"{base}/commitments", {
            "description": "Train the supervisors", "owner_organisation_id": world["employer"].organisation_id,
            "kpi": "Supervisors trained", "target": "All", "due_on": "2027-06-30"}),
        "record_stance": ("PUT", f"{base}/stances/system", {"stance": "agree_with_reservation",
                                                            "statement": "Only with an annual audit."}),
        "freeze_outcome": ("POST", f"{base}/outcome/freeze", None),
        "report_progress": ("POST", f"{commitment}/updates", {"value": "1 audit", "note": "On time.",
                                                              "evidence": [], "completes": False}),
        "follow_up": ("POST", f"{commitment}/follow-up", {"title": "Follow-up on the audit"}),
        "sign_outcome": ("POST", f"{base}/outcome/sign", {"digest": facts["digest"], "password": PASSWORD}),
    }[action]


def _restore(world, api, db, action: str, kind: str) -> None:
    """After an attempt that was done: put back what later cells rely on (the round's status, its phase)."""
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    if action in ("pause_round", "hold_round"):
        assert secretariat.post(f"/rounds/{round_id}/timeline/resume", json=REASON).status_code == 200
    if action == "resume_round" and kind == "paused":
        assert secretariat.post(f"/rounds/{round_id}/timeline/pause", json=REASON).status_code == 200
    if action == "freeze_outcome" and world["phase"] == Phase.UNDER_WAY:
        with db.transaction() as session:  # test set-up only: the round goes back to having no frozen version
            session.execute(update(Outcome).where(Outcome.round_id == round_id).values(status=OutcomeStatus.VOID))
    if world["phase"] == Phase.FROZEN and not outcome_stands(db, round_id):
        assert action in ("draft_position", "add_commitment", "record_stance"), action  # each voids the version
        assert secretariat.post(f"/rounds/{round_id}/outcome/freeze").status_code in (200, 201)


@pytest.mark.parametrize(("kind", "phase", "stage", "paused"), WORLDS, ids=[w[0] for w in WORLDS])
def test_every_cell_of_the_rule_table_as_every_role(app, make, api, db, kind, phase, stage, paused):
    world = governed_world(app, make, api, phase, prepare=_prepare(make))
    round_id = world["round"].id
    world["tried"] = []
    if stage is not None:
        make.move_to(world["secretariat"], world["round"], stage)
    if paused:
        assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/pause", json=REASON).status_code == 200
    world["people"] = {**world["people"], OUTSIDER: make.user("workers", name="Otto Outsider")}
    api(world["people"][OUTSIDER])  # the token exists before any attempt counts rows

    def attempt(world: dict[str, Any], action: str, role) -> rule_cells.Attempt:
        method, path, body = _request(world, db, action, role)
        world["tried"].append((action, role))
        return None, lambda client: client.client.open("/api/v1" + path, method=method, headers=client.headers,
                                                       json=body)

    wrong, _done = rule_cells.try_rows(world, api, db, WORK, attempt, STANDARD, kind=kind,
                                       condition_first=CONDITION_FIRST,
                                       after=lambda world, action, _role: _restore(world, api, db, action, kind))
    assert not wrong, wrong


def test_the_api_answers_each_row_with_what_the_stage_must_open_and_what_i_may_now(api, make):
    world = tripartite(make)
    round_id = world["round"].id
    make.move_to(world["employer"], world["round"], "drafting")
    rows = {row["action"]: row for row in api(world["worker"]).get(f"/rounds/{round_id}/governance")
            .get_json()["rules"]}
    assert set(rows) == set(RULES)
    assert {action: row["stage_opens"] for action, row in rows.items()} == \
        {action: list(rule.opens) for action, rule in RULES.items()}
    # In drafting the workers take stances and meet in caucus; they neither draft nor sign yet.
    assert rows["record_stance"]["i_may_now"] and rows["post_caucus_comment"]["i_may_now"]
    assert not rows["draft_position"]["i_may_now"] and not rows["sign_outcome"]["i_may_now"]
