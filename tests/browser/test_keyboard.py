"""Everything on the round page can be done with the keyboard alone, and the focused control is always visible."""

from __future__ import annotations

from tests.browser.helpers import wait_until_live
from tests.factories import tripartite

#: Tab presses allowed to reach a control before the test says it cannot be reached by keyboard.
MAX_TABS = 400


def focused(page) -> dict:
    """What has the focus now, and how it is drawn."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
                text: (el.innerText || el.value || "").trim().slice(0, 80),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== "none"};
    }""")


def tab_to(page, selector: str, *, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus; fail if it never does."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            break
        page.keyboard.press(key)
    else:
        raise AssertionError(f"{selector} cannot be reached with {key} ({MAX_TABS} presses)")
    return assert_focus_visible(page)


def assert_focus_visible(page) -> dict:
    """The focused control shows a focus indicator (an outline or a ring)."""
    now = focused(page)
    assert now["outline"] or now["shadow"], f"the focus on {now} is not visible"
    return now


def test_post_a_comment_and_react_with_the_keyboard_only(make, as_person, shot):
    world = tripartite(make)
    theirs = make.comment(world["government"], world["round"], "The inspectorate asks for a retention policy.",
                          section="privacy")
    page = as_person(world["worker"])
    page.goto(f"/rounds/{world['round'].id}")
    wait_until_live(page)

    # The skip link comes first and takes the focus into the content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    assert_focus_visible(page)
    shot(page, "skip-link-focused", around=page.locator(":focus"))
    page.keyboard.press("Enter")

    tab_to(page, "#section")
    page.keyboard.type("Privacy")
    assert page.input_value("#section") == "privacy"
    tab_to(page, "#channel")
    tab_to(page, "#body")
    page.keyboard.type("Typed without a mouse: who reads the scanner data?")
    tab_to(page, "form[action$='/comments'] button[type=submit]")
    # Shift+Tab goes back to the text, which is kept, then forward again to the button.
    tab_to(page, "#body", backwards=True)
    tab_to(page, "form[action$='/comments'] button[type=submit]")
    shot(page, "post-button-focused", around=page.locator(":focus"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    mine = page.locator('[data-thread="privacy:plenary"] .comment', has_text="Typed without a mouse")
    assert mine.count() == 1
    shot(page, "comment-posted")

    # React to the government's comment: Shift+Tab back up to its "Agree" button, then Space.
    agree = f"#comment-{theirs.public_id} button[value=agree]"
    assert page.get_attribute(agree, "aria-pressed") == "false"
    tab_to(page, agree, backwards=True)
    shot(page, "agree-focused", around=page.locator(":focus"))
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.get_attribute(agree, "aria-pressed") == "true"
    assert "Agree: Workers 1" in page.locator(f"#comment-{theirs.public_id} .reactions").inner_text()
    shot(page, "reacted")
