"""The dashboard: my rounds with the time left in their stage, and what waits for me (and only for me)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import event

from consult.accounts.models import User
from consult.db import utcnow
from consult.outcomes.models import StanceKind
from consult.outcomes.services import draft_position, freeze_outcome, record_stance, sign_outcome
from consult.timeline.models import PlannedStage
from tests.factories import PASSWORD, log_in, tripartite


def dashboard_of(app, person) -> str:
    client = app.test_client()
    log_in(client, person)
    return client.get("/").get_data(as_text=True)


def waiting_list(page: str, kind: str) -> str:
    """The items of one kind of waiting work ("questions", "stances", "signatures"), or "" when there are none."""
    found = re.search(rf'<ul aria-labelledby="{kind}-heading" class="waiting-{kind}">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def test_each_round_shows_its_stage_the_time_left_and_the_deadline_in_its_time_zone(app, make):
    world = tripartite(make, time_zone="America/Sao_Paulo", title="Consultation on RosterAI in Brazil")
    page = dashboard_of(app, world["worker"])
    with make.db.transaction(write=False) as session:
        deadline = session.query(PlannedStage).filter_by(round_id=world["round"].id, key="consultation").one()
        local = format_datetime(deadline.deadline_at, "MMM d, y, h:mm\u202fa", tzinfo=ZoneInfo("America/Sao_Paulo"),
                                locale="en")  # the round's local time, the English way
    item = re.search(r'<li class="card">.*?Consultation on RosterAI in Brazil.*?</li>', page, re.S).group(0)
    assert '<span class="stage">Consultation</span>' in item
    days = (deadline.deadline_at - utcnow()).days  # the factory enters stages early: the plan keeps its deadlines
    assert days >= 13 and f'<strong class="time-left">{days} days left</strong>' in item
    assert f"deadline {local} (America/Sao_Paulo)" in item


def test_questions_to_answer_wait_for_the_employer_until_someone_of_the_employer_side_replies(app, make):
    world = tripartite(make, stage="information")
    round = world["round"]
    question = make.comment(world["worker"], round, "Who reads the scanner data?", section="privacy")
    make.comment(world["government"], round, "Which lawful basis applies?", section="privacy")
    make.comment(world["employer"], round, "We publish the data map next week.", section="system")  # not a question
    employer_page = dashboard_of(app, world["employer"])
    questions = waiting_list(employer_page, "questions")
    assert "2 questions without an answer" in questions and f"#comment-{question.public_id}" in questions
    assert waiting_list(dashboard_of(app, world["worker"]), "questions") == ""
    assert waiting_list(dashboard_of(app, world["government"]), "questions") == ""
    make.comment(world["employer"], round, "HR and shift leads.", section="privacy", parent_id=question.public_id)
    assert "1 question without an answer" in waiting_list(dashboard_of(app, world["employer"]), "questions")


def test_stances_to_record_wait_for_each_constituency_that_has_not_recorded_one(app, make):
    world = tripartite(make, stage="drafting")
    round = world["round"]
    with make.db.transaction() as session:
        draft_position(session, session.get(User, world["secretariat"].id), round.id, "privacy", "30 days.", 0)
    assert "Privacy" in waiting_list(dashboard_of(app, world["worker"]), "stances")
    with make.db.transaction() as session:
        record_stance(session, session.get(User, world["worker"].id), round.id, "privacy", StanceKind.AGREE, "")
    assert waiting_list(dashboard_of(app, world["worker"]), "stances") == ""
    assert "Privacy" in waiting_list(dashboard_of(app, world["employer"]), "stances")
    assert "Skills" not in waiting_list(dashboard_of(app, world["employer"]), "stances")  # no position there yet
    assert waiting_list(dashboard_of(app, world["secretariat"]), "stances") == ""


def test_a_frozen_outcome_waits_for_its_named_signatories_only(app, make):
    world = tripartite(make, stage="drafting")
    round = world["round"]
    colleague = make.user(world["worker"].organisation, name="Walt Worker")
    for party in ("worker", "employer", "government"):
        make.signatory(world["secretariat"], round, world[party].constituency.value, world[party])
    make.move_to(world["employer"], round, "sign_off")
    with make.db.transaction() as session:
        digest = freeze_outcome(session, session.get(User, world["secretariat"].id), round.id).digest
    signatures = waiting_list(dashboard_of(app, world["worker"]), "signatures")
    assert "version 1 of the outcome waits for your signature" in signatures
    assert waiting_list(dashboard_of(app, colleague), "signatures") == ""
    assert waiting_list(dashboard_of(app, world["secretariat"]), "signatures") == ""
    with make.db.transaction() as session:
        sign_outcome(session, session.get(User, world["worker"].id), round.id, digest, PASSWORD, None)
    assert waiting_list(dashboard_of(app, world["worker"]), "signatures") == ""
    assert "waits for your signature" in waiting_list(dashboard_of(app, world["employer"]), "signatures")


def test_the_dashboard_takes_as_many_statements_for_six_rounds_as_for_one(app, make, db):
    world = tripartite(make, stage="information")
    make.comment(world["worker"], world["round"], "A question?", section="privacy")
    client = app.test_client()
    log_in(client, world["employer"])

    def statements() -> int:
        counted = []
        # Queries only: the connection's settings (SQLite's busy timeout is set per request when it differs
        # from what the connection last had) and transaction control depend on the pool, not on the rounds.
        def listener(_connection, _cursor, statement, *_args):
            if statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"):
                counted.append(statement)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(counted)

    one = statements()
    for _ in range(5):
        other = make.round(world["employer"], invite=(world["worker"].organisation,), stage="information")
        make.comment(world["worker"], other, "Another question?", section="privacy")
    assert statements() == one
    assert client.get("/").get_data(as_text=True).count("1 question without an answer") == 6


def test_time_left_reads_in_days_hours_and_minutes(app):
    from datetime import timedelta

    from consult.rounds.dashboard import time_left

    now = utcnow()
    with app.test_request_context("/"):
        assert time_left(now + timedelta(days=3, hours=2), now) == "3 days left"
        assert time_left(now + timedelta(days=1, minutes=1), now) == "1 day left"
        assert time_left(now + timedelta(hours=5, minutes=59), now) == "5 hours left"
        assert time_left(now + timedelta(seconds=30), now) == "1 minute left"
        assert time_left(now - timedelta(seconds=1), now) == "Deadline passed"
