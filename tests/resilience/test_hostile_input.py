"""Hostile input: forged and expired tokens, missing CSRF tokens, and an XSS corpus through every text field,
checked in the API, the pages and the PDF."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import update

from consult.accounts.models import ApiToken
from consult.db import utcnow
from consult.documents.render import write_pdf
from consult.outcomes.exports import pdf_document
from consult.outcomes.services import live_outcome
from tests.factories import log_in
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude

XSS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<svg onload=alert(1)>',
    '"><iframe src="https://evil.example"></iframe>',
    "[click](javascript:alert(1))",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
]


class ScriptFinder(HTMLParser):
    """Everything in a page that could run script: script elements, on* attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        ours = any(name == "src" and (value or "").startswith("/static/") for name, value in attrs)
        data = ("type", "application/json") in attrs  # a data block (tojson escapes <, > and &), never run
        if tag == "script" and not (ours or data):
            self.found.append(f"<script> {attrs}")
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    ("javascript:", "data:text/html")):
                self.found.append(f"{tag} {name}={value}")


def runnable(html: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(html)
    return finder.found


def test_forged_expired_and_revoked_tokens_are_refused(api, make, db, client, scenario):
    scenario(done="API calls with a forged token, an expired one, a revoked one and a malformed header",
             checked="401 in the error shape for each; a valid token still works")
    person = make.user("workers")
    good = make.token(person)
    headers = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731
    assert client.get("/api/v1/me", headers=headers(good)).status_code == 200
    forged = "cst_" + "A" * 43
    for token in (forged, good[:-1] + ("B" if good[-1] != "B" else "C"), "not-a-token", ""):
        answer = client.get("/api/v1/me", headers=headers(token))
        assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorized"
    with db.transaction() as session:
        session.execute(update(ApiToken).where(ApiToken.user_id == person.id)
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/v1/me", headers=headers(good)).status_code == 401
    fresh = client.post("/api/v1/tokens", json={"name": "ci", "expires_in_days": 1},
                        headers=headers(make.token(person)))
    assert fresh.status_code == 201 and fresh.get_json()["expires_at"]


def test_a_form_without_its_csrf_token_is_refused(make, client, scenario):
    scenario(done="Log in, then post the comment form and the log-out form without their CSRF token",
             checked="400 csrf_failed; nothing posted; still logged in")
    from tests.factories import tripartite

    world = tripartite(make)
    log_in(client, world["worker"])
    refused = client.post(f"/rounds/{world['round'].id}/comments", data={"section": "system", "body": "x"})
    assert refused.status_code == 400
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


@pytest.fixture
def hostile_world(make, api):
    """A public, concluded round whose every text field a user writes holds the XSS corpus."""
    payload = " ".join(XSS)
    world = outcome_world(make, is_public=True, title=("<script>alert('title')</script> " + payload)[:200])
    round_id = world["round"].id
    secretariat = api(world["secretariat"])
    secretariat.put(f"/rounds/{round_id}/positions/privacy", json={"text": payload, "base_version": 1})
    api(world["worker"]).put(f"/rounds/{round_id}/stances/privacy", json={"stance": "disagree",
                                                                           "statement": payload})
    secretariat.post(f"/rounds/{round_id}/commitments", json={
        "description": payload[:2000], "owner_organisation_id": world["employer"].organisation_id,
        "kpi": XSS[1], "target": XSS[0], "due_on": "2027-12-31"})
    for party in ("worker", "employer", "government"):
        for key in ("privacy",):
            api(world[party]).put(f"/rounds/{round_id}/stances/{key}", json={"stance": "disagree",
                                                                              "statement": payload})
    for body in XSS:
        api(world["worker"]).post(f"/rounds/{round_id}/comments", json={"section": "system", "body": body})
    conclude(api, world)
    return world


def test_the_xss_corpus_never_becomes_runnable_in_the_api_the_pages_or_the_pdf(hostile_world, api, make, db,
                                                                                 client, scenario, app):
    world = hostile_world
    round_id = world["round"].id
    scenario(done=f"{len(XSS)} XSS payloads through the round title, positions, stances, commitments and comments",
             checked="comment HTML from the API, 6 pages, the registry, the PDF: no script, no on* handler, no "
                     "javascript: URL",
             figure=f"{len(XSS)} payloads x 5 fields")
    comments = api(world["government"]).get(f"/rounds/{round_id}/comments").get_json()["items"]
    assert len(comments) == len(XSS)
    for comment in comments:
        assert runnable(comment["body_html"]) == [], comment["body_html"]
    positions = api(world["government"]).get(f"/rounds/{round_id}/positions").get_json()
    for position in positions:
        if position["position"]:
            assert runnable(position["position"]["text_html"]) == []
    log_in(client, world["government"])
    for path in ("/", f"/rounds/{round_id}", "/monitoring", "/registry", f"/registry/{round_id}",
                 "/registry?q=script"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert runnable(page.get_data(as_text=True)) == [], path
    assert "<script>alert" not in client.get("/registry.atom").get_data(as_text=True)
    with db.transaction(write=False) as session:
        document = pdf_document(session, live_outcome(session, round_id), base_url="http://x", annex=True)
    refused: list[str] = []
    pdf = write_pdf(document, refused=refused)
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf and b"/Launch" not in pdf
    assert not any(url.startswith(("http", "javascript")) for url in refused)  # sanitised before the render
    assert pdf.startswith(b"%PDF-")


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed (.ci/run installs it)")
def test_the_pdf_renderer_fetches_nothing_a_user_wrote(scenario):
    from tests.documents.test_pdf import DOCUMENT

    scenario(done="User text in a position pointing the renderer at file:///etc/passwd, the cloud metadata address "
                  "and a URL that redirects to file:", checked="each refused, the render completes")
    document = {**DOCUMENT, "sections": [dict(DOCUMENT["sections"][0])]}
    document["sections"][0]["position"] = {"version": 1, "text_html": (
        '<p><img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">'
        '<img src="https://httpbin.org/redirect-to?url=file:///etc/passwd"></p>')}
    refused: list[str] = []
    pdf = write_pdf(document, refused=refused)
    assert pdf.startswith(b"%PDF-") and b"root:x:0:0" not in pdf
    assert {url.split("/")[2] if "//" in url else url for url in refused} >= {"169.254.169.254", "httpbin.org", ""}


def test_no_payload_runs_in_chromium(hostile_world, live_server, scenario, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.factories import PASSWORD

    world = hostile_world
    round_id = world["round"].id
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{live_server}/login")
        page.fill("#email", world["government"].email)
        page.fill("#password", PASSWORD)
        page.locator("#password").press("Enter")  # the header's language form has a submit button too
        page.wait_for_url(f"{live_server}/")
        for path in (f"/rounds/{round_id}", "/", "/registry?q=script", f"/registry/{round_id}", "/monitoring"):
            page.goto(f"{live_server}{path}")
            page.wait_for_load_state("networkidle")
            for link in page.locator(".body a").all()[:5]:
                href = link.get_attribute("href") or ""
                assert not href.lower().startswith("javascript:"), href
        page.screenshot(path=str(tmp_path / "hostile-round.png"), full_page=True)
        browser.close()
    assert dialogs == []
    scenario(done="The hostile round opened in Chromium (Playwright) as a government representative: round page, "
                  "dashboard, registry, monitoring",
             checked="no alert dialog opened; no javascript: link", figure="0 dialogs")


def test_text_with_a_nul_character_is_refused_by_field_and_changes_nothing(api, make, db, client, scenario):
    """Found by schemathesis: PostgreSQL cannot store NUL, so it must be refused before it gets there."""
    from tests.factories import tripartite
    from tests.test_bad_input import assert_error_shape, snapshot

    scenario(done="A comment (API and page form), a token name and a nested plan field carrying a NUL character",
             checked="422 naming the field; nothing saved")
    world = tripartite(make)
    worker, employer = api(world["worker"]), api(world["employer"])
    before = snapshot(db)
    error = assert_error_shape(worker.post(f"/rounds/{world['round'].id}/comments",
                                           json={"section": "system", "body": "a\u0000b"}), 422)
    assert "body" in error["fields"]
    assert "name" in assert_error_shape(worker.post("/tokens", json={"name": "x\u0000"}), 422)["fields"]
    from tests.factories import round_payload

    body = round_payload()
    body["plan"]["purpose"] = "\u0000"
    assert "plan.purpose" in assert_error_shape(employer.post("/rounds", json=body), 422)["fields"]
    assert snapshot(db) == before
    log_in(client, world["worker"])
    page = client.get(f"/rounds/{world['round'].id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = snapshot(db)  # reading the page moved the worker's reading mark
    form = client.post(f"/rounds/{world['round'].id}/comments",
                       data={"section": "system", "body": "plain\u0000form", "csrf_token": csrf})
    assert form.status_code == 422 and "NUL" in form.get_data(as_text=True)  # the page form, too
    assert snapshot(db) == before
