"""The demo tells the story a newcomer should see within a minute: each legal procedure, and a concluded round
whose signed outcome is in the public registry with commitments followed against a KPI chart."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.demo import load_demo
from consult.outcomes.models import Commitment, Outcome, OutcomeStatus
from consult.rounds.models import Round


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("by design: the demo is the same on both databases (the quick start runs it on SQLite)")


def test_the_demo_has_a_round_under_each_legal_profile_and_a_concluded_one(sqlite_only, app, db, client):
    load_demo(app)
    with db.transaction(write=False) as session:
        rounds = {r.workflow: r for r in session.scalars(select(Round)).all() if r.stage != "concluded"}
        concluded = session.scalar(select(Round).where(Round.stage == "concluded"))
        assert {"fr-cse", "de-betrvg", "eu-ai-act"} <= set(rounds)
        assert rounds["de-betrvg"].stage == "conciliation"
        assert concluded is not None and concluded.is_public
        outcome = session.scalar(select(Outcome).where(Outcome.round_id == concluded.id))
        assert outcome.status == OutcomeStatus.SIGNED
        commitments = session.scalars(select(Commitment).where(Commitment.round_id == concluded.id)).all()
        assert len(commitments) == 2
    assert concluded.title in client.get("/registry").get_data(as_text=True)  # the public sees it, logged out
    page = client.get(f"/rounds/{concluded.id}/commitments/{commitments[0].id}")
    assert page.status_code in (200, 302)


def test_the_concluded_round_shows_a_kpi_chart_to_its_participants(sqlite_only, app, db, client):
    load_demo(app)
    with db.transaction(write=False) as session:
        concluded = session.scalar(select(Round).where(Round.stage == "concluded"))
        commitment = session.scalars(select(Commitment).where(Commitment.round_id == concluded.id)).first()
    credentials = (app.instance_path + "/demo-credentials.txt")
    line = next(row for row in open(credentials).read().splitlines() if "claire.martin" in row)
    email, password = line.split()[1], line.split()[2]
    login = client.get("/login")
    token = login.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code == 302
    page = client.get(f"/rounds/{concluded.id}/commitments/{commitment.id}").get_data(as_text=True)
    assert 'class="kpi-chart"' in page and "85" in page
