"""Opening rounds, inviting organisations and naming signatories, through the API."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.events.models import Event
from tests.factories import round_payload, tripartite


def _events(db, round_id: int) -> list[tuple[int, str]]:
    with db.transaction(write=False) as session:
        return [tuple(row) for row in session.execute(select(Event.seq, Event.type).where(Event.round_id == round_id)
                               .order_by(Event.seq)).all()]


def test_an_employer_opens_a_round_with_its_full_plan(api, make, db):
    employer = make.user("employers")
    response = api(employer).post("/rounds", json=round_payload(identity_policy="pseudonymous"))
    assert response.status_code == 201, response.get_json()
    round = response.get_json()
    assert round["stage"] == "draft" and round["workflow"] == "standard"
    assert round["employer"]["id"] == employer.organisation_id
    assert round["plan"]["system_name"] == "RosterAI"
    assert round["plan"]["is_high_risk"] is True  # monitoring is an Annex III 4(b) use
    assert [s["key"] for s in round["sections"]] == [
        "system", "social_dialogue", "skills_training", "safety_health_dignity", "non_discrimination",
        "privacy", "productivity_inclusion"]
    assert round["sections"][5]["impact_statement"] == "No tracking outside working time."
    assert _events(db, round["id"]) == [(1, "round.opened")]


def test_a_scheduling_only_plan_is_not_flagged_high_risk_unless_declared(api, make):
    employer = make.user("employers")
    body = round_payload()
    body["plan"]["functions"] = ["scheduling"]
    assert api(employer).post("/rounds", json=body).get_json()["plan"]["is_high_risk"] is False
    body["plan"]["declares_high_risk"] = True
    assert api(employer).post("/rounds", json=body).get_json()["plan"]["is_high_risk"] is True


def test_the_secretariat_opens_a_round_for_a_named_employer(api, make):
    secretariat = make.user("secretariat")
    employer_org = make.organisation("employers", "Acme Warehousing")
    response = api(secretariat).post("/rounds", json=round_payload(employer_organisation_id=employer_org.id))
    assert response.status_code == 201
    assert response.get_json()["employer"]["name"] == "Acme Warehousing"
    assert response.get_json()["my_constituency"] == "secretariat"


def test_a_worker_cannot_open_a_round(api, make, db):
    worker = make.user("workers")
    response = api(worker).post("/rounds", json=round_payload())
    assert response.status_code == 403
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count(Event.id))) == 0


def test_invited_organisations_see_the_round_and_the_invitation_is_logged(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    listed = api(world["worker"]).get("/rounds").get_json()["items"]
    assert [r["id"] for r in listed] == [round_id]
    participants = api(world["government"]).get(f"/rounds/{round_id}/participants").get_json()
    assert {p["organisation"]["constituency"] for p in participants} == {
        "employers", "workers", "government", "secretariat"}
    assert [t for _, t in _events(db, round_id)] == (
        ["round.opened"] + ["organisation.invited"] * 3 + ["stage.entered"] * 2)


def test_inviting_twice_is_a_conflict_and_only_the_employer_or_secretariat_invites(api, make):
    world = tripartite(make)
    round_id = world["round"].id
    again = api(world["employer"]).post(f"/rounds/{round_id}/participants",
                                        json={"organisation_id": world["worker"].organisation_id})
    assert again.status_code == 409
    other_union = make.organisation("workers")
    by_worker = api(world["worker"]).post(f"/rounds/{round_id}/participants", json={"organisation_id": other_union.id})
    assert by_worker.status_code == 403


def test_each_constituency_names_its_signatory(api, make):
    world = tripartite(make)
    round_id = world["round"].id
    named = api(world["worker"]).put(f"/rounds/{round_id}/signatories/workers", json={"user_id": world["worker"].id})
    assert named.status_code == 200 and named.get_json()["name"] == "Wanda Worker"
    by_secretariat = api(world["secretariat"]).put(f"/rounds/{round_id}/signatories/government",
                                                   json={"user_id": world["government"].id})
    assert by_secretariat.status_code == 200
    not_theirs = api(world["worker"]).put(f"/rounds/{round_id}/signatories/employers",
                                          json={"user_id": world["employer"].id})
    assert not_theirs.status_code == 403
    wrong_person = api(world["secretariat"]).put(f"/rounds/{round_id}/signatories/employers",
                                                 json={"user_id": world["worker"].id})
    assert wrong_person.status_code == 422
    listed = api(world["employer"]).get(f"/rounds/{round_id}/signatories").get_json()
    assert {(s["constituency"], s["name"]) for s in listed} == {
        ("workers", "Wanda Worker"), ("government", "Gil Government")}
