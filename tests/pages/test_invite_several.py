"""The people page invites several organisations in one submit: all of them, each with its event, or none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.events.models import Event
from consult.notifications.models import Notification
from consult.rounds.models import Participant
from tests.factories import tripartite
from tests.pages.forms import browser, send
from tests.test_bad_input import snapshot


@pytest.fixture
def world(make):
    world = tripartite(make, stage="draft")
    world["union"] = make.organisation("workers", name="Second Union")
    world["inspectorate"] = make.organisation("government", name="Labour Inspectorate")
    world["steward"] = make.user(world["union"], name="Sam Steward")
    world["inspector"] = make.user(world["inspectorate"], name="Ines Inspector")
    return world


def invite(client, round_id: int, ids: list) -> object:
    """Post the invite form with these boxes ticked (a list of values: one field per box, as a browser does)."""
    page = f"/rounds/{round_id}/people"
    return send(client, f"{page}/invite", {"organisation_id": [str(i) for i in ids]}, page=page)


def invited_events(db, round_id: int) -> list[dict]:
    with db.transaction(write=False) as session:
        return [e.payload for e in session.scalars(select(Event).where(
            Event.round_id == round_id, Event.type == "organisation.invited").order_by(Event.seq))]


def test_the_secretariat_invites_two_organisations_in_one_submit(app, db, world):
    round_id = world["round"].id
    secretariat = browser(app, world["secretariat"])
    page = secretariat.get(f"/rounds/{round_id}/people").get_data(as_text=True)
    assert f'type="checkbox" id="invite-{world["union"].id}"' in page
    for taking_part in ("worker", "government", "employer"):  # shown as taking part, never offered
        organisation = world[taking_part].organisation
        assert f'id="invite-{organisation.id}"' not in page
        assert organisation.name in page.split("Taking part already:")[1].split("</p>")[0]
    before = len(invited_events(db, round_id))
    response = invite(secretariat, round_id, [world["union"].id, world["inspectorate"].id])
    assert response.status_code == 303
    shown = secretariat.get(response.headers["Location"]).get_data(as_text=True)
    assert "The organisations are invited." in shown
    assert '<span class="org">Second Union</span>' in shown and '<span class="org">Labour Inspectorate</span>' in shown
    assert 'id="invite-' not in shown.split("Taking part already:")[0].split("invite-heading")[1]  # none left
    events = invited_events(db, round_id)[before:]
    assert [e["name"] for e in events] == ["Second Union", "Labour Inspectorate"]
    with db.transaction(write=False) as session:
        told = set(session.scalars(select(Notification.user_id).where(Notification.round_id == round_id,
                                                                     Notification.kind == "round.invitation")))
    assert {world["steward"].id, world["inspector"].id} <= told  # each invitation's notification, from its event


def test_an_unknown_repeated_or_already_invited_one_refuses_the_whole_set(app, db, world):
    round_id = world["round"].id
    secretariat = browser(app, world["secretariat"])
    union, worker_org = world["union"].id, world["worker"].organisation_id
    before = snapshot(db)
    cases = [
        ([union, 999999], 422, "No organisation has the id 999999."),
        ([union, "abc"], 422, "Not a valid integer."),
        ([union, union], 422, "Second Union is listed twice."),
        ([union, worker_org], 409, f"{world['worker'].organisation.name} is invited already."),
        ([], 422, "Missing data for required field."),
    ]
    for ids, status, named in cases:
        response = invite(secretariat, round_id, ids)
        html = response.get_data(as_text=True)
        assert response.status_code == status, (ids, response.status_code)
        assert snapshot(db) == before, ids
        assert 'id="problem-invite"' in html and named in html, (ids, named)
    kept = invite(secretariat, round_id, [union, 999999]).get_data(as_text=True)
    assert f'id="invite-{union}" name="organisation_id" value="{union}" checked' in kept  # the ticks are kept


def test_someone_who_may_not_invite_is_refused_and_nothing_is_saved(app, db, world):
    round_id = world["round"].id
    worker = browser(app, world["worker"])
    assert 'type="checkbox"' not in worker.get(f"/rounds/{round_id}/people").get_data(as_text=True)
    before = snapshot(db)
    assert invite(worker, round_id, [world["union"].id, world["inspectorate"].id]).status_code == 403
    assert snapshot(db) == before
    with db.transaction(write=False) as session:
        assert session.scalar(select(Participant).where(Participant.organisation_id == world["union"].id)) is None
