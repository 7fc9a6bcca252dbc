"""Appointing and ending an expert are named acts (README/consult/policy/): the events carry no alias, the
signatory or the secretariat is shown by name, and the member in charge (a worker representative) is named only
to those the identity policy lets see the workers' people by name (issue 29).
"""

from __future__ import annotations

import json

import pytest

from tests.opinions.helpers import REASON, expert_body, profile_world


@pytest.mark.parametrize("policy", ["pseudonymous", "organisation"])
def test_expert_events_name_the_signatory_and_never_a_pseudonym_nor_the_member_to_other_sides(policy, api, make, db):
    world = profile_world(make, "fr-cse", identity_policy=policy)
    round_id = world["round"].id
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    worker = api(world["worker"])
    make.comment(world["second_worker"], world["round"], "The member in charge speaks in the plenary.")
    appointed = worker.post(f"/rounds/{round_id}/experts", json=expert_body(world))
    assert appointed.status_code == 201, appointed.get_json()
    ended = worker.post(f"/rounds/{round_id}/experts/{appointed.get_json()['id']}/end", json={"reason": "Done."})
    assert ended.status_code == 200, ended.get_json()
    for party, sees_member in (("worker", True), ("secretariat", True), ("employer", False), ("government", False)):
        client = api(world[party])
        events = [e for e in client.get(f"/rounds/{round_id}/events").get_json()["items"]
                  if e["type"].startswith("expert.")]
        assert [e["type"] for e in events] == ["expert.appointed", "expert.ended"], party
        for event in events:
            assert event["actor"]["name"] == "Wanda Worker", (party, event)  # the signatory, by name
        text = json.dumps(events)
        assert "Worker representative" not in text and "A representative of" not in text, party
        assert "Wim Worker" not in text, party  # the member in charge is not in the events at all
        procedure = client.get(f"/rounds/{round_id}/procedure").get_json()
        member = procedure["experts"][0]["member_in_charge"]
        assert (member == "Wim Worker") if sees_member else member is None, (party, member)
