"""After the round: progress on commitments, review reminders and overdue flags by the scheduler, follow-up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.db import utcnow
from consult.events.models import Event
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from tests.factories import log_in
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude
from tests.test_bad_input import assert_error_shape


def events_of(db, round_id: int, type: str) -> list[dict]:
    with db.transaction(write=False) as session:
        return [e.payload for e in session.scalars(select(Event).where(Event.round_id == round_id, Event.type == type)
                                                   .order_by(Event.seq))]


def test_commitments_are_followed_up_reminded_flagged_overdue_and_can_start_a_follow_up_round(api, make, db, client):
    world = outcome_world(make)
    round_id = world["round"].id
    secretariat, employer = api(world["secretariat"]), api(world["employer"])
    today = utcnow().date()
    for description, days in (("Train every shift lead", 20), ("Publish the data-retention review", 60)):
        added = secretariat.post(f"/rounds/{round_id}/commitments", json={
            "description": description, "owner_organisation_id": world["employer"].organisation_id,
            "kpi": "Done", "target": "Yes", "due_on": (today + timedelta(days=days)).isoformat()})
        assert added.status_code == 201
    conclude(api, world)
    commitments = {c["description"]: c["id"] for c in employer.get(f"/rounds/{round_id}/commitments").get_json()}
    assert len(commitments) == 3
    audit, training, review = (commitments["Publish an annual algorithmic audit"],
                               commitments["Train every shift lead"], commitments["Publish the data-retention review"])
    assert make.reload(Round, round_id).wake_at is not None  # the scheduler will look at the commitments

    progress = employer.post(f"/rounds/{round_id}/commitments/{audit}/updates", json={
        "value": "1 audit published", "note": "By the works council's auditor.",
        "evidence": ["https://northgate.example/audit-2027.pdf"], "completes": True})
    assert progress.status_code == 201
    assert_error_shape(api(world["worker"]).post(f"/rounds/{round_id}/commitments/{training}/updates",
                                                 json={"value": "none"}), 403)
    assert_error_shape(employer.post(f"/rounds/{round_id}/commitments/{training}/updates",
                                     json={"value": "x", "evidence": ["javascript:alert(1)"]}), 422)
    employer.post(f"/rounds/{round_id}/commitments/{training}/updates", json={"value": "12 of 40 trained"})
    history = api(world["government"]).get(f"/rounds/{round_id}/commitments/{audit}/updates").get_json()
    assert history[0]["evidence"] == ["https://northgate.example/audit-2027.pdf"]

    # The test moves the clock: two weeks on, the training is due within 7 days.
    process_due(db, utcnow() + timedelta(days=14))
    reminders = events_of(db, round_id, "commitment.review_due")
    assert [(r["commitment_id"], r["days_before"]) for r in reminders if r["commitment_id"] == training] == [
        (training, 7)]
    assert all(r["commitment_id"] != audit for r in reminders)  # met: no more reminders
    assert events_of(db, round_id, "commitment.overdue") == []
    # Three weeks on, it is overdue; the data-retention review is not due yet.
    process_due(db, utcnow() + timedelta(days=22))
    overdue = events_of(db, round_id, "commitment.overdue")
    assert [o["commitment_id"] for o in overdue] == [training]
    assert overdue[0]["latest_value"] == "12 of 40 trained"
    process_due(db, utcnow() + timedelta(days=22))
    assert len(events_of(db, round_id, "commitment.overdue")) == 1  # once

    flagged = api(world["government"]).get("/me/commitments?status=overdue").get_json()
    assert [c["id"] for c in flagged] == [training] and flagged[0]["status"] == "overdue"
    statuses = {c["id"]: c["status"] for c in api(world["worker"]).get("/me/commitments").get_json()}
    assert statuses == {audit: "completed", training: "overdue", review: "open"}
    log_in(client, world["government"])
    dashboard = client.get("/").get_data(as_text=True)
    assert "Overdue commitments" in dashboard and "Train every shift lead" in dashboard
    assert "Publish the data-retention review" not in dashboard
    assert "<svg" in client.get("/monitoring").get_data(as_text=True)
    weeks = api(world["worker"]).get("/monitoring/commitments?weeks=4").get_json()["weeks"]
    assert len(weeks) == 4 and weeks[-1]["completed"] == 1

    opened = employer.post(f"/rounds/{round_id}/commitments/{training}/follow-up",
                           json={"title": "Follow-up: shift-lead training"})
    assert opened.status_code == 201, opened.get_json()
    follow_up = opened.get_json()
    assert follow_up["workflow"] == "fast-track" and follow_up["follow_up_of_round_id"] == round_id
    assert follow_up["follow_up_of_commitment_id"] == training
    assert follow_up["plan"]["system_name"] == world["round"].plan.system_name
    parties = {p["organisation"]["constituency"] for p in api(world["worker"]).get(
        f"/rounds/{follow_up['id']}/participants").get_json()}
    assert parties == {"employers", "workers", "government", "secretariat"}
    linked = events_of(db, round_id, "commitment.follow_up_opened")
    assert linked == [{**linked[0], "commitment_id": training, "round_id": follow_up["id"]}]
    assert_error_shape(api(world["worker"]).post(f"/rounds/{round_id}/commitments/{training}/follow-up",
                                                 json={"title": "Ours"}), 403)
