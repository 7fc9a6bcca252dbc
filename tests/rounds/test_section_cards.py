"""The round page's kept section frames (consult/rounds/cards.py's `section_cards`): a section's tabs, panels,
links and post form are never shown as another constituency, the secretariat or another query has them, never
as they were before a comment, never in another language than the page's, and never with another session's
CSRF token; every viewer's page is the page the templates render with nothing kept. The page's header and
its form to post on any section are cards too: never another person's name, count, address or draft."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

import consult.rounds.pages
from consult.accounts.lifecycle import deactivate_person
from consult.accounts.models import User
from consult.accounts.services import set_language
from consult.notifications.models import Notification
from tests.factories import tripartite
from tests.pages.forms import browser, send

VIEWERS = ("secretariat", "worker", "employer", "government")  # the secretariat's frames are kept first
QUERIES = ("", "?section=privacy&channel=caucus", "?section=skills_training", "?section=privacy", "?q=roster",
           "?q=roster&topic=privacy&constituency=government&unanswered=1&mine=1", "?q=audits&topic=privacy")


def page(client, round, query: str = "") -> str:
    """The round page as this client's person sees it."""
    return client.get(f"/rounds/{round.id}{query}").get_data(as_text=True)


def tokenless(html: str) -> str:
    """The page with its CSRF tokens left out (each is signed afresh with the time)."""
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', html)


def section(html: str, key: str) -> str:
    """One section of the page (its plan, tabs, thread panels and post form)."""
    return re.search(rf'<section class="card section" id="section-{key}".*?</section>', html, re.S).group(0)


def tokens(html: str) -> list[str]:
    """The CSRF tokens of the page's forms, in order."""
    return re.findall(r'name="csrf_token" value="([^"]+)"', html)


def kept(app):
    return app.extensions["consult.round_cards"]


@pytest.fixture
def talk(make, monkeypatch):
    """A round whose secretariat reads the caucuses, with a workers' caucus comment and a plenary one on privacy,
    and more than a preview's comments on skills."""
    monkeypatch.setattr(consult.rounds.pages, "utcnow", lambda: datetime(2031, 5, 4, 12, 0, tzinfo=UTC))
    world = tripartite(make, secretariat_sees_caucus=True)
    round = world["round"]
    make.comment(world["worker"], round, "Unions want 30 days.", section="privacy", channel="caucus")
    make.comment(world["government"], round, "Who audits the roster?", section="privacy")
    for n in range(6):
        make.comment(world["employer"], round, f"Training plan, part {n}.", section="skills_training")
    return world


def test_every_viewer_sees_the_page_the_templates_render_with_nothing_kept(app, make, talk):
    round = talk["round"]
    clients = {name: browser(app, talk[name]) for name in VIEWERS}
    for client in clients.values():
        page(client, round)  # the first visit moves the "new since your last visit" marks; later ones do not
    cached = {(name, q): page(client, round, q) for name, client in clients.items() for q in QUERIES}
    assert len(kept(app)) > 0
    app.jinja_env.auto_reload = True  # nothing is kept or read from the caches while templates reload
    try:
        fresh = {(name, q): page(client, round, q) for name, client in clients.items() for q in QUERIES}
    finally:
        app.jinja_env.auto_reload = False
    for shown, html in cached.items():
        assert tokenless(html) == tokenless(fresh[shown]), shown

    worker, secretariat = cached[("worker", "")], cached[("secretariat", "")]
    assert "(only your constituency reads this)" in section(worker, "privacy")
    assert "(each constituency's own)" in section(secretariat, "privacy")
    caucus = section(cached[("worker", "?section=privacy&channel=caucus")], "privacy")
    assert 'data-tab="privacy:caucus" aria-current="page"' in caucus and '"caucus" selected' in caucus
    assert 'data-tab="privacy:caucus" aria-current="page"' not in section(worker, "privacy")
    chosen = section(cached[("worker", "?section=skills_training")], "skills_training")
    assert "older comment" not in chosen and "Training plan, part 0." in chosen  # a chosen thread shows a page
    assert 'channel=plenary#section-skills_training">1 older comment<' in section(worker, "skills_training")
    searched = cached[("government", "?q=roster&topic=privacy&constituency=government&unanswered=1&mine=1")]
    assert 'value="roster"' in searched and '"privacy" selected' in searched and '"government" selected' in searched
    assert 'name="mine" value="1" checked' in searched and '<details class="card search" id="search" open>' in searched


def test_the_section_index_follows_the_lens_and_new_comments(app, make, talk):
    round = talk["round"]
    worker, employer = browser(app, talk["worker"]), browser(app, talk["employer"])
    assert 'data-count="privacy">2 comments<' in page(worker, round)  # the workers' caucus is theirs to count
    assert 'data-count="privacy">1 comment<' in page(employer, round)
    make.comment(talk["government"], round, "Breaks every two hours.", section="safety_health_dignity")
    html = page(worker, round)
    assert 'data-count="safety_health_dignity">1 comment<' in html and 'data-new="safety_health_dignity">1 new<' in html


def test_a_section_is_shown_again_after_a_comment(app, make, talk):
    round = talk["round"]
    government = browser(app, talk["government"])
    assert "No comments yet." in section(page(government, round), "safety_health_dignity")
    assert "1 older comment<" in section(page(government, round), "skills_training")
    make.comment(talk["worker"], round, "Breaks every two hours.", section="safety_health_dignity")
    make.comment(talk["employer"], round, "Training plan, part 7.", section="skills_training")
    html = page(government, round)
    safety = section(html, "safety_health_dignity")
    assert "No comments yet." not in safety and "Breaks every two hours." in safety
    assert "2 older comments<" in section(html, "skills_training")


def test_a_section_follows_who_may_post_now_and_who_reads(app, make, talk):
    round = talk["round"]
    worker, secretariat = browser(app, talk["worker"]), browser(app, talk["secretariat"])
    assert 'class="section-post"' in section(page(worker, round), "privacy")
    make.move_to(talk["employer"], round, "concluded")  # nobody may post: the secretariat's frame and a worker's
    kept_for_secretariat = section(page(secretariat, round), "privacy")  # differ only in the caucus's note
    assert "(each constituency's own)" in kept_for_secretariat and 'class="section-post"' not in kept_for_secretariat
    closed = section(page(worker, round), "privacy")
    assert 'class="section-post"' not in closed
    assert "(only your constituency reads this)" in closed and "(each constituency's own)" not in closed


def test_a_section_follows_the_readers_language(app, make, talk):
    round = talk["round"]
    english = section(page(browser(app, talk["worker"]), round), "privacy")
    with make.db.transaction() as session:
        set_language(session, session.get(User, talk["worker"].id), "fr")
    french = section(page(browser(app, talk["worker"]), round), "privacy")
    assert "(only your constituency reads this)" in english and "Plenary</a>" in english
    assert "(only your constituency reads this)" not in french and "Plenary</a>" not in french


def test_the_round_links_and_live_labels_follow_the_round_and_the_language(app, make, talk):
    other = make.round(talk["employer"], invite=(talk["worker"].organisation,))
    worker = browser(app, talk["worker"])
    first, second = page(worker, talk["round"]), page(worker, other)
    assert f'href="/rounds/{talk["round"].id}/questions"' in first and f'href="/rounds/{other.id}/questions"' in second
    assert f'href="/rounds/{talk["round"].id}/questions"' not in second
    with make.db.transaction() as session:
        set_language(session, session.get(User, talk["worker"].id), "fr")
    french = page(browser(app, talk["worker"]), other)
    assert "Discussion</a>" in second and '"presence": "Here now: {counts}"' in second
    assert "Information package</a>" not in french and "Here now: {counts}" not in french


def test_each_session_posts_with_its_own_token(app, make, talk):
    round = talk["round"]
    first, second = page(browser(app, talk["worker"]), round), page(browser(app, talk["worker"]), round)
    for html in (first, second):
        assert 'class="section-post"' in section(html, "privacy")
        assert len(set(tokens(html))) == 1  # the sections' forms carry the page's own token
    assert tokens(first)[0].split(".")[0] != tokens(second)[0].split(".")[0]  # each session's own


def header(html: str) -> str:
    """The page's header (nav, the person, the language switch), a card of its own."""
    return re.search(r'<header class="top">.*?</header>', html, re.S).group(0)


def test_the_header_follows_the_person_their_notifications_and_the_language(app, make, talk):
    round, person = talk["round"], talk["worker"]
    first = header(page(browser(app, person), round))
    organisation = person.organisation.name
    unread = int(re.search(r'<span class="badge">\((\d+) new\)</span>', first).group(1))
    assert f">Wanda Worker · {organisation}</a>" in first
    assert "Open a round" not in first and "Moderation" not in first
    with make.db.transaction() as session:
        kept_person = session.get(User, person.id)
        kept_person.display_name = "Wanda <Union> Worker"
        session.add(Notification(user_id=person.id, round_id=round.id, kind="comment.posted", data={},
                                 link=f"/rounds/{round.id}", delivery="off"))
    client = browser(app, person)
    renamed = header(page(client, round))
    assert f">Wanda &lt;Union&gt; Worker · {organisation}</a>" in renamed and "Wanda Worker" not in renamed
    assert f'<span class="badge">({unread + 1} new)</span>' in renamed
    with make.db.transaction() as session:
        set_language(session, session.get(User, person.id), "fr")
    french = header(page(client, round))
    assert '<option value="fr" lang="fr" selected>' in french and '<option value="en" lang="en">' in french
    assert "Change language" not in french and "Change language" in renamed
    employer = header(page(browser(app, talk["employer"]), round))
    secretariat = header(page(browser(app, talk["secretariat"]), round))
    assert "Open a round" in employer and "Moderation" not in employer
    assert "Open a round" in secretariat and "Moderation" in secretariat and "Erin Employer" in employer


def test_the_header_comes_back_to_its_own_page_and_leaves_a_deactivated_person(app, make, talk):
    round, person = talk["round"], talk["worker"]
    client = browser(app, person)
    assert f'name="next" value="/rounds/{round.id}?section=privacy&amp;channel=caucus"' in header(
        page(client, round, "?section=privacy&channel=caucus"))
    assert f'name="next" value="/rounds/{round.id}"' in header(page(client, round))
    make.user(person.organisation, name="Wes Worker")  # a union's last person in a round under way stays (409)
    with make.db.transaction() as session:
        deactivate_person(session, session.get(User, talk["secretariat"].id), person.id)
    assert client.get(f"/rounds/{round.id}").status_code == 302
    front = header(client.get("/").get_data(as_text=True))
    assert "Log in</a>" in front and "Wanda Worker" not in front and "Log out" not in front


def test_a_refused_draft_comes_back_in_its_form_and_no_other(app, make, talk):
    round = talk["round"]
    worker, employer = browser(app, talk["worker"]), browser(app, talk["employer"])
    path = f"/rounds/{round.id}"
    refused = send(worker, f"{path}/comments", {"section": "nowhere", "channel": "caucus", "body": "Keep <b>me</b>."},
                   page=path).get_data(as_text=True)
    form = re.search(r'<h2 id="post-heading">.*?</section>', refused, re.S).group(0)
    assert ">Keep &lt;b&gt;me&lt;/b&gt;.</textarea>" in form and '<option value="caucus" selected>' in form
    for html in (page(worker, round), page(employer, round)):
        again = re.search(r'<h2 id="post-heading">.*?</section>', html, re.S).group(0)
        assert "Keep" not in again and "></textarea>" in again and "caucus\" selected" not in again
