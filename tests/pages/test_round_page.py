"""The round page as people use it: the timeline and participation pictures, paginated threads with tabs,
and replying, editing and reacting with plain forms."""

from __future__ import annotations

import re
from html import unescape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from consult.accounts.models import User
from consult.comments.models import Channel, Comment, CommentReaction
from consult.comments.services import post_comment
from consult.outcomes.models import StanceKind
from consult.outcomes.services import draft_position, record_stance
from consult.timeline.models import PlannedStage
from tests.factories import tripartite
from tests.pages.forms import browser, followed, send
from tests.test_bad_input import snapshot


def cell(page: str, stage: str, key: str) -> int:
    """A number of the participation table: the row of a stage, the column `constituency:kind`."""
    row = re.search(rf'<tr data-stage="{stage}">(.*?)</tr>', page, re.S).group(1)
    found = re.search(rf'data-count="{key}">(\d+)<', row)
    return int(found.group(1)) if found else 0


def test_the_timeline_is_a_picture_with_one_bar_per_stage_the_current_one_marked_in_the_rounds_zone(app, make):
    world = tripartite(make, time_zone="Asia/Tokyo")
    round = world["round"]
    page = browser(app, world["worker"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    svg = re.search(r'<svg class="chart timeline-chart".*?</svg>', page, re.S).group(0)
    bars = re.findall(r'<rect [^>]*data-stage="([a-z_]+)" class="bar ([a-z]+)', svg)
    assert [key for key, _ in bars] == ["draft", "information", "consultation", "caucus", "drafting", "sign_off",
                                        "concluded"]
    assert [key for key, state in bars if state == "current"] == ["consultation"]
    assert [state for _, state in bars[:2]] == ["done", "done"] and {s for _, s in bars[3:]} == {"future"}
    assert 'role="img"' in svg and '<title id="timeline-title">' in svg and '<desc id="timeline-desc">' in svg
    assert svg.count('class="entered"') == 2  # information and consultation have been entered
    assert 'class="now"' in svg and "style=" not in page and "<style" not in page
    with make.db.transaction(write=False) as session:
        deadline = session.query(PlannedStage).filter_by(round_id=round.id, key="consultation").one().deadline_at
    # The bar's dates are the round's local time, written the English way (the page's language).
    local = format_datetime(deadline, "MMM d, y, h:mm\u202fa", tzinfo=ZoneInfo("Asia/Tokyo"), locale="en")
    assert re.search(rf'data-stage="consultation"[^>]*><title>Consultation: [^<]* – {local}</title>', svg)
    assert '<table class="timeline">' in page and 'aria-current="step"' in page  # the accessible alternative


def test_participation_counts_what_was_posted_and_never_another_constituencys_caucus(app, make):
    world = tripartite(make)
    round = world["round"]
    for person, channel in [("worker", "plenary"), ("worker", "plenary"), ("worker", "caucus"),
                            ("employer", "plenary"), ("employer", "caucus"), ("employer", "caucus"),
                            ("government", "plenary")]:
        make.comment(world[person], round, f"{person} in {channel}", section="privacy", channel=channel)
    make.move_to(world["employer"], round, "drafting")
    with make.db.transaction() as session:
        draft_position(session, session.get(User, world["secretariat"].id), round.id, "privacy", "Keep 30 days.", 0)
    with make.db.transaction() as session:
        record_stance(session, session.get(User, world["worker"].id), round.id, "privacy", StanceKind.AGREE, "")
    worker = browser(app, world["worker"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    assert (cell(worker, "consultation", "workers:comments"), cell(worker, "consultation", "employers:comments"),
            cell(worker, "consultation", "government:comments")) == (3, 1, 1)
    assert cell(worker, "drafting", "workers:stances") == 1 and cell(worker, "consultation", "workers:stances") == 0
    employer = browser(app, world["employer"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    assert (cell(employer, "consultation", "workers:comments"),
            cell(employer, "consultation", "employers:comments")) == (2, 3)
    chart = re.search(r'<svg class="chart participation-chart".*?</svg>', employer, re.S).group(0)
    assert 'role="img"' in chart and "Consultation, Workers: 2 comments" in chart


def _post_many(make, world, count: int, *, section: str = "privacy") -> list[str]:
    ids = []
    people = [world["worker"], world["employer"], world["government"]]
    with make.db.transaction() as session:
        for number in range(count):
            author = session.get(User, people[number % 3].id)
            ids.append(post_comment(session, author, world["round"].id, {
                "section": section, "body": f"Point number {number}.", "channel": Channel.PLENARY,
                "parent_id": None}).public_id)
    return ids


def test_threads_show_the_latest_comments_and_the_older_link_leads_to_the_rest(app, make):
    world = tripartite(make)
    ids = _post_many(make, world, 25)
    make.comment(world["employer"], world["round"], "A reply to the very first point.", section="privacy",
                 parent_id=ids[0])
    client = browser(app, world["government"])
    # Until a section is chosen, each shows its latest few; its "older" link leads to the section's thread.
    preview = client.get(f"/rounds/{world['round'].id}").get_data(as_text=True)
    assert "Point number 24." in preview and "Point number 20." in preview and "Point number 19." not in preview
    chosen = re.search(r'<p class="older"><a href="([^"]+)">20 older comments</a>', preview).group(1)
    assert "before=" not in chosen and "section=privacy" in chosen
    page = client.get(unescape(chosen)).get_data(as_text=True)
    assert "Point number 24." in page and "Point number 5." in page
    assert "Point number 4." not in page and "A reply to the very first point." not in page
    older = re.search(r'<p class="older"><a href="([^"]+)">5 older comments</a>', page).group(1)
    rest = client.get(unescape(older)).get_data(as_text=True)
    shown = [int(n) for n in re.findall(r"Point number (\d+)\.", rest)]
    assert shown == [0, 1, 2, 3, 4]
    assert "A reply to the very first point." in rest  # replies come with their top-level comment
    assert rest.index("Point number 0.") < rest.index("A reply to the very first point.") < rest.index(
        "Point number 1.")
    assert "Back to the latest comments" in rest and 'class="older"' not in rest


def test_caucus_tabs_are_plain_links_and_only_my_constituencys_caucus_is_there(app, make):
    world = tripartite(make)
    round = world["round"]
    make.comment(world["worker"], round, "Workers only: hold firm on 30 days.", section="privacy", channel="caucus")
    make.comment(world["employer"], round, "Employers only: 60 days is fine.", section="privacy", channel="caucus")
    worker = browser(app, world["worker"])
    page = worker.get(f"/rounds/{round.id}").get_data(as_text=True)
    # Plenary is shown first; the caucus thread is a link away (not even loaded).
    assert re.search(r'<div class="panel" data-panel="privacy:caucus" data-loaded="false" hidden>', page)
    assert "Workers only" not in page
    tab = re.search(r'<a href="([^"]+)" data-tab="privacy:caucus"', page).group(1)
    assert "section=privacy" in tab and "channel=caucus" in tab and tab.endswith("#section-privacy")
    chosen = worker.get(unescape(tab)).get_data(as_text=True)
    assert re.search(r'<div class="panel" data-panel="privacy:caucus" data-loaded="true">', chosen)
    assert re.search(r'data-tab="privacy:caucus" aria-current="page"', chosen)
    assert "Workers only: hold firm on 30 days." in chosen and "Employers only" not in chosen
    government = browser(app, world["government"]).get(unescape(tab)).get_data(as_text=True)
    assert "Workers only" not in government and "Employers only" not in government


def test_a_reply_posted_from_its_form_appears_under_its_parent(app, make, db):
    world = tripartite(make)
    round = world["round"]
    question = make.comment(world["worker"], round, "Why keep scanner events for 90 days?", section="privacy")
    employer = browser(app, world["employer"])
    reply_page = f"/rounds/{round.id}/comments/{question.public_id}/reply"
    form = employer.get(reply_page).get_data(as_text=True)
    assert "Why keep scanner events for 90 days?" in form and f'name="parent_id" value="{question.public_id}"' in form
    page = followed(employer, send(employer, f"/rounds/{round.id}/comments", {
        "parent_id": question.public_id, "section": "privacy", "channel": "plenary",
        "body": "Payroll disputes need them."}, page=reply_page))
    found = re.search(r'class="comment depth-(\d) reply">.*?<div class="body"><p>Payroll disputes need them.</p>',
                      page, re.S)
    assert found and found.group(1) == "1"
    assert page.index("Why keep scanner events") < page.index("Payroll disputes need them.")


def test_a_bad_reply_answers_422_names_the_problem_and_saves_nothing(app, make, db):
    world = tripartite(make)
    round = world["round"]
    question = make.comment(world["worker"], round, "Why 90 days?", section="privacy")
    employer = browser(app, world["employer"])
    reply_page = f"/rounds/{round.id}/comments/{question.public_id}/reply"
    before = snapshot(db)
    empty = send(employer, f"/rounds/{round.id}/comments", {"parent_id": question.public_id, "section": "privacy",
                                                             "channel": "plenary", "body": ""}, page=reply_page)
    assert empty.status_code == 422
    text = empty.get_data(as_text=True)
    assert 'role="alert"' in text and "body" in text and "Why 90 days?" in text  # the reply page, again
    wrong = send(employer, f"/rounds/{round.id}/comments", {"parent_id": "abc", "section": "privacy",
                                                             "body": "Kept text"}, page=reply_page)
    assert wrong.status_code == 422 and "Reply to:" in wrong.get_data(as_text=True)  # the field by its label
    assert "Kept text" in wrong.get_data(as_text=True)
    elsewhere = send(employer, f"/rounds/{round.id}/comments", {"parent_id": question.public_id, "section": "system",
                                                                 "body": "Wrong section"}, page=reply_page)
    assert elsewhere.status_code == 422 and "Wrong section" in elsewhere.get_data(as_text=True)
    assert snapshot(db) == before


def test_the_author_edits_and_everyone_who_reads_the_comment_sees_its_history(app, make, db):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round, "Ninety days is too long.", section="privacy")
    worker = browser(app, world["worker"])
    edit_page = f"/rounds/{round.id}/comments/{comment.public_id}/edit"
    assert "Ninety days is too long." in worker.get(edit_page).get_data(as_text=True)
    page = followed(worker, send(worker, edit_page, {"body": "Thirty days at most."}, page=edit_page))
    item = re.search(rf'<li id="comment-{comment.public_id}".*?</li>\s*</ol>\s*</details>', page, re.S).group(0)
    assert "Thirty days at most." in item and "Edited" in item
    assert '<details class="history">' in item and "Ninety days is too long." in item
    government = browser(app, world["government"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    assert "Thirty days at most." in government and "Ninety days is too long." in government


def test_only_the_author_may_edit_and_bad_input_changes_nothing(app, make, db):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round, "Ninety days is too long.", section="privacy")
    edit_page = f"/rounds/{round.id}/comments/{comment.public_id}/edit"
    employer = browser(app, world["employer"])
    assert employer.get(edit_page).status_code == 403
    worker = browser(app, world["worker"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', worker.get(edit_page).get_data(as_text=True)).group(1)
    employer_token = re.search(r'name="csrf_token" value="([^"]+)"',
                               employer.get(f"/rounds/{round.id}").get_data(as_text=True)).group(1)
    before = snapshot(db)
    assert employer.post(edit_page, data={"body": "Hijacked", "csrf_token": employer_token}).status_code == 403
    blank = worker.post(edit_page, data={"body": "", "csrf_token": token})
    assert blank.status_code == 422 and 'role="alert"' in blank.get_data(as_text=True)
    huge = worker.post(edit_page, data={"body": "x" * 20_001, "csrf_token": token})
    assert huge.status_code == 422 and "body" in huge.get_data(as_text=True)
    assert snapshot(db) == before
    with db.transaction(write=False) as session:
        assert session.get(Comment, comment.id).body == "Ninety days is too long."
    assert "Edit</a>" not in employer.get(f"/rounds/{round.id}").get_data(as_text=True)


def test_reactions_from_the_form_show_a_tally_per_constituency(app, make, db):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["government"], round, "Which lawful basis applies?", section="privacy")
    worker, employer = browser(app, world["worker"]), browser(app, world["employer"])
    path, page = f"/rounds/{round.id}/comments/{comment.public_id}/reaction", f"/rounds/{round.id}"
    followed(worker, send(worker, path, {"kind": "agree"}, page=page))
    shown = followed(employer, send(employer, path, {"kind": "question"}, page=page))
    tally = re.search(rf'data-reactions="{comment.public_id}">(.*?)</p>', shown, re.S).group(1)
    assert "Agree: Workers 1" in tally and "Question: Employers 1" in tally
    assert re.search(r'value="question" class="small" aria-pressed="true"', shown)  # my own reaction
    before = snapshot(db)
    bad = send(worker, path, {"kind": "love"}, page=page)
    assert bad.status_code == 422 and "kind" in bad.get_data(as_text=True)
    assert snapshot(db) == before
    followed(worker, send(worker, path, {"kind": "none"}, page=page))  # taken back
    with db.transaction(write=False) as session:
        assert [r.kind.value for r in session.query(CommentReaction).filter_by(comment_id=comment.id)] == ["question"]


def test_pseudonymous_workers_stay_pseudonymous_on_the_round_and_reply_pages(app, make):
    world = tripartite(make, identity_policy="pseudonymous")
    round = world["round"]
    comment = make.comment(world["worker"], round, "Who reads the scanner data?", section="privacy")
    employer = browser(app, world["employer"])
    for path in (f"/rounds/{round.id}", f"/rounds/{round.id}/comments/{comment.public_id}/reply"):
        page = employer.get(path).get_data(as_text=True)
        assert "Worker representative 1" in page and "Wanda Worker" not in page
        assert world["worker"].organisation.name not in page
    assert "Wanda Worker" in browser(app, world["worker"]).get(f"/rounds/{round.id}").get_data(as_text=True)


def test_the_secretariat_gets_a_hide_link_and_the_parties_do_not(app, make):
    world = tripartite(make)
    round = world["round"]
    comment = make.comment(world["worker"], round, "A point.", section="privacy")
    hide = f"/rounds/{round.id}/comments/{comment.public_id}/hide"
    assert hide in browser(app, world["secretariat"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    assert hide not in browser(app, world["worker"]).get(f"/rounds/{round.id}").get_data(as_text=True)


def test_a_draft_round_shows_its_draft_stage_and_the_stages_not_planned_yet(app, make):
    employer = make.user("employers")
    round = make.round(employer, stage="draft")
    page = browser(app, employer).get(f"/rounds/{round.id}").get_data(as_text=True)
    svg = re.search(r'<svg class="chart timeline-chart".*?</svg>', page, re.S).group(0)
    assert re.findall(r'data-stage="([a-z_]+)" class="bar ([a-z]+)', svg) == [("draft", "current")]
    assert svg.count('class="unplanned">not planned yet<') == 6
    assert "Nobody has commented or recorded a stance yet." in page
