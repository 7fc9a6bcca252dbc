"""Every form of every page posts as Chromium posts it, with whatever the page itself puts in it.

A page's form may carry inputs for the browser's sake (a hidden `username` beside a password, for password
managers, as https://www.chromium.org/developers/design-documents/create-amazing-password-forms/ asks): the
browser posts them, so the form's schema must take them. The crawl visits every page a person reaches by
links; each form is then submitted by the browser exactly as the page fills it (`form.submit()`, so the
browser's own checks of required fields do not stop it: the server must answer an empty form clearly too).
No answer may be a server error, a CSRF refusal, or a refusal of a field the page itself sent; a refusal
(409, 422) must show its message in a `role="alert"` block. Then the account forms are sent with valid
input (answered by a redirect, saved) and invalid input (a clear message, nothing saved).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.accounts.models import ApiToken, User
from tests.browser.crawl import crawl
from tests.factories import PASSWORD, tripartite

NEW_PASSWORD = "plum orchard under snow"
#: Forms the sweep leaves alone: they end the very session the sweep runs in.
LEFT_ALONE = ("/logout",)


def _forms_of(page) -> list[str]:
    return page.eval_on_selector_all("form[method=post i]", "forms => forms.map(f => new URL(f.action).pathname)")


#: Submit the first post form with this action (the page may have changed since the crawl: a form gone is
#: skipped); true when one was submitted.
SUBMIT = """(forms, action) => {
  const form = forms.find(f => new URL(f.action).pathname === action);
  if (form) { form.submit(); }
  return Boolean(form);
}"""


def _submit_as_is(page, path: str, action: str):
    """Open `path`, submit its form posting to `action` as the page filled it; the POST's response, or None."""
    page.goto(path)
    if not page.eval_on_selector_all("form[method=post i]", "(forms, a) => forms.some(f => new URL(f.action)"
                                     ".pathname === a)", action):
        return None
    with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.eval_on_selector_all("form[method=post i]", SUBMIT, action)
    return answer.value


@pytest.mark.timeout(900)
def test_every_form_of_every_page_is_answered_as_the_browser_posts_it(make, as_person):
    world = tripartite(make)
    for who in ("worker", "secretariat"):
        page = as_person(world[who])
        targets = []
        for path in crawl(page, "/", limit=25):
            targets += [(path, action) for action in dict.fromkeys(_forms_of(page)) if action not in LEFT_ALONE]
        assert any(action == "/account/password" for _, action in targets), "the crawl missed the account page"
        problems = []
        for path, action in targets:
            response = _submit_as_is(page, path, action)
            if response is None:
                continue
            shown = page.content()
            if response.status >= 500 or response.status == 400:
                problems.append(f"{who}: {action} (from {path}) answered {response.status}")
            elif "Unknown field" in shown:
                problems.append(f"{who}: {action} (from {path}) refused a field its own page sent")
            elif response.status in (409, 422) and not page.locator("[role=alert]").count():
                problems.append(f"{who}: {action} (from {path}) refused with {response.status} and no message")
        assert not problems, "\n".join(problems)


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
