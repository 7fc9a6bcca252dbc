"""Questions to the employer: open, answered, withdrawn; the gate; the outcome lists what is left open."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import User
from consult.events.models import Event
from consult.outcomes.snapshot import build_document
from consult.questions.models import Question
from consult.rounds.models import Round
from tests.factories import tripartite


def _ask(api, user, round_id: int, body: str = "Which data does the system keep, and for how long?"):
    return api(user).post(f"/rounds/{round_id}/questions", {"section": "privacy", "body": body})


def test_a_question_is_open_until_the_employer_answers_it(make, api, db):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    asked = _ask(api, world["worker"], round_id)
    assert asked.status_code == 201, asked.get_json()
    question = asked.get_json()
    assert question["state"] == "open" and question["section"] == "privacy"
    # The question is a plenary comment too: it is in the thread.
    comments = api(world["government"]).get(f"/rounds/{round_id}/comments").get_json()["items"]
    assert [c["id"] for c in comments] == [question["comment_id"]]
    open_now = api(world["government"]).get(f"/rounds/{round_id}/questions?state=open").get_json()
    assert [q["id"] for q in open_now] == [question["id"]]
    answered = api(world["employer"]).post(f"/rounds/{round_id}/questions/{question['id']}/answer",
                                           {"answer": "Shift logs, **12 months**."})
    assert answered.status_code == 200
    body = answered.get_json()
    assert body["state"] == "answered" and "<strong>12 months</strong>" in body["answer_html"]
    assert body["answered_by"] == world["employer"].display_name and body["answered_at"]
    again = api(world["employer"]).post(f"/rounds/{round_id}/questions/{question['id']}/answer", {"answer": "More."})
    assert again.status_code == 409
    assert api(world["government"]).get(f"/rounds/{round_id}/questions?state=open").get_json() == []


def test_only_the_employer_answers_and_only_the_asker_or_secretariat_withdraws(make, api, db):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    question_id = _ask(api, world["worker"], round_id).get_json()["id"]
    for who in ("worker", "government", "secretariat"):
        response = api(world[who]).post(f"/rounds/{round_id}/questions/{question_id}/answer", {"answer": "No."})
        assert response.status_code == 403, who
    assert api(world["government"]).post(f"/rounds/{round_id}/questions/{question_id}/withdraw",
                                         {"reason": "Not mine."}).status_code == 403
    # A withdrawal says why.
    assert api(world["worker"]).post(f"/rounds/{round_id}/questions/{question_id}/withdraw",
                                     {}).status_code == 422
    withdrawn = api(world["worker"]).post(f"/rounds/{round_id}/questions/{question_id}/withdraw",
                                          {"reason": "Answered in the meeting."})
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["state"] == "withdrawn" and withdrawn.get_json()["withdrawn_by"] == "asker"
    assert api(world["employer"]).post(f"/rounds/{round_id}/questions/{question_id}/answer",
                                       {"answer": "Late."}).status_code == 409


def test_the_employer_does_not_ask_and_questions_need_a_stage_that_opens_them(make, api, db):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    assert _ask(api, world["employer"], round_id).status_code == 403
    make.move_to(world["employer"], world["round"], "caucus")
    assert _ask(api, world["worker"], round_id).status_code == 409


def test_bad_question_input_is_refused_and_changes_nothing(make, api, db):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    with db.transaction(write=False) as session:
        before = session.get(Round, round_id).last_seq
    for body in ({"section": "privacy"}, {"section": "privacy", "body": "   "}, {"section": "nowhere", "body": "Q?"},
                 {"section": "privacy", "body": "x" * 20_001}, {"section": "privacy", "body": "Q?", "extra": 1}):
        response = api(world["worker"]).post(f"/rounds/{round_id}/questions", body)
        assert response.status_code == 422, (body, response.get_json())
        assert response.get_json()["error"]["code"] == "invalid"
    question_id = _ask(api, world["worker"], round_id).get_json()["id"]
    with db.transaction(write=False) as session:
        after_ask = session.get(Round, round_id).last_seq
    assert api(world["employer"]).post(f"/rounds/{round_id}/questions/{question_id}/answer",
                                       {"answer": ""}).status_code == 422
    assert api(world["worker"]).post(f"/rounds/{round_id}/questions/{question_id}/withdraw",
                                     {"reason": "r" * 501}).status_code == 422
    with db.transaction(write=False) as session:
        assert session.get(Round, round_id).last_seq == after_ask > before
        assert session.scalar(select(Question).where(Question.public_id == question_id)).state.value == "open"


def test_the_gate_holds_the_stage_until_every_question_is_answered(make, api, db):
    world = tripartite(make, stage="information")
    round_id = world["round"].id
    first = _ask(api, world["worker"], round_id).get_json()["id"]
    second = _ask(api, world["government"], round_id, "Who may contest a schedule?").get_json()["id"]
    make.move_to(world["employer"], world["round"], "consultation")
    refused = api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", {"reason": "Time is up."})
    assert refused.status_code == 409, refused.get_json()
    assert "Questions to the employer still open: 2." in refused.get_json()["error"]["message"]
    api(world["employer"]).post(f"/rounds/{round_id}/questions/{first}/answer", {"answer": "The works council."})
    api(world["government"]).post(f"/rounds/{round_id}/questions/{second}/withdraw", {"reason": "Duplicate."})
    moved = api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/advance", {"reason": "Time is up."})
    assert moved.status_code == 200, moved.get_json()


def test_the_outcome_lists_unanswered_questions_by_side_never_by_person(make, api, db):
    world = tripartite(make, stage="information", identity_policy="pseudonymous")
    round_id = world["round"].id
    _ask(api, world["worker"], round_id, "Is the pilot data deleted?")
    answered = _ask(api, world["government"], round_id, "Which article applies?").get_json()["id"]
    api(world["employer"]).post(f"/rounds/{round_id}/questions/{answered}/answer", {"answer": "Art. 26(7)."})
    with db.transaction(write=False) as session:
        document = build_document(session, session.get(Round, round_id))
        events = session.scalars(select(Event).where(Event.round_id == round_id, Event.type == "question.asked"))
        assert all(session.get(User, e.actor_id) for e in events)
    [left] = document["unanswered_questions"]
    assert left["constituency"] == "workers" and left["text"] == "Is the pilot data deleted?"
    assert world["worker"].display_name not in str(document["unanswered_questions"])
