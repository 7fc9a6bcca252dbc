"""Answering a question tells the asker at once (README: "the asker is told at once"), on every route that
answers it: the API's POST .../questions/<id>/answer and the questions page's form. Only the asker."""

from __future__ import annotations

import re

import pytest

from consult.notifications.mailer import send_now
from tests.factories import log_in, tripartite


def _ask(api, world) -> dict:
    asked = api(world["worker"]).post(f"/rounds/{world['round'].id}/questions",
                                      {"section": "privacy", "body": "Which data does the system keep?"})
    assert asked.status_code == 201, asked.get_json()
    return asked.get_json()


def _answer_by_api(app, api, world, question: dict) -> None:
    answered = api(world["employer"]).post(f"/rounds/{world['round'].id}/questions/{question['id']}/answer",
                                           {"answer": "Shift logs, kept **12 months**."})
    assert answered.status_code == 200, answered.get_json()


def _answer_by_page(app, api, world, question: dict) -> None:
    browser = app.test_client()
    log_in(browser, world["employer"])
    page = browser.get(f"/rounds/{world['round'].id}/questions").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answered = browser.post(f"/rounds/{world['round'].id}/questions/{question['id']}/answer",
                            data={"answer": "Shift logs, kept **12 months**.", "csrf_token": token})
    assert answered.status_code == 303, answered.get_data(as_text=True)[:500]


@pytest.mark.parametrize("answer", [_answer_by_api, _answer_by_page], ids=["api", "page"])
def test_an_answer_reaches_the_asker_at_once_and_nobody_else(app, api, make, smtp, answer):
    world = tripartite(make, stage="information")
    question = _ask(api, world)
    send_now(app)
    before = len(smtp.inbox.messages)
    answer(app, api, world, question)
    send_now(app)
    new = smtp.inbox.messages[before:]
    told = [m for m in new if "answered your question" in str(m["Subject"])]
    assert [m["To"].addresses[0].addr_spec for m in told] == [world["worker"].email]
    assert world["employer"].display_name in str(told[0]["Subject"])
    text = told[0].get_body(("plain",)).get_content()
    assert "12 months" in text and f"/rounds/{world['round'].id}/questions#question-{question['id']}" in text
