"""PUT /rounds/<id>/stances: several sections' stances in one request, all or none; the one-section route stays."""

from __future__ import annotations

from tests.outcomes.helpers import outcome_world
from tests.test_bad_input import assert_error_shape, snapshot


def test_several_stances_in_one_request_all_or_none(api, make, db):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    worker, secretariat = api(world["worker"]), api(world["secretariat"])
    path = f"/rounds/{round_id}/stances"
    before = snapshot(db)
    bad = assert_error_shape(worker.put(path, json={"stances": {
        "system": {"stance": "agree"}, "privacy": {"stance": "disagree"}}}), 422)
    assert list(bad["fields"]["stances"]) == ["privacy"] and "Privacy" in bad["message"]
    assert "privacy" in assert_error_shape(worker.put(path, json={"stances": {"privacy": {"stance": "maybe"}}}),
                                           422)["fields"]["stances"]
    assert_error_shape(secretariat.put(path, json={"stances": {"system": {"stance": "agree"}}}), 403)
    assert snapshot(db) == before
    both = worker.put(path, json={"stances": {"system": {"stance": "agree"},
                                              "privacy": {"stance": "disagree", "statement": "No audit."}}})
    assert both.status_code == 200
    assert [(s["section"], s["stance"]) for s in both.get_json()] == [("system", "agree"), ("privacy", "disagree")]
    again = worker.put(path, json={"stances": {"system": {"stance": "agree"}}})
    assert again.status_code == 200 and again.get_json() == []  # unchanged: nothing recorded, no event
    single = worker.put(f"{path}/privacy", json={"stance": "agree"})  # the one-section route still works
    assert single.status_code == 200 and single.get_json()["stance"] == "agree"
