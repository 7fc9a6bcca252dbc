"""The event catalogue is the truth about the log: every type appended is declared, every declared type is
appended, the payloads written are the declared ones, and the log refuses what is not declared."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult import policy
from consult.demo import load_demo
from consult.events.catalogue import (
    AS_DISCUSSANT,
    BY_NAME,
    CAUCUS,
    EVENT_TYPES,
    PERSON,
    UndeclaredEvent,
    audience_kind,
    markdown_table,
)
from consult.events.models import Event
from consult.events.services import append_event, lock_round
from consult.notifications.derive import HANDLERS, TO_EVERYONE
from consult.opinions.expert_reminders import MOVING
from consult.rounds.models import Round
from consult.scheduler.runner import REARMING_EVENTS
from consult.workflow.legal import CLOCK_EVENTS
from tests.events.source_appends import appends
from tests.factories import tripartite


def _payload_problems(event_type: str, keys: set[str]) -> list[str]:
    declared = EVENT_TYPES[event_type]
    missing = set(declared.payload) - set(declared.optional) - keys
    extra = keys - set(declared.payload)
    return [f"{event_type}: missing {sorted(missing)}"] * bool(missing) \
        + [f"{event_type}: undeclared {sorted(extra)}"] * bool(extra)


def test_every_event_type_appended_in_the_source_is_declared():
    undeclared = {f"{append.where}: {name}" for append in appends() for name in append.types
                  if name not in EVENT_TYPES}
    assert not undeclared, "declare these in consult/events/catalogue.py"


def test_every_declared_event_type_is_appended_somewhere():
    appended = set().union(*(append.types for append in appends()))
    assert set(EVENT_TYPES) - appended == set(), "no writer appends these: remove them from the catalogue"


def test_each_payload_written_as_a_literal_has_the_declared_keys():
    literal = [append for append in appends() if append.payload_keys is not None]
    assert len(literal) >= 50  # most writers name their payload in full where they append it
    problems = [f"{append.where}: {problem}" for append in literal for name in append.types
                for problem in _payload_problems(name, set(append.payload_keys))]
    assert problems == []


def _check_log(session) -> set[str]:
    """Every event of the database against its declaration; the types seen."""
    problems, seen = [], set()
    for event in session.scalars(select(Event).order_by(Event.id)):
        seen.add(event.type)
        problems += _payload_problems(event.type, set(event.payload))
        if audience_kind(event.audience) not in EVENT_TYPES[event.type].audiences:
            problems.append(f"{event.type}: audience {event.audience}")
    assert problems == []
    return seen


@pytest.mark.one_database("sqlite", "the demo is the same on both databases (the quick start runs it on SQLite)")
def test_every_event_of_the_demo_matches_its_declaration(backend, app, db):
    load_demo(app)
    with db.transaction(write=False) as session:
        seen = _check_log(session)
    assert len(seen) >= 20  # each legal procedure, a concluded and signed round: a broad sample of the log


class TestTheFullWorld:
    """The browser crawl's world (a concluded, signed and followed-up round, a round in consultation)."""

    @pytest.fixture
    def database_url(self, world_database):
        return world_database

    @pytest.mark.one_database("sqlite", "the full world is built once, on SQLite")
    def test_every_event_of_the_full_world_matches_its_declaration(self, backend, app, db):
        with db.transaction(write=False) as session:
            seen = _check_log(session)
        assert {"comment.posted", "outcome.signed", "commitment.progress"} <= seen


def test_the_secretariat_s_timeline_acts_log_events_as_declared(api, make, db):
    """The payloads the source does not name in full where it appends them (the timeline's acts add theirs to
    the stage and reason), checked as written."""
    world = tripartite(make)
    secretariat, round_id = api(world["secretariat"]), world["round"].id
    for action, body in (("extend", {"by": "1d"}), ("pause", {}), ("resume", {}), ("hold", {}), ("advance", {})):
        response = secretariat.post(f"/rounds/{round_id}/timeline/{action}", json={"reason": "Agreed.", **body})
        assert response.status_code == 200, response.get_json()
    with db.transaction(write=False) as session:
        seen = _check_log(session)
    assert {"stage.extended", "round.paused", "round.resumed", "round.held", "stage.entered"} <= seen


def test_appending_an_undeclared_event_type_is_refused_and_nothing_is_written(make, db):
    world = tripartite(make)
    before = make.reload(Round, world["round"].id).last_seq
    with pytest.raises(UndeclaredEvent, match="'comment.liked' is not declared in consult/events/catalogue.py"):
        with db.transaction() as session:
            append_event(session, lock_round(session, world["round"].id), "comment.liked", actor_id=None,
                         audience="participants", payload={})
    assert make.reload(Round, world["round"].id).last_seq == before


def test_an_event_to_an_audience_its_type_does_not_declare_is_refused(make, db):
    world = tripartite(make)
    with pytest.raises(UndeclaredEvent, match="not for the audience 'caucus:workers'"):
        with db.transaction() as session:  # a round's opening is every participant's, never one caucus's
            append_event(session, lock_round(session, world["round"].id), "round.opened", actor_id=None,
                         audience="caucus:workers", payload={})


def test_the_event_types_other_features_react_to_are_declared():
    named = {*HANDLERS, *TO_EVERYONE, *MOVING, *REARMING_EVENTS, *CLOCK_EVENTS}
    assert named - set(EVENT_TYPES) == set()


def test_the_policy_shows_actors_and_names_audiences_as_the_catalogue_declares():
    assert policy.DISCUSSION_EVENTS == {"comment.posted", "comment.edited"}
    assert policy.NAMED_EVENTS == {"signatory.named", "outcome.signature_added", "opinion.given", "consent.decided",
                                   "expert.appointed", "expert.ended", "expert.step_recorded"}
    assert {EVENT_TYPES[name].actor for name in policy.DISCUSSION_EVENTS} == {AS_DISCUSSANT}
    assert {EVENT_TYPES[name].actor for name in policy.NAMED_EVENTS} == {BY_NAME}
    assert audience_kind(policy.caucus_audience("workers")) == CAUCUS
    assert audience_kind(policy.user_audience(3)) == PERSON
    declared = set().union(*(event.audiences for event in EVENT_TYPES.values()))
    assert declared <= {policy.PARTICIPANTS, policy.SECRETARIAT, policy.PUBLIC, CAUCUS, PERSON}


def test_the_docs_table_has_a_row_for_each_event_type():
    rows = markdown_table().splitlines()[2:]
    assert [row.split("|")[1].strip(" `") for row in rows] == list(EVENT_TYPES)
    assert all(event.description.endswith(".") for event in EVENT_TYPES.values())
