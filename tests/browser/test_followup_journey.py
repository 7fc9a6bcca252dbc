"""Journeys after the round, in Chromium: an owner reports a commitment's progress and sees it charted; a
visitor reaches a published outcome from the front door and verifies its PDF. Screenshots at 1280 and 375 px."""

from __future__ import annotations

import time

from sqlalchemy import select

from consult.outcomes.models import Commitment
from tests.browser.helpers import assert_accessible
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude


def _concluded(make, api):
    world = outcome_world(make, is_public=True, title="Rostering at Northgate Logistics")
    conclude(api, world)
    with make.db.transaction(write=False) as session:
        world["commitment"] = session.scalar(select(Commitment.id).where(Commitment.round_id == world["round"].id))
    return world


def _report(page, value: str, note: str, evidence: str = "") -> None:
    page.fill("#value", value)
    page.fill("#note", note)
    page.fill("#evidence", evidence)
    with page.expect_navigation():
        page.get_by_role("button", name="Report progress").click()


def test_the_owner_reports_progress_in_two_steps_and_sees_it_charted(make, api, as_person, shot):
    world = _concluded(make, api)
    page = as_person(world["employer"])
    page.get_by_role("link", name="Monitoring").click()
    page.get_by_role("link", name="Publish an annual algorithmic audit").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Publish an annual algorithmic audit"
    assert page.locator("svg.chart").count() == 0 and "No progress reported yet." in page.content()
    assert_accessible(page, "a commitment page before any progress")
    _report(page, "0 audits", "The auditor is chosen.", "https://northgate.example/tender.pdf")
    _report(page, "1 audit", "Published in March.")
    assert "The progress is reported." in page.get_by_role("status").first.inner_text()
    chart = page.locator("figure.kpi-chart svg")
    assert chart.locator("circle.kpi-point").count() == 2 and chart.locator("line.target").count() == 1
    rows = page.locator("table.progress-table tbody tr")
    assert rows.count() == 2 and "1 audit" in rows.nth(1).inner_text()
    # Refused: no value. Named by its label, the rest kept.
    page.fill("#note", "kept")
    with page.expect_navigation():
        page.get_by_role("button", name="Report progress").click()
    assert "The KPI's value now" in page.get_by_role("alert").inner_text()
    assert page.locator("#note").input_value() == "kept"
    assert_accessible(page, "a commitment page with progress, a chart and a refused report")
    here = f"/rounds/{world['round'].id}/commitments/{world['commitment']}"
    page.goto(here)
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "commitment-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "commitment-375")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375

    other = as_person(world["worker"])
    other.goto(here)
    assert other.locator("circle.kpi-point").count() == 2 and other.locator("#value").count() == 0


def _pdf_when_ready(page, path: str, seconds: float = 90) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = page.request.get(path)
        if answer.status == 200:
            return answer.body()
        time.sleep(0.5)
    raise AssertionError(f"{path} never became ready")


def test_a_visitor_reaches_a_published_outcome_and_verifies_its_pdf_from_the_front_door(
        make, api, browser, live_server, shot, tmp_path):
    _concluded(make, api)
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto("/")
        shot(page, "front-door-1280")
        assert_accessible(page, "the front door")
        page.set_viewport_size({"width": 375, "height": 800})
        shot(page, "front-door-375")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("link", name="Search the registry").click()
        page.get_by_role("link", name="Rostering at Northgate Logistics").click()
        assert "The parties agree on" in page.locator(".agreed-text").first.inner_text()
        assert "Publish an annual algorithmic audit" in page.content()
        assert_accessible(page, "a registry entry")
        href = page.get_by_role("link", name="The signed PDF").get_attribute("href")
        saved = tmp_path / "outcome.pdf"
        saved.write_bytes(_pdf_when_ready(page, href))
        page.get_by_role("link", name="Home").click()
        page.get_by_role("link", name="Verify a document").first.click()
        page.locator("#pdf").set_input_files(str(saved))
        with page.expect_navigation():
            page.get_by_role("button", name="Check").click()
        assert "A signed outcome on record." in page.content()
        assert "The signature is intact and was made with this platform's key." in page.content()
        shot(page, "verified")
        assert_accessible(page, "the verification page with a verdict")
    finally:
        context.close()
