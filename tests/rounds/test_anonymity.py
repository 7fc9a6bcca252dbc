"""Unlinkability path by path: named acts by name, other masked acts as the workers' side, the outcome's
participants counted, anonymity sets too small said to the secretariat and to workers, and outcomes frozen
before the rule recounted by migration 0007 (the rule and its decisions: consult/policy/)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from consult.accounts.models import User
from consult.migrate import downgrade, upgrade
from consult.outcomes.models import ExportJob, Outcome
from consult.outcomes.services import freeze_outcome
from consult.registry.models import RegistryEntry
from tests.factories import log_in, tripartite
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude


def browser(app, user):
    """A fresh browser-like client, logged in as this person."""
    client = app.test_client()
    log_in(client, user)
    return client


def events_of(client, round_id: int) -> list[dict]:
    return client.get(f"/rounds/{round_id}/events?limit=500").get_json()["items"]


@pytest.mark.parametrize("policy", ["pseudonymous", "organisation"])
def test_named_acts_show_the_name_and_other_masked_acts_show_only_the_side(api, make, policy):
    world = tripartite(make, identity_policy=policy)
    round_id, worker = world["round"].id, world["worker"]
    make.comment(worker, world["round"], "Written under the policy.")
    assert api(worker).put(f"/rounds/{round_id}/signatories/workers", json={"user_id": worker.id}).status_code \
        in (200, 403)
    make.signatory(world["secretariat"], world["round"], "workers", worker)
    make.move_to(world["employer"], world["round"], "drafting")
    with make.db.transaction() as session:
        from consult.outcomes.services import draft_position

        draft_position(session, session.get(User, world["secretariat"].id), round_id, "privacy", "Agreed.", 0)
    assert api(worker).put(f"/rounds/{round_id}/stances/privacy",
                           json={"stance": "agree", "statement": "Fine."}).status_code in (200, 201)
    for viewer in ("employer", "government", "secretariat"):
        shown = {e["type"]: e["actor"] for e in events_of(api(world[viewer]), round_id) if e["actor"]
                 and e["actor"]["constituency"] == "workers"}
        assert shown["comment.posted"]["name"] != "Wanda Worker" and shown["comment.posted"]["id"] is None
        if "signatory.named" in shown:  # named by the worker: by name, as every signatory is
            assert shown["signatory.named"]["name"] == "Wanda Worker"
        assert shown["stance.recorded"] == {"id": None, "name": "The workers' side", "organisation": None,
                                            "constituency": "workers", "role": None}
    mine = {e["type"]: e["actor"] for e in events_of(api(worker), round_id) if e["actor"]}
    assert mine["comment.posted"]["name"] == "Wanda Worker"  # the workers' side reads its own names


def test_the_outcome_names_commenters_only_under_named_and_counts_them_only_under_organisation(api, make):
    masked = outcome_world(make, identity_policy="pseudonymous")
    union = outcome_world(make, identity_policy="organisation")
    named = outcome_world(make, identity_policy="named")
    for world in (masked, union, named):
        make.comment(world["worker"], world["round"], "A plenary remark.")
        make.comment(world["employer"], world["round"], "The employer's remark.")
        assert api(world["secretariat"]).post(f"/rounds/{world['round'].id}/timeline/advance",
                                              json={"reason": "Ready."}).status_code == 200
    documents = {}
    for key, world in (("masked", masked), ("union", union), ("named", named)):
        secretariat = api(world["secretariat"])
        documents[key] = secretariat.post(f"/rounds/{world['round'].id}/outcome/freeze").get_json()["document"]
    people = {key: {p["constituency"]: (p["people"], p["commenters"]) for p in d["participants"]}
              for key, d in documents.items()}
    # One union wrote: a count per union would say which union each pseudonym belongs to.
    assert people["masked"]["workers"] == ([], None) and people["masked"]["employers"] == (["Erin Employer"], 1)
    assert people["union"]["workers"] == ([], 1)
    assert people["named"]["workers"] == (["Wanda Worker"], 1)


def test_anonymity_sets_below_three_are_said_to_the_secretariat_and_to_workers_only(app, api, make):
    world = tripartite(make, identity_policy="organisation")
    round_id = world["round"].id
    told = api(world["secretariat"]).get(f"/rounds/{round_id}").get_json()["anonymity"]
    union = world["worker"].organisation.name
    assert told["is_too_small"] and told["worker_side"] == 1 and told["small_organisations"] == [union]
    assert api(world["worker"]).get(f"/rounds/{round_id}").get_json()["anonymity"]["is_too_small"]
    assert api(world["employer"]).get(f"/rounds/{round_id}").get_json()["anonymity"] is None
    client = browser(app, world["secretariat"])
    people = client.get(f"/rounds/{round_id}/people").get_data(as_text=True)
    assert "Anonymity warning:" in people and union in people.split("Anonymity warning:")[1][:600]
    client = browser(app, world["worker"])
    form = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Anonymity warning:" in form and "others may guess who you are" in form
    assert "shown as written by a representative of your organisation" in form
    client = browser(app, world["employer"])
    assert "Anonymity warning" not in client.get(f"/rounds/{round_id}/people").get_data(as_text=True)
    assert "Anonymity warning" not in client.get(f"/rounds/{round_id}").get_data(as_text=True)

    for _ in range(2):  # two more colleagues in the union: three people, the warning goes
        make.user(world["worker"].organisation)
    told = api(world["secretariat"]).get(f"/rounds/{round_id}").get_json()["anonymity"]
    assert told["worker_side"] == 3 and not told["is_too_small"]
    client = browser(app, world["worker"])
    form = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Anonymity warning" not in form and "representative of your organisation" in form
    named = tripartite(make, identity_policy="named")
    assert api(named["secretariat"]).get(f"/rounds/{named['round'].id}").get_json()["anonymity"] is None


def test_the_people_page_shows_employers_no_worker_names_but_the_signatory(app, api, make):
    world = tripartite(make, identity_policy="pseudonymous")
    colleague = make.user(world["worker"].organisation, name="Quentin Quietmember")
    make.signatory(world["secretariat"], world["round"], "workers", world["worker"])
    for viewer in ("employer", "government"):
        client = browser(app, world[viewer])
        page = client.get(f"/rounds/{world['round'].id}/people").get_data(as_text=True)
        assert "Wanda Worker" in page and colleague.display_name not in page, viewer


def test_an_outcome_frozen_before_the_rule_is_recounted_and_its_pdf_made_again(app, api, make, db, tmp_path):
    world = outcome_world(make, identity_policy="pseudonymous", is_public=True)
    round_id = world["round"].id
    make.comment(world["worker"], world["round"], "A plenary remark.")
    conclude(api, world)
    deadline = time.monotonic() + 90  # the registry's PDF is made after conclusion: let it finish first
    while app.test_client().get(f"/registry/{round_id}/outcome.pdf").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    # Make the record look as the old code left it: pseudonyms per union inside the signed document.
    old_file = tmp_path / "old.pdf"
    old_file.write_bytes(b"%PDF-1.7 old participants page")
    with db.transaction() as session:
        outcome = session.scalar(select(Outcome).where(Outcome.round_id == round_id))
        document = json.loads(outcome.canonical)
        for entry in document["participants"]:
            entry.pop("commenters")
            if entry["constituency"] == "workers":
                entry["people"] = ["Worker representative 1"]
        outcome.canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        entry = session.scalar(select(RegistryEntry).where(RegistryEntry.round_id == round_id))
        entry.summary = {**entry.summary, "participants": document["participants"]}
        session.add(ExportJob(round_id=round_id, outcome_id=outcome.id, digest=outcome.digest, kind="pdf_annex",
                              status="ready", path=str(old_file), size=30, requested_by_id=world["worker"].id))
        digest = outcome.digest
    shown = api(world["employer"]).get(f"/rounds/{round_id}/outcome").get_json()
    assert shown["digest"] == digest
    assert [p["people"] for p in shown["document"]["participants"] if p["constituency"] == "workers"] == [[]]

    downgrade(app.config["DATABASE_URL"], "0006")
    upgrade(app.config["DATABASE_URL"])
    with db.transaction(write=False) as session:
        entry = session.scalar(select(RegistryEntry).where(RegistryEntry.round_id == round_id))
        workers = [p for p in entry.summary["participants"] if p["constituency"] == "workers"]
        assert workers == [{**workers[0], "people": [], "commenters": None}]
        jobs = session.scalars(select(ExportJob).where(ExportJob.digest == digest)).all()
        assert {job.status for job in jobs} == {"queued"} and not old_file.exists()
        assert session.scalar(select(Outcome.digest).where(Outcome.round_id == round_id)) == digest
    assert app.test_client().get(f"/registry/{round_id}/outcome.pdf").status_code == 404  # until made again


def test_freezing_twice_with_a_count_gives_one_digest(api, make, db):
    world = outcome_world(make, identity_policy="pseudonymous")
    make.comment(world["worker"], world["round"], "Remark.")
    api(world["secretariat"]).post(f"/rounds/{world['round'].id}/timeline/advance", json={"reason": "Ready."})
    with db.transaction() as session:
        first = freeze_outcome(session, session.get(User, world["secretariat"].id), world["round"].id).digest
    with db.transaction() as session:
        assert freeze_outcome(session, session.get(User, world["secretariat"].id), world["round"].id).digest == first
