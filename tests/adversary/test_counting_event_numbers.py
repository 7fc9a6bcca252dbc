"""Issue 29 on the event log of a round with a legal procedure: each viewer's numbers run 1, 2, 3... per audience.

The existing counting test plays comments; here the round is on the French CSE profile and more happens that
not every party may see or act on: the workers appoint an expert, the employer records a cost and the workers a
step of the expert's calendar, the employer attaches a caucus-only document and a draft, releases them, a
question is asked and withdrawn, the secretariat hides a comment, the worker acknowledges a release. Every
participant's replay then numbers each audience it reads from 1 without a hole, its heads match its last
numbers, and it is given no head of an audience it does not read.
"""

from __future__ import annotations

from tests.opinions.helpers import appoint_expert, profile_world, start_with_package
from tests.package.files import PDF
from tests.package.helpers import attach

READS = {"worker": {"participants", "public", "caucus:workers"},
         "second_worker": {"participants", "public", "caucus:workers"},
         "government": {"participants", "public", "caucus:government"},
         "employer": {"participants", "public", "caucus:employers"},
         "secretariat": {"participants", "public", "secretariat"}}


def test_every_viewer_numbers_each_audience_without_holes_in_a_legal_procedure(app, make, api):
    world = profile_world(make, "fr-cse")
    start_with_package(api, world)
    round_id = world["round"].id
    employer, worker, secretariat = api(world["employer"]), api(world["worker"]), api(world["secretariat"])
    expert = appoint_expert(api, world)
    assert employer.post(f"/rounds/{round_id}/experts/{expert['id']}/costs", json={
        "amount_minor": 150000, "currency": "EUR", "description": "Report on the DPIA"}).status_code == 201
    assert worker.post(f"/rounds/{round_id}/experts/{expert['id']}/steps", json={
        "step": "information_requested", "note": "The DPIA's annexes."}).status_code == 201
    assert attach(employer, round_id, "margins.pdf", PDF + b"%caucus\n", title="Margins",
                  caucus="employers").status_code == 201
    assert attach(employer, round_id, "draft.pdf", PDF + b"%draft\n", title="Draft").status_code == 201
    releases = employer.post(f"/rounds/{round_id}/package/release").get_json()
    asked = worker.post(f"/rounds/{round_id}/questions", json={"section": "system", "body": "Which data is kept?"})
    assert asked.status_code == 201
    assert worker.post(f"/rounds/{round_id}/questions/{asked.get_json()['id']}/withdraw",
                       json={"reason": "Answered in the meeting."}).status_code == 200
    posted = worker.post(f"/rounds/{round_id}/comments", json={"section": "system", "body": "Off topic"})
    assert secretariat.post(f"/rounds/{round_id}/comments/{posted.get_json()['id']}/hide",
                            json={"reason": "Off topic."}).status_code == 200
    plenary = next(r for r in releases if r["caucus"] is None)
    assert worker.post(f"/rounds/{round_id}/package/releases/{plenary['id']}/acknowledgement").status_code == 201

    for who, reads in READS.items():
        listed = api(world[who]).get(f"/rounds/{round_id}/events?limit=1000").get_json()
        personal = f"user:{world[who].id}"
        assert set(listed["heads"]) == reads | {personal}, who
        for audience, head in listed["heads"].items():
            numbers = [event["seq"] for event in listed["items"] if event["audience"] == audience]
            assert numbers == list(range(1, head + 1)), (who, audience, numbers, head)
