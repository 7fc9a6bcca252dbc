"""No counters across audiences: whatever a worker representative can obtain names comments, questions,
opinions and expert appointments by opaque ids, so it cannot count or order what went where it does not read.

Row ids count across audiences: plenary comments and every caucus's share one counter, and questions,
opinions and appointments count every round's together. With row ids a worker who saw plenary comments 1
and 5 learned that three comments went to caucuses it does not read. The worker here gathers every id it can
get on every path: the API (lists, single rows, list cursors, the event log), the pages (anchors, links, form
actions and fields), the socket (its join's replay and the pushes it receives), the records CSV and the
outcome PDF's annex of plenary comments; none of those ids is a number, and each is 80 random bits.

Left to the report, not tested here: the event log's own `seq` (one sequence per round, for every audience)
still tells a follower how many events it did not receive (the README's Guarantees say so).
"""

from __future__ import annotations

import base64
import csv
import io
import re
from typing import Any

from consult.outcomes.exports import plenary_annex
from consult.rounds.models import Round
from tests.factories import log_in, tripartite
from tests.opinions.helpers import expert_body, profile_world

#: An opaque id: c (comment), q (question), o (opinion) or e (expert appointment), then 80 random bits.
OPAQUE = re.compile(r"^[cqoe][a-z2-7]{16}$")
#: Keys that name a row of those kinds wherever they appear.
REFERENCES = {"comment_id", "parent_id", "question_id", "opinion_id", "expert_id"}
#: What a page may name a row by: anchors, links, form fields, data attributes.
PAGE_IDS = (r'id="comment-([^"]+)"', r'data-reactions="([^"]+)"', r'/comments/([^/"?#]+)', r'#comment-([^"&]+)',
            r'id="question-([^"-]+)[-"]', r'/questions/([^/"?#]+)/', r'name="parent_id" value="([^"]*)"',
            r'before=([^"&#]+)', r'<h3 id="opinion-([^"]+)"', r'<h3 id="expert-([^"]+)"', r'/procedure/\w+/([^/"?#]+)"')


def _named(found: Any, into: list) -> list:
    """Every id a JSON answer gives for a comment, question, opinion or appointment, wherever it sits."""
    if isinstance(found, dict):
        for key, value in found.items():
            if key in REFERENCES and value is not None:
                into.append(value)
            elif key == "id" and value is not None and ({"section", "verdict", "firm"} & found.keys()):
                into.append(value)  # a comment, question, opinion or appointment (an author's id is a person's)
            else:
                _named(value, into)
    elif isinstance(found, list):
        for item in found:
            _named(item, into)
    return into


def _on_pages(html: str) -> list[str]:
    return [n for pattern in PAGE_IDS for n in re.findall(pattern, html)]


def _assert_opaque(named: list, where: str) -> None:
    assert named, f"nothing gathered from {where}"
    numbers = [n for n in named if not isinstance(n, str) or not OPAQUE.match(n)]
    assert not numbers, f"{where} names rows by something other than an opaque id: {numbers}"


def _ask(api, user, round_id: int, body: str) -> None:
    asked = api(user).post(f"/rounds/{round_id}/questions", {"section": "privacy", "body": body})
    assert asked.status_code == 201, asked.get_json()


def _world(make, api) -> dict:
    """The worker's round, and another round it is not in, whose rows take ids between the worker's."""
    world, elsewhere = tripartite(make, stage="information"), tripartite(make, stage="information")
    round, other = world["round"], elsewhere["round"]
    _ask(api, world["worker"], round.id, "Which data does the system keep?")
    _ask(api, elsewhere["worker"], other.id, "Who reads the scores?")  # another round's question
    _ask(api, world["government"], round.id, "Who audits the model?")
    for side in (world, elsewhere):
        make.move_to(side["employer"], side["round"], "consultation")
    return {**world, "elsewhere": elsewhere}


def _discuss(api, world: dict) -> None:
    """Plenary comments, with caucus comments of the employers and the government (and another round's) between
    them, and one of the workers' own caucus; posted as their authors would, through the API."""
    round_id = world["round"].id

    def post(user, body: str, **extra) -> dict:
        posted = api(user).post(f"/rounds/{round_id}/comments", json={"section": "privacy", "body": body, **extra})
        assert posted.status_code == 201, posted.get_json()
        return posted.get_json()

    first = post(world["worker"], "Ninety days is too long.")
    post(world["employer"], "Employers only: we can live with thirty.", channel="caucus")
    post(world["employer"], "Employers only: not below thirty.", channel="caucus")
    post(world["government"], "Government only: the DPA will ask.", channel="caucus")
    elsewhere = world["elsewhere"]
    assert api(elsewhere["employer"]).post(f"/rounds/{elsewhere['round'].id}/comments",
                                           json={"section": "privacy", "body": "Another round."}).status_code == 201
    post(world["employer"], "Thirty days, then.", parent_id=first["id"])
    post(world["worker"], "Workers only: accept thirty.", channel="caucus")
    post(world["worker"], "Agreed at thirty.")


def test_a_worker_cannot_count_the_comments_and_questions_it_does_not_read(app, make, api):
    world = _world(make, api)
    round, worker = world["round"], world["worker"]
    socket = app.extensions["socketio"].test_client(app, auth={"token": make.token(worker)})
    joined = socket.emit("join", {"round_id": round.id, "last_seq": 0}, callback=True)
    _discuss(api, world)
    pushed = [message["args"] for message in socket.get_received()]
    socket.disconnect()
    mine = api(worker)

    comments = mine.get(f"/rounds/{round.id}/comments?limit=200").get_json()["items"]
    assert [c["body"] for c in comments] == [
        "Which data does the system keep?", "Who audits the model?", "Ninety days is too long.",
        "Thirty days, then.", "Workers only: accept thirty.", "Agreed at thirty."]
    named = _named(comments, [])
    named += _named(mine.get(f"/rounds/{round.id}/comments/{comments[2]['id']}").get_json(), [])
    named += _named(mine.get(f"/rounds/{round.id}/questions").get_json(), [])
    named += _named(mine.get(f"/rounds/{round.id}/events?limit=200").get_json(), [])
    named += _named(mine.get(f"/rounds/{round.id}/records?what=comments").get_json(), [])
    _assert_opaque(named, "the API")
    # The list's cursors name the page's last comment by its public id too.
    cursor, cursors = None, []
    while True:
        page = mine.get(f"/rounds/{round.id}/comments?limit=1" + (f"&cursor={cursor}" if cursor else "")).get_json()
        if not (cursor := page["next_cursor"]):
            break
        cursors.append(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    assert len(cursors) == len(comments) - 1
    _assert_opaque([c.removeprefix("p:") for c in cursors], "the comment list's cursors")
    _assert_opaque(_named(joined, []), "the socket's replay")
    _assert_opaque(_named(pushed, []), "the socket's pushes")

    pages = app.test_client()
    log_in(pages, worker)
    html = "".join(pages.get(path).get_data(as_text=True) for path in (
        f"/rounds/{round.id}", f"/rounds/{round.id}?section=privacy&channel=caucus",
        f"/rounds/{round.id}/questions", f"/rounds/{round.id}/comments/{comments[2]['id']}/reply"))
    _assert_opaque(_on_pages(html), "the pages")
    rows = list(csv.DictReader(io.StringIO(pages.get(f"/rounds/{round.id}/records.csv?what=comments")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(comments)
    _assert_opaque([r["id"] for r in rows] + [r["parent_id"] for r in rows if r["parent_id"]], "the CSV")
    with make.db.transaction(write=False) as session:
        annex = plenary_annex(session, session.get(Round, round.id))
    assert len(annex) == 5  # every plenary comment, none of a caucus
    _assert_opaque(_named(annex, []) + [c["id"] for c in annex], "the outcome's annex")
    # All of it names the same rows by the same names, each its own.
    gathered = set(named) | set(_on_pages(html))
    assert {c["id"] for c in comments} <= gathered and len({c["id"] for c in comments}) == len(comments)


def test_a_worker_cannot_count_another_rounds_opinions_or_appointments(app, make, api):
    elsewhere = profile_world(make, "fr-cse", stage="consultation")
    assert api(elsewhere["worker"]).post(f"/rounds/{elsewhere['round'].id}/experts",
                                         json=expert_body(elsewhere)).status_code == 201
    world = profile_world(make, "fr-cse", stage="consultation")
    round_id, worker = world["round"].id, world["worker"]
    opinion = {"verdict": "agree_with_reservations", "reasons": "Only with an annual audit."}
    assert api(elsewhere["worker"]).post(f"/rounds/{elsewhere['round'].id}/opinions", json=opinion).status_code == 201
    assert api(worker).post(f"/rounds/{round_id}/experts", json=expert_body(world)).status_code == 201
    assert api(worker).post(f"/rounds/{round_id}/opinions", json=opinion).status_code == 201
    procedure = api(worker).get(f"/rounds/{round_id}/procedure").get_json()
    assert len(procedure["opinions"]) == len(procedure["experts"]) == 1
    named = _named(procedure["opinions"] + procedure["experts"], [])
    named += _named(api(worker).get(f"/rounds/{round_id}/events?limit=200").get_json(), [])
    _assert_opaque(named, "the API")
    pages = app.test_client()
    log_in(pages, worker)
    html = pages.get(f"/rounds/{round_id}/procedure").get_data(as_text=True)
    _assert_opaque(_on_pages(html), "the procedure page")


def test_migration_0020_names_existing_rows_and_goes_back(app, make, api, database_url):
    """Rows made before 0020 get a public id each (all different), and the downgrade takes the column away."""
    from sqlalchemy import inspect, text

    from consult.db import make_engine
    from consult.migrate import downgrade, upgrade

    world = _world(make, api)
    _discuss(api, world)
    legal = profile_world(make, "fr-cse", stage="consultation")
    assert api(legal["worker"]).post(f"/rounds/{legal['round'].id}/experts",
                                     json=expert_body(legal)).status_code == 201
    assert api(legal["worker"]).post(f"/rounds/{legal['round'].id}/opinions", json={
        "verdict": "agree", "reasons": "As planned."}).status_code == 201
    app.extensions["consult.db"].dispose()
    tables = {"comments": "c", "questions": "q", "opinions": "o", "experts": "e"}
    downgrade(database_url, "0014")
    engine = make_engine(database_url)
    try:
        for table in tables:
            assert "public_id" not in {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            named = {table: connection.execute(text(f"SELECT public_id FROM {table}")).scalars().all()
                     for table in tables}
    finally:
        engine.dispose()
    # By hand: 3 questions and 8 comments in the two rounds (each question is a comment too), one opinion and
    # one appointment in the legal round.
    assert {table: len(ids) for table, ids in named.items()} == {"comments": 11, "questions": 3, "opinions": 1,
                                                                 "experts": 1}
    for table, ids in named.items():
        assert len(set(ids)) == len(ids) and all(OPAQUE.match(i) and i[0] == tables[table] for i in ids), ids


def test_migration_0024_lets_row_ids_open_only_the_rows_old_events_named(app, make, api, database_url):
    """Events written before public ids named rows by number; 0024 keeps each table's largest such number, and
    a row id above it opens nothing, while one at or below it still opens its row for whoever may see it."""
    import json

    from sqlalchemy import text

    from consult.db import make_engine
    from consult.migrate import downgrade, upgrade

    world = tripartite(make)
    round_id = world["round"].id
    first = api(world["worker"]).post(f"/rounds/{round_id}/comments", json={"section": "system", "body": "One"})
    second = api(world["worker"]).post(f"/rounds/{round_id}/comments", json={"section": "system", "body": "Two"})
    assert first.status_code == second.status_code == 201
    app.extensions["consult.db"].dispose()
    downgrade(database_url, "0023")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:  # the first comment's event, as it was written before public ids
            number = connection.execute(text("SELECT id FROM comments WHERE body = 'One'")).scalar_one()
            event_id, payload = connection.execute(text(
                "SELECT id, payload FROM events WHERE type = 'comment.posted' ORDER BY seq LIMIT 1")).one()
            payload = payload if isinstance(payload, dict) else json.loads(payload)
            connection.execute(text("UPDATE events SET payload = :p WHERE id = :i"),
                               {"p": json.dumps({**payload, "comment_id": number}), "i": event_id})
    finally:
        engine.dispose()
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            kept = dict(connection.execute(text("SELECT table_name, last_id FROM legacy_row_ids")).all())
    finally:
        engine.dispose()
    assert kept["comments"] == number and kept["questions"] == kept["package_releases"] == 0
    worker = api(world["worker"])
    assert worker.get(f"/rounds/{round_id}/comments/{number}").get_json()["body"] == "One"
    assert worker.get(f"/rounds/{round_id}/comments/{number + 1}").status_code == 404  # "Two" was never so named
    assert worker.get(f"/rounds/{round_id}/comments/{second.get_json()['id']}").get_json()["body"] == "Two"
