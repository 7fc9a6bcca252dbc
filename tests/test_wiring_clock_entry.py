"""A legal clock whose start event came in an earlier stage is set when the scheduler enters the clock's stage.

The shipped fr-cse profile enters its clock's stage as the round starts, in the same transaction as the package's
release, so the event hook sets the clock. A profile with a timed stage before it (here fr-cse with one day of
information first) relies on the clock's stage hook (`consult.opinions.clocks.set_clock_on_entry`).
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import create_app
from consult.db import utcnow
from consult.events.models import Event
from consult.paths import ROOT
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from consult.timeline.models import PlannedStage
from tests.opinions.helpers import profile_world, start_with_package

INFORMATION_FIRST = '''[[stages]]
key = "information"
title = "Information"
duration = "1d"
on_deadline = "advance"
open = { comment = "all" }

[[stages]]
key = "consultation"'''


@pytest.fixture
def app(database_url, tmp_path, compiled_catalogues):
    """The application with a fr-cse profile whose clock's stage comes after a day of information."""
    folder = tmp_path / "workflows"
    shutil.copytree(ROOT / "workflows", folder)
    profile = folder / "fr-cse.toml"
    profile.write_text(profile.read_text().replace('[[stages]]\nkey = "consultation"', INFORMATION_FIRST, 1))
    shutil.copytree(compiled_catalogues, tmp_path / "instance" / "translations", dirs_exist_ok=True)
    application = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                              "SECRET_KEY": "test-secret", "TESTING": True, "WORKFLOWS_PATH": str(folder)})
    yield application
    application.extensions["consult.db"].dispose()


def test_a_clock_started_in_an_earlier_stage_gets_its_deadline_when_the_scheduler_enters_its_stage(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    start_with_package(api, world)  # released as the information stage starts: the clock has started
    process_due(db, utcnow() + timedelta(days=2))  # the information stage's deadline has passed
    with db.transaction(write=False) as session:
        assert session.get(Round, round_id).stage == "consultation"
        deadline = session.scalar(select(PlannedStage.deadline_at).where(PlannedStage.round_id == round_id,
                                                                         PlannedStage.key == "consultation"))
        because = session.scalars(select(Event.payload["because"].as_string()).where(
            Event.round_id == round_id, Event.type == "clock.set")).all()
    assert deadline is not None and because == ["stage.entered"]
