"""No English left on a French or Spanish page: a crawler follows every link from each role's dashboard (and a
visitor's front door), submits every form empty, and reads each answer against the catalogues' msgids."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.crawl import SKIPPED
from tests.factories import log_in
from tests.i18n.crawl import english_on
from tests.i18n.helpers import speak

LIMIT = 45
#: Forms the crawler does not send empty: they change the page's language or end the session.
NOT_SENT = ("/language", "/logout")


class _Forms(HTMLParser):
    """Every POST form of a page: its action and whether it has a field a person fills in."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self.forms.append({"action": attributes.get("action") or "", "fields": 0})
        elif tag in ("input", "textarea", "select") and self.forms:
            if tag != "input" or (attributes.get("type") or "text") not in ("hidden", "submit", "checkbox", "radio"):
                self.forms[-1]["fields"] += 1


def _key(path: str) -> str:
    parts = urlsplit(path)
    return parts.path + "?" + "&".join(sorted(k for k, _ in parse_qsl(parts.query)))


def crawl_in(client, language: str) -> tuple[list[str], list[str]]:
    """(paths visited, English texts found), following links from / and sending each form empty."""
    queue, seen, sent, visited, found = ["/"], {"/?"}, set(), [], []
    while queue and len(visited) < LIMIT:
        path = queue.pop(0)
        answer = client.get(path)
        if "text/html" not in answer.content_type:
            continue
        html = answer.get_data(as_text=True)
        visited.append(path)
        found += [f"{path}: {text}" for text in english_on(html, language)]
        for href in re.findall(r'href="([^"#]+)', html):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.netloc or SKIPPED.search(parts.path) or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _key(target) not in seen:
                seen.add(_key(target))
                queue.append(target)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        forms = _Forms()
        forms.feed(html)
        for form in forms.forms:
            action = form["action"].replace("&amp;", "&")
            if not form["fields"] or action in sent or any(action.startswith(n) for n in NOT_SENT) or not token:
                continue
            sent.add(action)
            refused = client.post(action, data={"csrf_token": token.group(1)})
            if "text/html" in refused.content_type:
                found += [f"{action} sent empty: {text}"
                          for text in english_on(refused.get_data(as_text=True), language)]
    return visited, found


@pytest.fixture
def database_url(backend, request) -> str:
    """Each crawl runs on its own copy of the full world (`tests/browser/crawl.py`), built once per worker."""
    if backend != "sqlite":
        pytest.skip("by design: the pages are the same on both databases")
    return request.getfixturevalue("world_database")


@pytest.mark.parametrize("language", ["fr", "es"])
@pytest.mark.parametrize("role", ["visitor", "worker", "employer", "government", "secretariat"])
def test_no_english_is_left_on_any_page_or_form_error(app, full_world_snapshot, language, role):
    world = full_world_snapshot["world"]
    db = app.extensions["consult.db"]
    client = app.test_client()
    if role == "visitor":
        client.set_cookie("consult_language", language)
    else:
        speak(db, world[role], language)
        log_in(client, world[role])
    visited, found = crawl_in(client, language)
    missing = client.get("/no-such-page")
    found += [f"404: {text}" for text in english_on(missing.get_data(as_text=True), language)]
    assert len(visited) >= (4 if role == "visitor" else 12), visited
    assert not found, f"{len(found)} English text(s) on {len(visited)} {language} page(s):\n" + "\n".join(found)


def test_the_finder_names_english_left_on_a_french_page():
    """The check itself can fail: an English interface sentence and Werkzeug's 404 text are named."""
    page = ('<html><body><p>Nothing to follow up yet.</p><p class="body">Nothing to follow up yet.</p>'
            '<p>The requested URL was not found on the server.</p><p>Rien à suivre pour l\'instant.</p></body></html>')
    found = english_on(page, "fr")
    assert len(found) == 2 and "Nothing to follow up yet." in found[0] and "requested URL" in found[1]
