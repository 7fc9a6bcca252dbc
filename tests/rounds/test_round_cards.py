"""The round page's kept cards (consult/rounds/cards.py): the timeline, participation and plan cards are never
shown as they were before an event, a deadline's move or the passing of time, never as another constituency
sees them, never in another language than the page's, and never from another round."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime

import consult.rounds.pages
from consult.accounts.models import User
from consult.accounts.services import set_language
from consult.timeline.services import extend_stage
from consult.workflow.definitions import Duration
from tests.factories import PLAN, tripartite
from tests.pages.forms import browser
from tests.pages.test_round_page import cell


def page(client, round) -> str:
    """The round page as this client's person sees it, with the per-request CSRF token left out."""
    html = client.get(f"/rounds/{round.id}").get_data(as_text=True)
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', html)


def card(html: str, name: str) -> str:
    """One card of the page, by its id (timeline, participation)."""
    return re.search(rf'<details class="card" id="{name}".*?</details>', html, re.S).group(0)


def cards(app):
    return app.extensions["consult.round_cards"]


def test_the_participation_card_is_shown_again_after_a_comment(app, make):
    world = tripartite(make)
    round = world["round"]
    make.comment(world["government"], round, "Who audits the roster?", section="privacy")
    worker = browser(app, world["worker"])
    before = card(page(worker, round), "participation")
    kept = len(cards(app))
    assert cell(before, "consultation", "government:comments") == 1
    assert card(page(worker, round), "participation") == before and len(cards(app)) == kept  # from the cache
    make.comment(world["government"], round, "And who reads the audit?", section="privacy")
    assert cell(card(page(worker, round), "participation"), "consultation", "government:comments") == 2


def test_a_participation_card_kept_for_one_constituency_is_never_shown_to_another(app, make):
    world = tripartite(make)
    round = world["round"]
    make.comment(world["worker"], round, "Unions want 30 days.", section="privacy", channel="caucus")
    make.comment(world["worker"], round, "And paid breaks.", section="privacy", channel="caucus")
    worker = card(page(browser(app, world["worker"]), round), "participation")  # the workers' card is kept first
    assert cell(worker, "consultation", "workers:comments") == 2
    employer = card(page(browser(app, world["employer"]), round), "participation")  # same round, same event
    assert "workers:comments" not in employer and "Nobody has commented or recorded a stance yet." in employer


def test_the_timeline_card_is_shown_again_after_an_extension_and_as_time_passes(app, make, monkeypatch):
    world = tripartite(make)
    round = world["round"]
    worker = browser(app, world["worker"])
    deadline = re.compile(r'<tr class="current".*?</tr>', re.S)
    before = card(page(worker, round), "timeline")
    assert card(page(worker, round), "timeline") == before  # from the cache
    with make.db.transaction() as session:
        extend_stage(session, session.get(User, world["secretariat"].id), round.id, Duration(3, "days"), "More time.")
    extended = card(page(worker, round), "timeline")
    assert deadline.search(extended).group(0) != deadline.search(before).group(0)

    monkeypatch.setattr(consult.rounds.pages, "utcnow", lambda: datetime(2031, 5, 4, 12, 0, tzinfo=UTC))
    later = card(page(worker, round), "timeline")
    assert "Now: May 4, 2031" in later and "Now: May 4, 2031" not in extended


def test_the_cards_follow_the_readers_language(app, make):
    world = tripartite(make)
    round = world["round"]
    english = page(browser(app, world["government"]), round)
    assert "<h2 id=\"timeline-heading\">Timeline</h2>" in card(english, "timeline")
    with make.db.transaction() as session:
        set_language(session, session.get(User, world["government"].id), "fr")
    french = page(browser(app, world["government"]), round)
    assert "Timeline</h2>" not in card(french, "timeline") and "Timeline</h2>" not in card(french, "participation")
    assert "Provider</dt>" in english and "Provider</dt>" not in french


def test_each_round_shows_its_own_plan(app, make):
    world = tripartite(make)
    plan = {**copy.deepcopy(PLAN), "system_name": "ShiftMind", "provider": "Acme Scheduling"}
    other = make.round(world["employer"], invite=(world["worker"].organisation,), plan=plan)
    worker = browser(app, world["worker"])
    first, second = page(worker, world["round"]), page(worker, other)
    assert "Acme Scheduling" in second and "Acme Scheduling" not in first
    assert ": ShiftMind</h3>" in second and ": ShiftMind</h3>" not in first
