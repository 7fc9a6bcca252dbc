"""Who may do what: every API route against every role of a round and a non-participant.

The table below is the rule. A route missing from it fails the test, so a new route cannot ship without a
decision. "Refused" means 401, 403, or 404 "No such round." (outsiders must not learn that a round exists);
anything else (2xx, or a 409 or 422 about the round's state) means the role got past authorisation.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.accounts.models import ApiToken, User
from consult.api.routing import ROUTES
from consult.outcomes.models import Commitment
from tests.checkpoint import Checkpoint
from tests.factories import ApiClient, tripartite
from tests.routes import fill, valid_bodies

ROLES = ("worker", "employer", "government", "secretariat", "observer", "outsider", "expert")
PARTICIPANTS = frozenset(ROLES) - {"outsider", "expert"}
EVERYONE = frozenset(ROLES)
PARTIES = frozenset({"worker", "employer", "government"})

ALLOWED: dict[str, frozenset[str]] = {
    # account-level: every person, about themselves
    "get_me": EVERYONE, "list_tokens": EVERYONE, "create_token": EVERYONE, "revoke_token": EVERYONE,
    "end_sessions": EVERYONE, "list_organisations": EVERYONE, "list_rounds": EVERYONE,
    "list_my_commitments": EVERYONE, "commitments_over_time": EVERYONE,
    "create_organisation": frozenset({"secretariat"}),
    "update_profile": EVERYONE, "change_password": EVERYONE,
    # the register of people (the secretariat's); the person acted on is the observer, who comes after it
    "invite_person": frozenset({"secretariat"}), "resend_invitation": frozenset({"secretariat"}),
    "deactivate_person": frozenset({"secretariat"}), "reactivate_person": frozenset({"secretariat"}),
    "open_round": frozenset({"employer", "secretariat"}),
    # reading a round: its participants
    "get_round": PARTICIPANTS, "list_participants": PARTICIPANTS, "list_signatories": PARTICIPANTS,
    "list_comments": PARTICIPANTS, "get_comment": PARTICIPANTS, "list_revisions": PARTICIPANTS,
    "list_events": PARTICIPANTS, "get_timeline": PARTICIPANTS, "list_positions": PARTICIPANTS,
    "list_versions": PARTICIPANTS, "list_commitments": PARTICIPANTS, "get_outcome": PARTICIPANTS,
    "get_export": PARTICIPANTS, "export_records": PARTICIPANTS, "list_updates": PARTICIPANTS,
    # taking part
    "post_comment": PARTICIPANTS, "react": PARTICIPANTS, "request_export": PARTICIPANTS,
    "edit_comment": frozenset({"worker"}),  # the author
    "record_stance": PARTIES, "record_stances": PARTIES, "sign": PARTIES,  # each party's named signatory
    "name_signatory": frozenset({"worker", "secretariat"}),  # for the workers: workers or the secretariat
    "get_governance": PARTICIPANTS,
    # who takes part: the governance table (consult/rounds/governance.py), tried cell by cell in
    # tests/rounds/test_governance_table.py; here the stronger identity policy asked for by each role
    "set_identity_policy": frozenset({"worker", "secretariat"}),
    # running the round
    "invite": frozenset({"employer", "secretariat"}), "remove": frozenset({"secretariat"}),
    "start": frozenset({"employer", "secretariat"}), "follow_up": frozenset({"employer", "secretariat"}),
    "extend": frozenset({"secretariat"}), "pause": frozenset({"secretariat"}), "resume": frozenset({"secretariat"}),
    "hold": frozenset({"secretariat"}), "advance": frozenset({"secretariat"}),
    "hide_comment": frozenset({"secretariat"}), "draft_position": frozenset({"secretariat"}),
    "add_commitment": frozenset({"secretariat"}), "freeze": frozenset({"secretariat"}),
    "post_update": frozenset({"employer"}),  # the commitment's owner organisation
    # the legal procedure (consult/opinions): the governance table's rules, then the workflow's stage
    "get_procedure": PARTICIPANTS,
    "give_opinion": PARTIES, "decide_consent": PARTIES,  # each for its own side
    # the representatives' sides (through their signatory: the stage's 409 comes first here) and the secretariat on
    # their behalf, not the plan's employer; ending: the appointing side's signatory or the secretariat
    "appoint_expert": frozenset({"worker", "government", "secretariat"}),
    "end_expert": frozenset({"worker", "secretariat"}),
    "record_expert_step": frozenset({"worker", "employer", "secretariat"}),
    "respond_to_opinion": frozenset({"employer"}),  # the employer whose plan it is
    "record_expert_cost": frozenset({"worker", "employer", "secretariat"}),  # the appointing side (workers)
    # how the legal clock is counted: the secretariat; the BDESE notice: the employer; an establishment's opinion:
    # the workers' side or the secretariat
    "record_reading": frozenset({"secretariat"}), "record_agreement": frozenset({"secretariat"}),
    "notify_bdese": frozenset({"employer"}), "transmit_establishment_opinion": frozenset({"worker", "secretariat"}),
    # the workers' appointed expert: their brief and their caucus, and 404 on every other route of the round
    "get_expert_brief": frozenset({"expert"}), "expert_download_document": frozenset({"expert"}),
    # the information package: read by participants (each document as the policy lets them); prepared by the
    # employer whose plan it is and the secretariat; each organisation acknowledges what it received
    "get_package": PARTICIPANTS, "download_document": PARTICIPANTS, "acknowledge": PARTICIPANTS,
    "attach_document": frozenset({"employer", "secretariat"}), "add_version": frozenset({"employer", "secretariat"}),
    "release_package": frozenset({"employer", "secretariat"}),
    # the conciliation board's rulings (the secretariat) and the plan's revisions (the employer): de-betrvg
    "record_ruling": frozenset({"secretariat"}),
    "withdraw_function": frozenset({"employer"}), "change_function": frozenset({"employer"}),
    # affected workers: counts for every participant, names and delivery for the employer and the secretariat
    "get_affected_workers": PARTICIPANTS,
    "list_affected_workers": frozenset({"employer", "secretariat"}),
    "inform_affected_workers": frozenset({"employer", "secretariat"}),
    # failed mail: the secretariat's, across rounds
    "get_failed_mail": frozenset({"secretariat"}), "retry_failed_mail": frozenset({"secretariat"}),
    # questions to the employer: everyone but the employer asks (and withdraws their own); the employer answers
    "get_questions": PARTICIPANTS, "ask": PARTICIPANTS - {"employer"}, "withdraw": PARTICIPANTS - {"employer"},
    "answer": frozenset({"employer"}),
}


def _world(make):
    world = tripartite(make, identity_policy="named")  # so "organisation" is a stronger policy, as workers may ask
    round = world["round"]
    world["observer"] = make.user("observers")
    world["outsider"] = make.user("workers", name="Not Invited")
    world["expert"] = make.user("observers", name="Eva Expert")
    from consult.rounds.services import invite_organisation

    with make.db.transaction() as session:
        invite_organisation(session, session.get(User, world["employer"].id), round.id,
                            world["observer"].organisation_id)
    for party in ("worker", "employer", "government"):
        make.signatory(world["secretariat"], round, world[party].constituency.value, world[party])
    comment = make.comment(world["worker"], round, "Hello")
    make.move_to(world["employer"], round, "drafting")
    from consult.outcomes.services import add_commitment
    from tests.outcomes.helpers import _date

    with make.db.transaction() as session:
        commitment = add_commitment(session, session.get(User, world["secretariat"].id), round.id, {
            "description": "Audit", "owner_organisation_id": world["employer"].organisation_id, "kpi": "k",
            "target": "t", "due_on": _date("2027-12-31")})
    # The standard workflow opens no appointment: the workers' expert is arranged in the database.
    from consult.opinions.models import Expert

    with make.db.transaction() as session:
        expert = Expert(round_id=round.id, constituency="workers", user_id=world["expert"].id, firm="Syndex",
                        reason="Why", brief="Brief", member_in_charge_id=world["worker"].id,
                        appointed_by_id=world["worker"].id)
        session.add(expert)
        session.flush()
        expert_id = expert.public_id
    world["ids"] = {"round_id": round.id, "comment_id": comment.public_id, "commitment_id": commitment.id,
                    "expert_id": expert_id, "opinion_id": 1,
                    "organisation_id": world["government"].organisation_id, "constituency": "workers",
                    "section": "privacy", "job_id": 1, "user_id": world["observer"].id}
    return world


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    body = response.get_json(silent=True) or {}
    return response.status_code == 404 and (body.get("error") or {}).get("message") == "No such round."


@pytest.mark.timeout(900)
def test_every_route_answers_each_role_as_the_table_says(app, make, db, scenario):
    scenario(done="every API route called by 5 roles of a round and a non-participant",
             checked="each answer matches the table in the test; a route missing from it fails")
    routes = [r for r in ROUTES if not r.public]
    assert {r.endpoint for r in routes} == set(ALLOWED), "decide who may use each new route in ALLOWED"
    world = _world(make)
    bodies = valid_bodies(world, make.organisation("government").id)
    tokens = {role: make.token(world[role]) for role in ROLES}
    with db.transaction(write=False) as session:
        token_ids = {role: session.scalar(select(ApiToken.id).where(ApiToken.user_id == world[role].id))
                     for role in ROLES}
    # The same fresh round for each route, built once and put back before each: writes by one route decide
    # nothing for the next (within a route, each role finds what the roles before it did, as before).
    fresh = Checkpoint(db)
    for route in routes:
        fresh.restore()
        got = set()
        for role in ROLES:
            client = ApiClient(app.test_client(), tokens[role])  # no cookie carried over from another route
            path = "/api/v1" + fill(route.rule, {**world["ids"], "token_id": token_ids[role]})
            body = bodies.get(route.endpoint)
            response = client.client.open(path, method=route.method, headers=client.headers,
                                          json=body if route.method != "GET" else None)
            assert response.status_code < 500, (route.endpoint, role, response.status_code)
            if not _refused(response):
                got.add(role)
        assert got == ALLOWED[route.endpoint], (route.endpoint, sorted(got), sorted(ALLOWED[route.endpoint]))
    with db.transaction(write=False) as session:
        assert session.scalar(select(Commitment.id)) is not None
