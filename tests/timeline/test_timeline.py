"""The timeline through the API: start, extend, pause, resume, hold, advance, gates; and stage rules on entry points."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select

from consult.db import utcnow
from consult.events.models import Event
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from tests.factories import tripartite
from tests.test_bad_input import assert_error_shape, snapshot

REASON = {"reason": "Agreed at the steering meeting."}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def deadlines(timeline: dict) -> dict[str, datetime | None]:
    return {s["key"]: at(s["deadline_at"]) if s["deadline_at"] else None for s in timeline["stages"]}


def event_types(db, round_id: int) -> list[str]:
    with db.transaction(write=False) as session:
        return list(session.scalars(select(Event.type).where(Event.round_id == round_id).order_by(Event.seq)))


def draft_world(make, **overrides):
    """A tripartite round still in its draft stage."""
    return tripartite(make, stage="draft", **overrides)


def test_starting_a_round_plans_every_deadline_and_every_participant_sees_them(api, make, db):
    world = draft_world(make, stage_lengths={"information": "3d", "consultation": "21d"}, time_zone="Europe/Paris")
    round_id = world["round"].id
    before = utcnow()
    started = api(world["employer"]).post(f"/rounds/{round_id}/timeline/start",
                                          json={"reason": "The plan is complete."})
    assert started.status_code == 200, started.get_json()
    timeline = started.get_json()
    assert timeline["stage"] == "information" and timeline["status"] == "open"
    due = deadlines(timeline)
    entered = at(timeline["stages"][1]["entered_at"])
    assert before <= entered <= utcnow()
    assert due["information"] == entered + timedelta(days=3)
    assert due["consultation"] == due["information"] + timedelta(days=21)
    assert due["caucus"] == due["consultation"] + timedelta(days=5)
    assert due["sign_off"] == due["drafting"] + timedelta(days=7) and due["concluded"] is None
    assert timeline["stages"][1]["deadline_local"].endswith(("+01:00", "+02:00"))  # Paris time for display
    assert api(world["worker"]).get(f"/rounds/{round_id}/timeline").get_json() == timeline
    replay = api(world["government"]).get(f"/rounds/{round_id}/events").get_json()["items"]
    assert replay[-1]["type"] == "stage.entered"
    assert replay[-1]["payload"]["stage"] == "information"
    assert replay[-1]["payload"]["reason"] == "The plan is complete."

    secretariat = api(world["secretariat"])
    before_again = snapshot(db)
    again = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/start", json=REASON), 409)
    assert again["stage"] == "information" and "already started" in again["message"]
    assert snapshot(db) == before_again


def test_extending_a_stage_moves_its_deadline_and_every_later_one_by_the_same_amount(api, make):
    world = tripartite(make)
    round_id = world["round"].id
    worker = api(world["worker"])
    was = deadlines(worker.get(f"/rounds/{round_id}/timeline").get_json())
    response = api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/extend", json={
        "by": "3d", "reason": "The union asked for time to consult its members."})
    assert response.status_code == 200
    now = deadlines(worker.get(f"/rounds/{round_id}/timeline").get_json())
    assert now["information"] == was["information"]
    for key in ("consultation", "caucus", "drafting", "sign_off"):
        assert now[key] - was[key] == timedelta(days=3), key
    extended = worker.get(f"/rounds/{round_id}/events").get_json()["items"][-1]
    assert extended["type"] == "stage.extended"
    assert extended["payload"]["reason"] == "The union asked for time to consult its members."
    assert at(extended["payload"]["deadline_at"]) == now["consultation"]


def test_pausing_stops_the_clock_and_closes_the_threads_and_resuming_moves_the_deadlines(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    secretariat, worker = api(world["secretariat"]), api(world["worker"])
    was = deadlines(worker.get(f"/rounds/{round_id}/timeline").get_json())
    paused = secretariat.post(f"/rounds/{round_id}/timeline/pause", json={"reason": "Works council elections."})
    assert paused.get_json()["status"] == "paused"
    before = snapshot(db)
    refused = assert_error_shape(worker.post(f"/rounds/{round_id}/comments",
                                             json={"section": "system", "body": "Anyone there?"}), 409)
    assert refused["stage"] == "consultation" and "paused" in refused["message"]
    assert snapshot(db) == before
    assert process_due(db, utcnow() + timedelta(days=90)) == (0, 0)  # a paused round never moves
    time.sleep(0.5)
    resumed = secretariat.post(f"/rounds/{round_id}/timeline/resume", json={"reason": "The elections are over."})
    assert resumed.get_json()["status"] == "open"
    now = deadlines(resumed.get_json())
    shift = now["consultation"] - was["consultation"]
    assert shift >= timedelta(seconds=0.5)
    assert all(now[key] - was[key] == shift for key in ("caucus", "drafting", "sign_off"))
    assert now["information"] == was["information"]
    assert worker.post(f"/rounds/{round_id}/comments", json={"section": "system", "body": "Back."}).status_code == 201
    assert event_types(db, round_id)[-3:] == ["round.paused", "round.resumed", "comment.posted"]


def test_a_held_round_stays_past_its_deadline_until_the_secretariat_advances_it(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    held = secretariat.post(f"/rounds/{round_id}/timeline/hold", json={"reason": "Awaiting a legal opinion."})
    assert held.get_json()["status"] == "held" and held.get_json()["status_reason"] == "Awaiting a legal opinion."
    process_due(db, utcnow() + timedelta(days=60))  # the test moves the clock; nothing is slept
    assert make.reload(Round, round_id).stage == "consultation"
    advanced = secretariat.post(f"/rounds/{round_id}/timeline/advance", json={"reason": "The opinion arrived."})
    timeline = advanced.get_json()
    assert timeline["stage"] == "caucus" and timeline["status"] == "open"
    caucus = next(s for s in timeline["stages"] if s["key"] == "caucus")
    # The next stage gets its full length from now.
    assert at(caucus["deadline_at"]) - at(caucus["entered_at"]) == timedelta(days=5)
    last = api(world["worker"]).get(f"/rounds/{round_id}/events").get_json()["items"][-1]
    assert last["type"] == "stage.entered"
    assert last["payload"] == {**last["payload"], "stage": "caucus", "from": "consultation", "by": "secretariat",
                               "reason": "The opinion arrived."}


def test_a_gate_that_does_not_hold_at_the_deadline_blocks_the_round_and_tells_the_secretariat(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    make.move_to(world["employer"], world["round"], "drafting")
    handled, moved = process_due(db, utcnow() + timedelta(days=60))
    assert (handled, moved) == (1, 0)
    round = make.reload(Round, round_id)
    assert (round.stage, round.status) == ("drafting", "blocked")
    assert "No signatory named for: employers, government, workers." in round.status_reason
    secretariat, worker = api(world["secretariat"]), api(world["worker"])
    told = secretariat.get(f"/rounds/{round_id}/events").get_json()["items"][-1]
    assert told["type"] == "round.blocked" and told["payload"]["stage"] == "drafting"
    assert "round.blocked" not in {e["type"] for e in worker.get(f"/rounds/{round_id}/events").get_json()["items"]}
    assert process_due(db, utcnow() + timedelta(days=61)) == (0, 0)  # blocked: no retry storm, no second event

    before = snapshot(db)
    refused = assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON), 409)
    assert refused["stage"] == "drafting" and refused["reasons"] == [
        "No signatory named for: employers, government, workers."]
    assert snapshot(db) == before

    for key in ("employer", "worker", "government"):
        make.signatory(world["secretariat"], world["round"], world[key].constituency.value, world[key])
    assert secretariat.post(f"/rounds/{round_id}/timeline/advance", json=REASON).get_json()["stage"] == "sign_off"


def test_timeline_actions_belong_to_the_secretariat_and_out_of_turn_ones_change_nothing(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    for person in ("worker", "employer", "government", "secretariat"):
        api(world[person])  # each person's API token exists before the snapshot
    before = snapshot(db)
    for person, action in (("worker", "pause"), ("employer", "extend"), ("government", "advance"),
                           ("employer", "hold")):
        body = {"by": "1d", **REASON} if action == "extend" else REASON
        assert_error_shape(api(world[person]).post(f"/rounds/{round_id}/timeline/{action}", json=body), 403)
    secretariat = api(world["secretariat"])
    assert assert_error_shape(secretariat.post(f"/rounds/{round_id}/timeline/resume", json=REASON), 409)[
        "stage"] == "consultation"
    assert snapshot(db) == before
    draft = draft_world(make)
    draft_secretariat = api(draft["secretariat"])
    before = snapshot(db)
    refused = assert_error_shape(draft_secretariat.post(f"/rounds/{draft['round'].id}/timeline/advance",
                                                        json=REASON), 409)
    assert refused["stage"] == "draft" and "start it" in refused["message"]
    assert_error_shape(secretariat.post(f"/rounds/{draft['round'].id}/timeline/pause", json=REASON), 404)
    assert snapshot(db) == before


def test_an_action_the_stage_does_not_open_is_refused_with_409_naming_the_stage(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    worker, government = api(world["worker"]), api(world["government"])
    make.move_to(world["employer"], world["round"], "caucus")
    before = snapshot(db)
    refused = assert_error_shape(worker.post(f"/rounds/{round_id}/comments",
                                             json={"section": "privacy", "body": "In plenary?"}), 409)
    assert refused["stage"] == "caucus"
    assert refused["message"] == "Plenary comments are not open to you in the caucus stage."
    assert snapshot(db) == before
    caucus = worker.post(f"/rounds/{round_id}/comments",
                         json={"section": "privacy", "body": "Among ourselves.", "channel": "caucus"})
    assert caucus.status_code == 201

    draft = draft_world(make)
    draft_worker = api(draft["worker"])
    before = snapshot(db)
    early = assert_error_shape(draft_worker.post(f"/rounds/{draft['round'].id}/comments", json={
        "section": "system", "body": "Too early", "channel": "caucus"}), 409)
    assert early["stage"] == "draft"
    assert snapshot(db) == before
    assert government.get(f"/rounds/{round_id}/comments").status_code == 200


def test_the_round_page_shows_the_timeline_in_the_rounds_time_zone(api, make, client):
    from tests.factories import log_in

    world = draft_world(make, time_zone="America/Sao_Paulo")
    round_id = world["round"].id
    timeline = api(world["employer"]).post(f"/rounds/{round_id}/timeline/start", json=REASON).get_json()
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/hold", json={"reason": "Awaiting counsel."})
    log_in(client, world["government"])
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    # The deadline in the round's local time, written the English way (the page's language).
    deadline = format_datetime(at(timeline["stages"][1]["deadline_at"]), "MMM d, y, h:mm\u202fa",
                               tzinfo=ZoneInfo("America/Sao_Paulo"), locale="en")
    assert deadline in page
    assert 'aria-current="step"' in page and "The round is held: Awaiting counsel." in page
