"""Every form of every page posts as Chromium posts it, with valid input and with invalid input, for every role.

The world (`tests/browser/form_world.py`) holds rounds under every legal profile (fr-cse with an expert, de-betrvg
before the conciliation board, eu-ai-act and platform-work with affected workers, the standard profile from
draft to concluded). Each person (employer, union worker, works council chair, government, secretariat, an
appointed expert from outside) and a visitor crawl every page they reach by links; the sweep
(`tests/browser/sweep.py`) then fills each kind of post form from its own inputs and clicks its button: invalid
twice (required inputs emptied; controls, lengths, ranges, options and files that are wrong), then valid. No
answer may be a server error, a CSRF refusal (400) or a refusal of a field the page sent (a hidden `username`
beside a password, for password managers, as
https://www.chromium.org/developers/design-documents/create-amazing-password-forms/ asks); valid input is taken
(a redirect, or a page without an alert), invalid input is refused (409/422) with a `role="alert"` message and
nothing saved. A form a page gains later is swept without a change here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.accounts.lifecycle import INVITE, RESET, issue_link
from consult.accounts.models import ApiToken, User
from consult.notifications.render import unsubscribe_token
from tests.browser.sweep import sweep, visited_endpoints, without_live_updates
from tests.factories import PASSWORD, tripartite

NEW_PASSWORD = "plum orchard under snow"
#: The people the sweep logs in as (`tests/browser/form_world.py`), each in a test of its own.
ROLES = ("employer", "worker", "works_council", "government", "secretariat", "expert")
#: Valid input sent last, in this order: a new password (later forms ask for the current one), then logging out.
LAST = (r"/account/password$", r"/logout$")
#: The kinds of page each person's crawl must reach (the sweep then finds the forms they show).
ROUND_PAGES = {"pages.round_page", "pages.round_people_page", "pages.round_timeline_page", "pages.package_page",
               "pages.questions_page", "pages.positions_page", "pages.signoff_page", "pages.round_procedure_page"}
EVERYONE = {"pages.dashboard", "pages.account_page", "pages.notifications_page", "pages.registry_page",
            "pages.registry_entry_page", "pages.verify_page", "pages.reply_page"}
EXPECTED = {
    "employer": EVERYONE | ROUND_PAGES | {"pages.new_round_page", "pages.commitment_page", "pages.exports_page",
                                         "pages.edit_comment_page", "pages.worker_letter_page"},
    "worker": EVERYONE | ROUND_PAGES | {"pages.commitment_page", "pages.edit_comment_page"},
    "works_council": EVERYONE | ROUND_PAGES,  # its own comment is in one section's caucus thread only
    "government": EVERYONE | ROUND_PAGES | {"pages.commitment_page", "pages.edit_comment_page"},
    "secretariat": EVERYONE | ROUND_PAGES | {"pages.organisations_page", "pages.moderation_page",
                                            "pages.hide_comment_page", "pages.failed_mail_page",
                                            "pages.monitoring_page", "pages.exports_page"},
    "expert": EVERYONE | {"pages.round_page", "pages.expert_page"},
    "visitor": {"pages.login", "pages.forgotten_password_page", "pages.reset_password_page",
                "pages.set_password_page", "pages.unsubscribe_page", "pages.registry_page",
                "pages.registry_entry_page", "pages.verify_page"},
}


@pytest.fixture
def database_url(form_world_database) -> str:
    """Each role sweeps its own copy of the form world (`tests/browser/form_world.py`), built once per worker."""
    return form_world_database


@pytest.fixture(autouse=True)
def _static_files_kept(app) -> None:
    """The browser keeps the static files (a stylesheet, scripts) for an hour instead of asking for each again
    on every page: the sweep loads hundreds of pages, and the files do not change during a test."""
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600


def _report(who: str, outcome) -> None:
    """What was sent, for the run's log (`-s`, or the failure's captured output)."""
    print(f"\n{who}: {len(outcome.pages)} pages")
    for mode, kinds in outcome.sent.items():
        print(f"  {mode} ({len(kinds)}): " + "; ".join(kinds))


def _check(app, who: str, outcome) -> None:
    _report(who, outcome)
    missing = EXPECTED[who] - set(visited_endpoints(app, outcome.pages))
    assert not missing, f"{who}'s crawl never reached: {sorted(missing)}"
    assert not outcome.problems, f"{len(outcome.problems)} problem(s):\n" + "\n".join(outcome.problems)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", ROLES)
def test_every_form_of_every_page_takes_valid_input_and_names_invalid_input(role, app, db, form_world_snapshot,
                                                                             as_person):
    world = form_world_snapshot["world"]
    page = as_person(world[role])
    page.on("dialog", lambda dialog: dialog.accept())
    without_live_updates(page)
    known = {"@password": PASSWORD, "@new-password": NEW_PASSWORD, "@email": world[role].email,
             "expert_user_id": str(world["outside_expert"].id)}
    outcome = sweep(lambda: page, db, ["/"], known, role, last=LAST)
    _check(app, role, outcome)


@pytest.mark.timeout(600)
def test_every_form_a_visitor_sees_takes_valid_input_and_names_invalid_input(app, db, form_world_snapshot, browser,
                                                                              live_server):
    """Logging in, a forgotten password, a reset or invitation link, unsubscribing, the registry and verifying."""
    world = form_world_snapshot["world"]
    with db.transaction() as session:
        reset = issue_link(session, session.get(User, world["worker"].id), RESET, timedelta(days=1))
        invitation = issue_link(session, session.get(User, world["government"].id), INVITE, timedelta(days=1))
    unsubscribe = unsubscribe_token(app, world["employer"].id, "comment.reply")
    contexts = []

    def open_page():
        contexts.append(browser.new_context(base_url=live_server, locale="en-GB"))
        page = contexts[-1].new_page()
        without_live_updates(page)
        return page

    try:
        starts = ["/", "/login", "/password/forgotten", f"/password/reset/{reset}", f"/password/set/{invitation}",
                  f"/notifications/unsubscribe/{unsubscribe}", "/registry", "/verify"]
        known = {"@password": PASSWORD, "@new-password": NEW_PASSWORD, "@email": world["secretariat"].email}
        outcome = sweep(open_page, db, starts, known, "visitor", fresh=True)
        _check(app, "visitor", outcome)
    finally:
        for context in contexts:
            context.close()


def test_the_account_forms_save_valid_input_and_refuse_invalid_input_in_chromium(make, as_person):
    world = tripartite(make)
    worker = world["worker"]
    script = make.token(worker)
    page = as_person(worker)
    page.goto("/account")
    # Invalid: a wrong current password is named, and nothing changes.
    page.fill("#current-password", "not my password at all")
    page.fill("#new-password", NEW_PASSWORD)
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as refused:
        page.get_by_role("button", name="Change my password").click()
    assert refused.value.status == 422
    assert "The current password is not right." in page.locator("[role=alert]").inner_text()
    with make.db.transaction(write=False) as session:
        before = session.get(User, worker.id).password_hash
    # Valid, with the hidden username the browser sends and "sign me out everywhere".
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.check("#sign-out-everywhere")
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as changed:
        page.get_by_role("button", name="Change my password").click()
    assert changed.value.status == 303
    assert "Your password is changed." in page.content()
    with make.db.transaction(write=False) as session:
        assert session.get(User, worker.id).password_hash != before
        tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == worker.id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens), "sign out everywhere kept a token"
    assert script  # the token made before the change is among those revoked
    # A token: valid days are saved with their expiry; 0 days is refused, nothing saved.
    page.fill("#token-name", "nightly export")
    page.fill("#token-days", "30")
    page.get_by_role("button", name="Create a token").click()
    page.locator("#new-token").wait_for()
    page.fill("#token-name", "forever")
    page.eval_on_selector("#token-days", "input => { input.min = ''; input.value = '0'; }")
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as refused_token:
        page.get_by_role("button", name="Create a token").click()
    assert refused_token.value.status == 422
    with make.db.transaction(write=False) as session:
        names = {t.name: t for t in session.scalars(select(ApiToken).where(ApiToken.user_id == worker.id))}
    assert "forever" not in names and names["nightly export"].expires_at is not None
