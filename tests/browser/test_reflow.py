"""Phones and zoom (WCAG 2.2 reflow): no page is wider than a 320 px or 375 px viewport, for any role.

Each role's browser crawls every page it can reach by links from its dashboard (a visitor from the front
door) at 320 px, then the same page at 375 px; the page's scroll width must not pass the viewport's.
"""

from __future__ import annotations

import itertools

import pytest

from tests.browser.crawl import crawl
from tests.factories import PASSWORD

WIDTHS = (320, 375)
#: The elements that stick out of the viewport, to name them when a page is too wide.
WIDEST = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && getComputedStyle(e).position !== 'absolute')
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
  .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && e.className.baseVal === undefined ? '.' + String(e.className).split(' ').join('.') : '')
    + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""


def _too_wide(page) -> list[str]:
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 640})
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        if scroll > width:
            found.append(f"{page.url} at {width} px is {scroll} px wide: {page.evaluate(WIDEST, width)}")
    return found


@pytest.fixture
def database_url(world_database) -> str:
    """Each run crawls its own copy of the full world (`tests/browser/crawl.py`), built once per worker."""
    return world_database


def _open(browser, live_server, user=None, locale="en-GB"):
    context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": 320, "height": 640})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login" if user else "/")
    if user:
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.locator("#password").press("Enter")
    return context, page


@pytest.mark.parametrize(("role", "locale"), [
    ("visitor", "en-GB"), ("worker", "en-GB"), ("employer", "en-GB"), ("government", "en-GB"),
    ("secretariat", "en-GB"), ("secretariat", "fr-FR"), ("worker", "es-ES"), ("visitor", "fr-FR")])
def test_no_page_is_wider_than_a_phone(full_world_snapshot, browser, live_server, role, locale):
    """French and Spanish words are longer: the widest tables are checked in them too."""
    world = full_world_snapshot["world"]
    context, page = _open(browser, live_server, None if role == "visitor" else world[role], locale)
    try:
        visited, problems = [], []
        for path in crawl(page, "/"):
            visited.append(path)
            problems.extend(_too_wide(page))
        assert len(visited) >= (4 if role == "visitor" else 12), visited
        if role != "visitor":
            commitment = f"/rounds/{world['round'].id}/commitments/{world['commitment']}"
            assert f"/rounds/{world['live'].id}" in visited and commitment in visited
        assert f"/registry/{world['round'].id}" in visited
        assert not problems, f"{len(problems)} page(s) too wide of {len(visited)} visited:\n" + "\n".join(problems)
    finally:
        context.close()


def test_the_crawl_asks_again_for_a_page_the_busy_server_answers_503(full_world_snapshot, browser, live_server,
                                                                      database_url):
    """Under load a page may answer 503 with Retry-After (no database connection in time): the crawl must not
    leave it out unseen.

    A page whose only write is a mark no longer answers 503 when a writer holds the lock
    (tests/pages/test_reading_marks.py), so the busy answer is given once by the browser's own router, in front
    of the real server, which then answers the second request.
    """
    world = full_world_snapshot["world"]
    context, page = _open(browser, live_server, world["government"])
    busy = []

    def once_busy(route):
        if busy:
            route.continue_()
        else:
            busy.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="busy")

    page.route("**/notifications", once_busy)
    try:
        visited = list(itertools.islice(crawl(page, "/notifications"), 1))
    finally:
        context.close()
    assert busy == [f"{live_server}/notifications"], busy
    assert visited == ["/notifications"], visited
