"""The browser world: Debian's Chromium driven by Playwright against the app served over real HTTP and WebSocket.

- `browser`: one headless Chromium for the session (skipped, saying why, where /usr/bin/chromium is missing).
- `as_person(user)`: a fresh browser context (its own cookies), logged in through the real form; returns its page.
- `form_world_database`: a copy of `tests/browser/form_world.py`'s world (built once per worker, see
  `form_world_snapshot["world"]`), where every page form appears; a module overrides `database_url` with it.
- `shot(page, step)`: a full-page screenshot in `artifacts/browser/<test name>/`, numbered in the order taken.

`tests/browser/helpers.py` holds `assert_accessible(page, name)` (axe-core) and `wait_until_live(page)`.

Browser tests run on SQLite only: the database backends are proven elsewhere, here it is the pages.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from consult.paths import ROOT
from tests.conftest import _copy_of, _snapshot
from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "browser"
#: How long a live update may take to reach another browser before the test says it never came (ms).
LIVE_TIMEOUT = 10_000


@pytest.fixture
def backend() -> str:
    """Browser tests run on SQLite only (overrides the SQLite-and-PostgreSQL parametrisation)."""
    return "sqlite"


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, headless (Playwright's own browser download is not available here).

    Package-scoped: Playwright's sync API runs an event loop in the main thread while it is open, and later
    tests that run their own (pyHanko's verification, another Playwright) must find none.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (scripts/test installs it with apt-get "
                    "where it can): the browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def _safe(name: str) -> str:
    """A name fit for a file: anything but letters, digits, dots and dashes becomes a dash."""
    return re.sub(r"[^\w.-]+", "-", name).strip("-")


@pytest.fixture
def artifacts(request) -> Path:
    """This test's screenshot folder, emptied at the start of the test."""
    folder = ARTIFACTS / _safe(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def shot(artifacts):
    """`shot(page, step)`: save a full-page screenshot as `NN-step.png` in the test's artifact folder.

    `shot(page, step, around=locator)` saves only the part of the window around that element instead (to see
    a focus indicator, say).
    """
    taken = [0]

    def take(page, step: str, around=None) -> Path:
        taken[0] += 1
        path = artifacts / f"{taken[0]:02d}-{_safe(step)}.png"
        if around is None:
            page.screenshot(path=str(path), full_page=True)
            return path
        around.scroll_into_view_if_needed()
        box = around.bounding_box()
        size = page.viewport_size
        left, top = max(0, box["x"] - 160), max(0, box["y"] - 120)
        page.screenshot(path=str(path), clip={"x": left, "y": top, "width": min(640, size["width"] - left),
                                              "height": min(320, size["height"] - top)})
        return path

    return take


@pytest.fixture(scope="session")
def form_world_snapshot(tmp_path_factory, sqlite_template, compiled_catalogues) -> dict:
    """`tests/browser/form_world.py`'s world (every page form appears in it), built once per worker."""
    from tests.browser.form_world import form_world

    return _snapshot(tmp_path_factory.mktemp("form-world"), sqlite_template, compiled_catalogues, form_world)


@pytest.fixture
def form_world_database(tmp_path, form_world_snapshot) -> str:
    """A copy of the form world's database and instance folder for this test; use it as `database_url`."""
    return _copy_of(form_world_snapshot, tmp_path)


@pytest.fixture
def as_person(browser, live_server):
    """`as_person(user)`: a page in a browser context of its own, logged in as that person on the live server."""
    contexts = []

    def open_as(user):
        context = browser.new_context(base_url=live_server, locale="en-GB")
        context.set_default_timeout(LIVE_TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.locator("#password").press("Enter")
        page.wait_for_url(f"{live_server}/")
        return page

    yield open_as
    for context in contexts:
        context.close()
