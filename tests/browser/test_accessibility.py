"""axe-core on the pages people use most: no serious or critical accessibility violation on any of them."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, wait_until_live
from tests.factories import tripartite
from tests.outcomes.helpers import outcome_world


def busy_round(make):
    """A round in consultation with plenary and caucus threads, a reply and reactions, so its page is full."""
    world = tripartite(make)
    round = world["round"]
    question = make.comment(world["worker"], round, "Why keep **scanner events** for 90 days?", section="privacy")
    make.comment(world["employer"], round, "Payroll disputes need them.", section="privacy",
                 parent_id=question.public_id)
    make.comment(world["government"], round, "Which lawful basis applies?", section="privacy")
    make.comment(world["worker"], round, "Caucus: hold firm on 30 days.", section="privacy", channel="caucus")
    make.comment(world["employer"], round, "The training budget is set for 2027.", section="skills_training")
    return world


def test_the_dashboard_has_no_serious_violation(make, as_person, shot):
    world = busy_round(make)
    page = as_person(world["worker"])
    page.goto("/")
    page.get_by_role("link", name=world["round"].title).wait_for()
    shot(page, "dashboard")
    assert_accessible(page, "the dashboard")


def test_the_round_page_has_no_serious_violation(make, as_person, shot):
    world = busy_round(make)
    page = as_person(world["worker"])
    page.goto(f"/rounds/{world['round'].id}")
    wait_until_live(page)
    shot(page, "round")
    assert_accessible(page, "the round page")
    # Again with a refused form on it (errors shown in role=alert), and with a comment that arrived live.
    page.fill("#body", " ")
    with page.expect_navigation():
        page.get_by_role("button", name="Post", exact=True).click()
    assert "Length must be between 1 and 20000" in page.get_by_role("alert").inner_text()
    shot(page, "round-refused-form")
    wait_until_live(page)
    make.comment(world["government"], world["round"], "Arrived while the page was open.", section="privacy")
    page.get_by_text("Arrived while the page was open.").wait_for()
    shot(page, "round-live-comment")
    assert_accessible(page, "the round page after a refused form and a live comment")


def test_the_check_names_what_it_finds(make, as_person):
    """The check itself can fail: a control without a label and an image without a text are named."""
    page = as_person(make.user("workers"))
    page.evaluate("""() => {
        const main = document.getElementById("main");
        main.insertAdjacentHTML("beforeend", '<input id="unlabelled" type="text"><img id="bare" src="/x.png">');
    }""")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "a page spoilt on purpose")
    message = str(failure.value)
    assert "label (critical)" in message and '["#unlabelled"]' in message
    assert "image-alt (critical)" in message and '["#bare"]' in message


def test_the_open_round_form_has_no_serious_violation(make, as_person, shot):
    page = as_person(make.user("employers"))
    page.goto("/rounds/new")
    shot(page, "open-round-form")
    assert_accessible(page, "the open-round form")
    # Sent empty: every problem named in the summary and beside its field.
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    assert page.get_by_role("alert").count() == 1
    assert page.locator("[aria-invalid=true]").count() > 5
    shot(page, "open-round-form-refused")
    assert_accessible(page, "the open-round form with its problems shown")


def test_the_sign_off_page_has_no_serious_violation(make, as_person, shot):
    world = outcome_world(make)
    round = world["round"]
    make.move_to(world["secretariat"], round, "sign_off")
    secretariat = as_person(world["secretariat"])
    secretariat.goto(f"/rounds/{round.id}/sign-off")
    shot(secretariat, "sign-off-before-freezing")
    assert_accessible(secretariat, "the sign-off page before freezing")
    with secretariat.expect_navigation():
        secretariat.get_by_role("button", name="Freeze the outcome").click()
    secretariat.get_by_text("Read what is signed").click()  # the frozen text, opened
    shot(secretariat, "sign-off-frozen")
    assert_accessible(secretariat, "the sign-off page, frozen, its text open")

    signatory = as_person(world["worker"])
    signatory.goto(f"/rounds/{round.id}/sign-off")
    assert_accessible(signatory, "the sign-off page with the signing form")
    signatory.locator("#password").fill("not my password")
    with signatory.expect_navigation():
        signatory.get_by_role("button", name="Sign the outcome").click()
    assert signatory.get_by_role("alert").count() == 1
    shot(signatory, "sign-off-wrong-password")
    assert_accessible(signatory, "the sign-off page after a wrong password")


@pytest.mark.parametrize("page_name", ["positions", "people", "exports", "timeline"])
def test_the_other_round_pages_have_no_serious_violation(make, as_person, shot, page_name):
    world = outcome_world(make)
    make.comment(world["worker"], world["round"], "A question on the draft.", section="privacy")
    for who in ("secretariat", "worker"):
        page = as_person(world[who])
        page.goto(f"/rounds/{world['round'].id}/{page_name}")
        page.get_by_role("heading", level=1).wait_for()
        shot(page, f"{page_name}-{who}")
        assert_accessible(page, f"the {page_name} page seen by the {who}")


def test_the_notifications_page_and_unsubscribe_have_no_serious_violation(app, make, as_person, shot):
    from consult.notifications.render import unsubscribe_token

    world = busy_round(make)
    page = as_person(world["worker"])
    page.goto("/notifications")
    page.get_by_role("heading", level=1).wait_for()
    shot(page, "notifications")
    assert_accessible(page, "the notifications page")
    page.goto(f"/notifications/unsubscribe/{unsubscribe_token(app, world['worker'].id, 'comment.reply')}")
    page.get_by_role("button").first.wait_for()
    assert_accessible(page, "the unsubscribe page")
