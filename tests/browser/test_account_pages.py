"""The account pages in Chromium: no serious accessibility violation, and they work without JavaScript."""

from __future__ import annotations

from datetime import timedelta

from consult.accounts.lifecycle import INVITE, issue_link
from consult.accounts.models import User
from tests.browser.helpers import assert_accessible
from tests.factories import tripartite

NEW_PASSWORD = "plum orchard under snow"


def test_my_account_and_the_register_have_no_serious_violation(make, as_person, shot):
    world = tripartite(make)
    page = as_person(world["worker"])
    page.goto("/account")
    page.fill("#token-name", "my script")
    page.get_by_role("button", name="Create a token").click()
    page.locator("#new-token").wait_for()
    shot(page, "account")
    assert_accessible(page, "my account")
    secretariat = as_person(world["secretariat"])
    secretariat.goto("/organisations")
    assert_accessible(secretariat, "the register of people")


def test_an_invited_person_sets_a_password_without_javascript(make, browser, live_server, shot):
    world = tripartite(make)
    with make.db.transaction() as session:
        secret = issue_link(session, session.get(User, world["worker"].id), INVITE, timedelta(days=1))
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/password/forgotten")
        assert "Mot de passe oublié" in page.content()
        page.goto(f"/password/set/{secret}")
        page.fill("#password", NEW_PASSWORD)
        page.fill("#confirmation", NEW_PASSWORD)
        page.locator("#confirmation").press("Enter")  # the browser's own form submission
        page.wait_for_url(f"{live_server}/")
        shot(page, "password-set")
    finally:
        context.close()
    with_script = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = with_script.new_page()
        page.goto("/password/forgotten")
        assert_accessible(page, "the forgotten password page")
        page.goto(f"/password/set/{secret}")  # spent: a clear refusal
        assert "not valid any more" in page.content()
        assert_accessible(page, "a spent link")
    finally:
        with_script.close()
