"""The forms that do several things in one submit, in a real browser: every section's stance, several invitations.

Each page is checked with axe-core, and at 320 px and 375 px wide (as tests/browser/test_reflow.py does).
"""

from __future__ import annotations

from consult.rounds.plan import SECTIONS
from tests.browser.helpers import assert_accessible
from tests.browser.test_reflow import _too_wide
from tests.factories import tripartite
from tests.outcomes.helpers import outcome_world


def assert_fits_a_phone(page) -> None:
    """No wider than a 320 px or 375 px viewport; the window is put back to its size after."""
    size = page.viewport_size
    try:
        assert not _too_wide(page)
    finally:
        page.set_viewport_size(size)


def test_a_party_records_every_section_in_one_submit_and_sees_them_all_on_reload(make, as_person, shot):
    world = outcome_world(make, stances=False)
    round_id = world["round"].id
    page = as_person(world["government"])
    page.goto(f"/rounds/{round_id}/positions")
    assert_accessible(page, "the positions page with the stances form")
    assert_fits_a_phone(page)
    with page.expect_navigation():  # nothing chosen yet: nothing to record
        page.get_by_role("button", name="Record the stances").click()
    assert "Choose a stance on at least one section." in page.get_by_role("alert").inner_text()
    for key, _title in SECTIONS:
        section = page.locator(f"#stance-{key}")
        if key == "privacy":
            section.get_by_label("Disagree", exact=True).check()  # without the statement a disagreement needs
        else:
            section.get_by_label("Agree", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the stances").click()
    alert = page.get_by_role("alert")
    assert "Nothing was saved: check the stances on Privacy." in alert.inner_text()
    assert_accessible(page, "the refused stances form")
    assert_fits_a_phone(page)
    shot(page, "stances-refused")
    page.locator("#statement-privacy").fill("Not without a data-protection impact assessment.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the stances").click()
    assert page.get_by_role("status").filter(has_text="stances were recorded").count() == 1
    page.reload()
    for key, _title in SECTIONS:
        row = page.locator(f"#section-{key} table.stances tr").filter(has_text="Government")
        assert ("Disagree" if key == "privacy" else "Agree") in row.inner_text(), key
        assert page.locator(f"#stance-{key}-{'disagree' if key == 'privacy' else 'agree'}").is_checked(), key
    assert "Not without a data-protection impact assessment." in page.locator("#section-privacy").inner_text()
    shot(page, "stances-recorded")


def test_the_secretariat_invites_two_organisations_at_once(make, as_person, shot):
    world = tripartite(make, stage="draft")
    union = make.organisation("workers", name="Second Union")
    inspectorate = make.organisation("government", name="Labour Inspectorate")
    make.organisation("observers", name="Research Institute")
    page = as_person(world["secretariat"])
    page.goto(f"/rounds/{world['round'].id}/people")
    assert_accessible(page, "the people page with the invitations form")
    assert_fits_a_phone(page)
    page.get_by_label("Second Union (Workers)").check()
    page.get_by_label("Labour Inspectorate (Government)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Invite the organisations ticked").click()
    assert "The organisations are invited." in page.get_by_role("status").first.inner_text()
    taking_part = page.locator("section[aria-labelledby='organisations-heading']").inner_text()
    assert "Second Union" in taking_part and "Labour Inspectorate" in taking_part
    assert page.locator(f"#invite-{union.id}").count() == 0 and page.locator(f"#invite-{inspectorate.id}").count() == 0
    assert page.get_by_label("Research Institute (Observers)").count() == 1  # still offered
    assert_accessible(page, "the people page after inviting")
    assert_fits_a_phone(page)
    shot(page, "two-invited")
