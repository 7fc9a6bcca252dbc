"""The round as a workspace: the section index and its counts, "new since your last visit", search and filters
inside a round, a comment box per section only while posting is open, and one comment's fragment for live pages."""

from __future__ import annotations

import re

from consult.accounts.models import User
from consult.comments.services import hide_comment
from consult.rounds.models import RoundVisit
from tests.factories import tripartite
from tests.pages.forms import browser, followed, send
from tests.test_bad_input import snapshot


def _page(client, round_id: int, query: str = "") -> str:
    response = client.get(f"/rounds/{round_id}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return response.get_data(as_text=True)


def _new(page: str) -> dict[str, int]:
    """The index's "n new" badge of each section that has one."""
    return {key: int(n) for key, n in re.findall(r'data-new="([a-z_]+)">(\d+) new<', page)}


def _count(page: str, section: str) -> int:
    return int(re.search(rf'data-count="{section}">(\d+) comments?<', page).group(1))


def _new_comments(page: str) -> list[str]:
    return re.findall(r'<li id="comment-([a-z0-9]+)"[^>]*class="comment [^"]*\bnew\b', page)


def test_what_others_posted_since_my_last_visit_is_marked_new_once_and_my_own_never(app, make, db):
    world = tripartite(make)
    round = world["round"]
    worker = browser(app, world["worker"])
    make.comment(world["employer"], round, "Before the first visit.", section="privacy")
    first = _page(worker, round.id)
    assert _new(first) == {} and _new_comments(first) == []  # a first visit: nothing was seen before it
    seen = [make.comment(world["employer"], round, f"Employer point {n}.", section="privacy").public_id
            for n in range(2)]
    seen.append(make.comment(world["government"], round, "Ministry point.", section="system").public_id)
    own = make.comment(world["worker"], round, "My own point.", section="privacy").public_id
    second = _page(worker, round.id)
    assert _new(second) == {"privacy": 2, "system": 1}
    assert sorted(_new_comments(second)) == sorted(seen) and own not in _new_comments(second)
    assert "New since your last visit" in second and _count(second, "privacy") == 4
    third = _page(worker, round.id)  # seeing them cleared them
    assert _new(third) == {} and _new_comments(third) == []
    # Each person has their own mark: the employer's first visit marks nothing and moves nobody else's.
    assert _new(_page(browser(app, world["employer"]), round.id)) == {}
    make.comment(world["employer"], round, "After both visits.", section="skills_training")
    assert _new(_page(worker, round.id)) == {"skills_training": 1}
    with db.transaction(write=False) as session:
        assert session.query(RoundVisit).filter_by(round_id=round.id).count() == 2


def test_another_sides_caucus_is_never_counted_marked_new_or_found(app, make):
    world = tripartite(make)
    round = world["round"]
    employer = browser(app, world["employer"])
    _page(employer, round.id)
    make.comment(world["worker"], round, "Workers only: strike fund talk.", section="privacy", channel="caucus")
    make.comment(world["government"], round, "Ministry only: inspection planned.", section="privacy",
                 channel="caucus")
    page = _page(employer, round.id)
    assert _new(page) == {} and _count(page, "privacy") == 0
    for query in ("?q=strike", "?q=inspection", "?topic=privacy", "?constituency=workers", "?unanswered=1"):
        found = _page(employer, round.id, query)
        assert "0 comments found" in found and "strike fund" not in found and "inspection planned" not in found
    # The workers' own caucus is theirs to count and search.
    worker = browser(app, world["worker"])
    _page(worker, round.id)
    assert "1 comment found" in _page(worker, round.id, "?q=strike")
    assert "inspection planned" not in _page(worker, round.id, "?q=inspection")


def test_search_filters_by_words_section_constituency_unanswered_questions_and_my_comments(app, make):
    world = tripartite(make)
    round = world["round"]
    asked = make.comment(world["worker"], round, "Who reads the scanner logs?", section="privacy")
    answered = make.comment(world["worker"], round, "How long are rosters kept?", section="system")
    make.comment(world["employer"], round, "Rosters: 30 days.", section="system", parent_id=answered.public_id)
    make.comment(world["government"], round, "Training budget is 100% funded.", section="skills_training")
    client = browser(app, world["employer"])

    def ids(query: str) -> set[str]:
        page = _page(client, round.id, query)
        results = page[page.index('class="card results"'):]
        return set(re.findall(r'<li id="comment-([a-z0-9]+)"', results))

    assert ids("?q=SCANNER") == {asked.public_id}
    assert len(ids("?q=rosters")) == 2
    assert ids("?topic=privacy") == {asked.public_id}
    assert ids("?constituency=government&q=100%25") == ids("?q=100%25")  # % is a letter, not a wildcard
    assert len(ids("?q=%25")) == 1 and ids("?q=_") == set()
    assert ids("?unanswered=1") == {asked.public_id}
    assert ids("?mine=1") == {c for c in ids("?q=Rosters:")}
    page = _page(client, round.id, "?q=scanner")
    assert "In its thread" in page and 'id="section-privacy"' not in page  # results replace the threads
    assert 'value="scanner"' in page  # the form keeps what was asked


def test_search_never_matches_a_pseudonymous_authors_name_or_a_hidden_comments_text(app, make, db):
    world = tripartite(make)
    round = world["round"]
    assert round.identity_policy.value == "pseudonymous"
    make.comment(world["worker"], round, "Our members object to ranking.", section="privacy")
    hidden = make.comment(world["employer"], round, "An insult about the union.", section="privacy")
    with db.transaction() as session:
        hide_comment(session, session.get(User, world["secretariat"].id), round.id, hidden.public_id, "Abusive.")
    employer = browser(app, world["employer"])
    organisation = world["worker"].organisation.name
    for query in ("?q=Wanda", "?q=Worker", f"?q={organisation}"):
        page = _page(employer, round.id, query)
        assert "0 comments found" in page and "Wanda Worker" not in page
    found = _page(employer, round.id, "?q=ranking&constituency=workers")
    assert "1 comment found" in found and "Wanda" not in found and organisation not in found
    assert "0 comments found" in _page(employer, round.id, "?q=insult")
    assert "1 comment found" in _page(browser(app, world["secretariat"]), round.id, "?q=insult")


def test_bad_search_input_is_refused_with_the_field_named_and_moves_no_mark(app, make, db):
    world = tripartite(make)
    round = world["round"]
    make.comment(world["employer"], round, "A point.", section="privacy")
    worker = browser(app, world["worker"])
    before = snapshot(db)
    for query, field in (("?constituency=kings", "constituency"), ("?unanswered=maybe", "unanswered"),
                         ("?q=" + "x" * 201, "q"), ("?colour=red", "colour")):
        response = worker.get(f"/rounds/{round.id}{query}")
        assert response.status_code == 422, query
        assert field in response.get_data(as_text=True)
    assert snapshot(db) == before  # not even the reading mark moved


def test_each_section_has_its_own_comment_box_that_posts_there(app, make):
    world = tripartite(make)
    round = world["round"]
    worker = browser(app, world["worker"])
    page = _page(worker, round.id)
    boxes = re.findall(r'<textarea id="body-([a-z_]+)"', page)
    assert boxes == re.findall(r'<section class="card section" id="section-([a-z_]+)"', page) and len(boxes) == 7
    done = send(worker, f"/rounds/{round.id}/comments", {"section": "privacy", "channel": "plenary",
                                                          "body": "Straight from the privacy box."},
                page=f"/rounds/{round.id}")
    shown = followed(worker, done)
    start = shown.index('id="section-privacy"')
    section = shown[start:shown.index('id="section-', start + 5)]
    assert "Straight from the privacy box." in section


def test_forms_appear_only_where_posting_is_open_to_this_person_now(app, make):
    world = tripartite(make, stage="caucus")
    round = world["round"]
    worker = _page(browser(app, world["worker"]), round.id)
    # Caucus stage: plenary is read-only, so each box offers the caucus alone.
    options = re.findall(r'<select id="channel-privacy" name="channel">(.*?)</select>', worker, re.S)[0]
    assert 'value="caucus"' in options and 'value="plenary"' not in options
    observer = make.user("observers", name="Olga Observer")
    make.move_to(world["employer"], round, "concluded")
    for person in (world["worker"], world["employer"], world["secretariat"]):
        page = _page(browser(app, person), round.id)
        assert "<textarea" not in page and "Post a comment" not in page, person.display_name
        assert "Commenting is not open to you now." in page
    assert observer is not None


def test_the_fragment_is_the_pages_own_rendering_of_a_comment_and_the_policy_still_decides(app, make):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round, "Keep it to **30 days**.", section="privacy")
    caucus = make.comment(world["worker"], round, "Workers only.", section="privacy", channel="caucus")
    employer = browser(app, world["employer"])
    page = _page(employer, round.id)
    fragment = employer.get(f"/rounds/{round.id}/comments/{comment.public_id}/fragment").get_data(as_text=True)

    def item(html: str) -> str:  # the comment's markup, its CSRF token aside (a token is signed with the time)
        found = re.search(rf'<li id="comment-{comment.public_id}".*?</li>', html, re.S).group(0)
        return re.sub(r'name="csrf_token" value="[^"]+"', "", found)

    assert item(fragment) == item(page)
    for part in ("<strong>30 days</strong>", "Worker representative", "<time", 'name="kind" value="agree"',
                 "Reply"):
        assert part in fragment, part
    assert "Wanda" not in fragment and world["worker"].organisation.name not in fragment
    assert employer.get(f"/rounds/{round.id}/comments/{caucus.public_id}/fragment").status_code == 404
    assert employer.get(f"/rounds/{round.id}/comments/{comment.public_id}/fragment?depth=9").status_code == 422
    nested = employer.get(f"/rounds/{round.id}/comments/{comment.public_id}/fragment?depth=2").get_data(as_text=True)
    assert 'data-depth="2"' in nested
