"""Edits with their history, moderation with tombstones, reactions per constituency, the posting rate limit,
and a comment list whose number of SQL statements does not grow with the number of comments."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import event, func, select

from consult.accounts.models import User
from consult.comments.limits import PostingLimiter
from consult.comments.models import Channel, Comment
from consult.comments.services import post_comment
from tests.factories import log_in, tripartite
from tests.processes import REDIS_URL, redis_answers
from tests.test_bad_input import assert_error_shape, snapshot


def test_an_author_edits_and_everyone_who_can_read_the_comment_can_read_its_history(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    comment = make.comment(world["worker"], world["round"], "Ranking workers is unacceptable.")
    worker, government = api(world["worker"]), api(world["government"])
    edited = worker.put(f"/rounds/{round_id}/comments/{comment.public_id}",
                        json={"body": "Ranking workers is **unfair**."})
    assert edited.status_code == 200
    assert edited.get_json()["revisions"] == 1 and edited.get_json()["edited_at"]
    seen = government.get(f"/rounds/{round_id}/comments/{comment.public_id}").get_json()
    assert seen["body_html"].strip() == "<p>Ranking workers is <strong>unfair</strong>.</p>" and seen["revisions"] == 1
    history = government.get(f"/rounds/{round_id}/comments/{comment.public_id}/revisions").get_json()
    assert [h["body"] for h in history] == ["Ranking workers is unacceptable."]
    before = snapshot(db)
    assert_error_shape(government.put(f"/rounds/{round_id}/comments/{comment.public_id}", json={"body": "Mine"}), 403)
    assert snapshot(db) == before

    caucus = make.comment(world["worker"], world["round"], "Our red line.", channel="caucus")
    worker.put(f"/rounds/{round_id}/comments/{caucus.public_id}", json={"body": "Our red line, restated."})
    assert_error_shape(government.get(f"/rounds/{round_id}/comments/{caucus.public_id}/revisions"), 404)
    events = government.get(f"/rounds/{round_id}/events").get_json()["items"]
    assert [e["payload"]["comment_id"] for e in events if e["type"] == "comment.edited"] == [comment.public_id]


def test_the_secretariat_hides_a_comment_with_a_reason_and_a_tombstone_stays(api, make, db, client):
    world = tripartite(make)
    round_id = world["round"].id
    comment = make.comment(world["employer"], world["round"], "The union leader is a liar.")
    secretariat, worker = api(world["secretariat"]), api(world["worker"])
    assert_error_shape(worker.post(f"/rounds/{round_id}/comments/{comment.public_id}/hide",
                                   json={"reason": "I dislike it"}), 403)
    hidden = secretariat.post(f"/rounds/{round_id}/comments/{comment.public_id}/hide",
                              json={"reason": "A personal attack (code of conduct, rule 2)."})
    assert hidden.status_code == 200 and hidden.get_json()["body"] == "The union leader is a liar."
    tombstone = worker.get(f"/rounds/{round_id}/comments/{comment.public_id}").get_json()
    assert tombstone["is_hidden"] and tombstone["body"] is None and tombstone["body_html"] is None
    assert tombstone["hidden_reason"] == "A personal attack (code of conduct, rule 2)."
    listed = worker.get(f"/rounds/{round_id}/comments").get_json()["items"]
    assert [c["id"] for c in listed] == [comment.public_id] and "liar" not in repr(listed)
    log_in(client, world["worker"])
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "liar" not in page and "A personal attack (code of conduct, rule 2)." in page
    with db.transaction(write=False) as session:
        assert session.get(Comment, comment.id).body == "The union leader is a liar."  # never deleted
    assert_error_shape(world_api_edit(api, world, comment.public_id), 409)


def world_api_edit(api, world, comment_id):
    return api(world["employer"]).put(f"/rounds/{world['round'].id}/comments/{comment_id}", json={"body": "Sorry"})


def test_reactions_are_tallied_per_constituency_and_one_per_person(api, make, db):
    world = tripartite(make)
    round_id = world["round"].id
    comment = make.comment(world["worker"], world["round"], "Pick rates must not feed reviews.")
    path = f"/rounds/{round_id}/comments/{comment.public_id}/reaction"
    colleague = make.user(world["worker"].organisation)
    for person, kind in ((world["worker"], "agree"), (colleague, "agree"), (world["government"], "question"),
                         (world["employer"], "disagree")):
        assert api(person).put(path, json={"kind": kind}).status_code == 200
    api(world["employer"]).put(path, json={"kind": "question"})  # changes the employer's reaction
    tally = api(world["government"]).get(f"/rounds/{round_id}/comments/{comment.public_id}").get_json()["reactions"]
    assert tally == {"agree": {"workers": 2}, "question": {"government": 1, "employers": 1}}
    api(colleague).put(path, json={"kind": None})
    tally = api(world["government"]).get(f"/rounds/{round_id}/comments/{comment.public_id}").get_json()["reactions"]
    assert tally["agree"] == {"workers": 1}
    assert_error_shape(api(world["worker"]).put(path, json={"kind": "love"}), 422)
    caucus = make.comment(world["worker"], world["round"], "Caucus only.", channel="caucus")
    assert_error_shape(api(world["government"]).put(f"/rounds/{round_id}/comments/{caucus.public_id}/reaction",
                                                    json={"kind": "agree"}), 404)


def _count_comments(db) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count(Comment.id)))


def test_posting_faster_than_the_limit_answers_429_and_saves_nothing(app, api, make, db):
    world = tripartite(make)
    app.config["COMMENT_RATE"] = "3/minute"
    app.extensions["consult.posting_limiter"] = PostingLimiter(app)
    worker = api(world["worker"])
    for number in range(3):
        assert worker.post(f"/rounds/{world['round'].id}/comments",
                           json={"section": "system", "body": f"Point {number}"}).status_code == 201
    before = _count_comments(db)
    limited = assert_error_shape(worker.post(f"/rounds/{world['round'].id}/comments",
                                             json={"section": "system", "body": "One more"}), 429)
    assert limited["code"] == "rate_limited" and limited["retry_at"]
    assert _count_comments(db) == before
    # Another person is not held back by the first one's pace.
    assert api(world["government"]).post(f"/rounds/{world['round'].id}/comments",
                                         json={"section": "system", "body": "Mine"}).status_code == 201


@pytest.mark.skipif(not redis_answers(), reason=f"needs Redis at {REDIS_URL}")
def test_with_redis_the_limit_counts_posts_made_through_every_process(database_url, make, tmp_path):
    from consult import create_app
    from tests.factories import ApiClient

    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "s", "REDIS_URL": REDIS_URL,
                "REDIS_CHANNEL": f"test-{uuid.uuid4().hex[:8]}", "COMMENT_RATE": "3/minute"}
    first = create_app({**settings, "INSTANCE_PATH": str(tmp_path / "a")})
    second = create_app({**settings, "INSTANCE_PATH": str(tmp_path / "b")})
    world = tripartite(make)
    token = make.token(world["worker"])
    clients = [ApiClient(first.test_client(), token), ApiClient(second.test_client(), token)]
    path = f"/rounds/{world['round'].id}/comments"
    statuses = [clients[n % 2].post(path, json={"section": "system", "body": f"Post {n}"}).status_code
                for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    for application in (first, second):
        application.extensions["consult.db"].dispose()


def _statements(db, action) -> int:
    """The statements `action` runs in this thread (the mail sender and the push run beside it in theirs)."""
    counted: list[str] = []
    here = threading.get_ident()

    def count(conn, cursor, statement, *args):
        if threading.get_ident() == here and not statement.startswith("PRAGMA"):  # a connection's own setting
            counted.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(counted)


def test_listing_comments_and_rendering_the_thread_page_take_as_many_statements_for_1000_comments_as_for_10(
        api, make, db, client):
    world = tripartite(make)
    round_id = world["round"].id
    worker = api(world["worker"])
    people = [world["worker"], world["government"], world["employer"], make.user(world["worker"].organisation)]

    def post(count: int) -> None:
        with db.transaction() as session:
            for number in range(count):
                author = session.get(User, people[number % len(people)].id)
                post_comment(session, author, round_id, {"section": "privacy", "body": f"Comment {number}",
                                                         "channel": Channel.PLENARY, "parent_id": None})

    post(10)
    log_in(client, world["government"])
    client.get(f"/rounds/{round_id}")  # the first visit makes the reading mark; later ones move it
    post(1)
    api_small = _statements(db, lambda: worker.get(f"/rounds/{round_id}/comments?limit=200"))
    page_small = _statements(db, lambda: client.get(f"/rounds/{round_id}"))
    older = f"/rounds/{round_id}?section=privacy&channel=plenary&before=1000000"  # a page of older comments
    older_small = _statements(db, lambda: client.get(older))
    post(990)
    listed = worker.get(f"/rounds/{round_id}/comments?limit=200").get_json()
    assert len(listed["items"]) == 200 and listed["next_cursor"]
    api_large = _statements(db, lambda: worker.get(f"/rounds/{round_id}/comments?limit=200"))
    page_large = _statements(db, lambda: client.get(f"/rounds/{round_id}"))
    assert api_large == api_small
    assert page_large == page_small
    assert _statements(db, lambda: client.get(older)) == older_small
    assert "Comment 989" in client.get(f"/rounds/{round_id}").get_data(as_text=True)


def test_replies_nest_under_their_parent_and_flatten_past_three_levels(make, client):
    world = tripartite(make)
    parent = None
    for depth in range(6):
        parent = make.comment(world["worker"] if depth % 2 == 0 else world["employer"], world["round"],
                              f"Level {depth}", section="privacy", parent_id=parent.public_id if parent else None)
    make.comment(world["government"], world["round"], "A new top-level point", section="privacy")
    log_in(client, world["government"])
    page = client.get(f"/rounds/{world['round'].id}").get_data(as_text=True)
    import re

    depths = re.findall(r'class="comment depth-(\d)[^"]*">.*?<div class="body"><p>([^<]+)</p>', page, re.S)
    assert [(int(d), text) for d, text in depths if text.startswith(("Level", "A new"))] == [
        (0, "Level 0"), (1, "Level 1"), (2, "Level 2"), (3, "Level 3"), (3, "Level 4"), (3, "Level 5"),
        (0, "A new top-level point")]
