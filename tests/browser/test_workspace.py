"""The round as a workspace in Chromium: posting on a section in two actions from the dashboard (with and
without JavaScript), "new since your last visit" markers that appear for another person and clear, a live
comment shown in full (the page's own template), axe-core on each new state, and the page's reflow at 320 and
375 px. Screenshots go to artifacts/browser/<test>/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LIVE_TIMEOUT
from tests.browser.helpers import assert_accessible, wait_until_live
from tests.factories import PASSWORD, tripartite

LONG_TOKEN = "https://example.org/" + "a-very-long-path-without-any-break" * 6


@pytest.fixture
def no_script(browser, live_server):
    """`no_script(user)`: like `as_person`, in a context with JavaScript switched off."""
    contexts = []

    def open_as(user):
        context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
        context.set_default_timeout(LIVE_TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.mark.parametrize("script", ["with JavaScript", "without JavaScript"])
def test_a_worker_posts_on_a_section_in_two_actions_from_the_dashboard(make, as_person, no_script, shot, script):
    world = tripartite(make)
    page = (as_person if script == "with JavaScript" else no_script)(world["worker"])
    assert page.url.endswith("/")  # the dashboard
    # Action 1: the round, from the dashboard.
    page.get_by_role("link", name=world["round"].title).first.click()
    privacy = page.locator("#section-privacy")
    # Action 2: write in the privacy section's own box and post.
    privacy.get_by_label("Your comment on Privacy").fill("Thirty days, not ninety.")
    with page.expect_navigation():
        privacy.get_by_role("button", name="Post").click()
    assert page.locator('[data-thread="privacy:plenary"] .comment').filter(has_text="Thirty days").count() == 1
    assert "Your comment is posted." in page.content()
    shot(page, f"posted-{script}")


def test_unread_markers_appear_for_another_person_and_clear(make, as_person, shot):
    world = tripartite(make)
    round_path = f"/rounds/{world['round'].id}"
    employer = as_person(world["employer"])
    employer.goto(round_path)  # the employer's mark: everything up to now is seen
    worker = as_person(world["worker"])
    worker.goto(round_path)
    for body in ("Who reads the scanner logs?", "And for how long?"):
        box = worker.locator("#section-privacy")
        box.get_by_label("Your comment on Privacy").fill(body)
        with worker.expect_navigation():
            box.get_by_role("button", name="Post").click()
    # The worker sees no marker on their own comments.
    assert worker.locator(".badge.new").count() == 0

    employer.goto("/")
    employer.get_by_role("link", name=world["round"].title).first.click()
    index = employer.locator("nav.section-index")
    assert index.locator('[data-new="privacy"]').inner_text() == "2 new"
    assert index.locator("[data-new]").count() == 1
    marked = employer.locator("#section-privacy li.comment.new")
    assert marked.count() == 2 and "New since your last visit" in marked.first.inner_text()
    shot(employer, "employer-sees-two-new")
    assert_accessible(employer, "round page with new-since markers")

    employer.reload()  # seen: the markers are gone
    assert employer.locator(".badge.new").count() == 0 and employer.locator("li.comment.new").count() == 0
    shot(employer, "employer-markers-cleared")


def test_a_live_comment_comes_in_full_with_its_organisation_time_and_buttons(make, as_person):
    world = tripartite(make, identity_policy="named")
    round_path = f"/rounds/{world['round'].id}"
    worker, government = as_person(world["worker"]), as_person(world["government"])
    worker.goto(round_path)
    government.goto(round_path)
    wait_until_live(worker)
    box = government.locator("#section-privacy")
    box.get_by_label("Your comment on Privacy").fill("The inspectorate expects 30 days at most.")
    with government.expect_navigation():
        box.get_by_role("button", name="Post").click()
    item = worker.locator('[data-thread="privacy:plenary"] li.comment').filter(has_text="30 days at most")
    item.locator(".actions").get_by_role("link", name="Reply").wait_for()
    text = item.inner_text()
    assert world["government"].organisation.name in text and "Gil Government" in text
    assert item.locator("time").count() == 1 and item.get_by_role("button", name="Agree", exact=True).count() == 1


def test_the_round_page_reflows_at_320_and_375_and_stays_accessible(make, as_person, shot):
    world = tripartite(make)
    round = world["round"]
    question = make.comment(world["worker"], round, f"Is this kept? {LONG_TOKEN}", section="privacy")
    make.comment(world["employer"], round, "Thirty days.", section="privacy", parent_id=question.public_id)
    reply = make.comment(world["worker"], round, "And after that?", section="privacy", parent_id=question.public_id)
    make.comment(world["employer"], round, "Deleted.", section="privacy", parent_id=reply.public_id)
    make.comment(world["government"], round, "**Training** must be paid time.", section="skills_training")
    page = as_person(world["worker"])
    states = {"default": f"/rounds/{round.id}", "caucus tab": f"/rounds/{round.id}?section=privacy&channel=caucus",
              "search": f"/rounds/{round.id}?q=kept&unanswered=0"}
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(states["default"])
    shot(page, "round-1280")
    index = page.locator("nav.section-index").bounding_box()
    content = page.locator("#section-system").bounding_box()
    assert index["x"] + index["width"] <= content["x"], "the index stands beside the content at 1280"
    for name, path in states.items():
        page.goto(path)
        page.locator("details#timeline > summary").click()  # open the collapsed views too
        page.locator("details#participation > summary").click()
        assert_accessible(page, f"round page, {name}")
        for width in (320, 375):
            page.set_viewport_size({"width": width, "height": 800})
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= width, f"{name} at {width} px is {wide} px wide"
            if name == "default" and width == 375:
                shot(page, "round-375")
        page.set_viewport_size({"width": 1280, "height": 900})
    make.move_to(world["employer"], round, "concluded")
    page.goto(states["default"])
    assert page.locator("textarea").count() == 0
    assert_accessible(page, "round page, concluded")
