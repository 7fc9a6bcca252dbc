"""Journey 2: a worker and a government representative on the same round page, each in their own browser.

Each one's plenary comment reaches the other's page live, without a reload; the worker's caucus comment never
reaches the government's page, live or after a reload.
"""

from __future__ import annotations

from tests.browser.helpers import wait_until_live
from tests.factories import tripartite

#: How long the government's page is watched for a caucus comment that must never come (ms).
LEAK_WATCH = 2_000


def post_comment(page, body: str, *, section: str = "privacy", channel: str = "plenary") -> None:
    """Post through the round page's own form, as a person would, and wait for the page it leads to."""
    page.select_option("#section", section)
    page.select_option("#channel", channel)
    page.fill("#body", body)
    with page.expect_navigation():
        page.get_by_role("button", name="Post", exact=True).click()


def thread(page, section: str, channel: str):
    """The comments of one thread on the page."""
    return page.locator(f'[data-thread="{section}:{channel}"] .comment')


def mark_page(page) -> None:
    """Leave a mark in the page's window: it survives anything but a reload or a navigation."""
    page.evaluate("() => { window.stillTheSamePage = true; }")


def not_reloaded(page) -> bool:
    return page.evaluate("() => window.stillTheSamePage === true")


def test_plenary_comments_arrive_live_and_caucus_comments_never_leak(make, as_person, shot):
    world = tripartite(make, identity_policy="named")  # the government reads the worker by name
    round_path = f"/rounds/{world['round'].id}"
    # A colleague from the worker's union follows the caucus: the caucus comment must reach them live, so its
    # absence on the government's page is the policy at work, not a push that never happens.
    colleague_user = make.user(world["worker"].organisation, name="Cora Colleague")
    worker, government = as_person(world["worker"]), as_person(world["government"])
    colleague = as_person(colleague_user)
    colleague.goto(f"{round_path}?section=privacy&channel=caucus")
    worker.goto(round_path)
    government.goto(round_path)
    for page in (worker, government, colleague):
        wait_until_live(page)
    mark_page(government)
    mark_page(colleague)
    shot(government, "government-before")

    # The worker's plenary comment: on the worker's page after the form's redirect, live on the government's.
    worker_says = "Why keep scanner events for 90 days?"
    post_comment(worker, worker_says)
    assert thread(worker, "privacy", "plenary").filter(has_text=worker_says).count() == 1
    shot(worker, "worker-posted-plenary")
    thread(government, "privacy", "plenary").filter(has_text=worker_says).wait_for()
    assert not_reloaded(government), "the government's page was reloaded: the comment did not arrive live"
    assert "Wanda Worker" in thread(government, "privacy", "plenary").filter(has_text=worker_says).inner_text()
    assert government.locator('[data-panel="privacy:plenary"]').get_by_text("No comments yet.").is_hidden()
    shot(government, "government-sees-worker-live")

    # The government's answer reaches the worker's page live.
    wait_until_live(worker)
    mark_page(worker)
    government_says = "The inspectorate expects 30 days at most."
    post_comment(government, government_says)
    thread(worker, "privacy", "plenary").filter(has_text=government_says).wait_for()
    assert not_reloaded(worker), "the worker's page was reloaded: the comment did not arrive live"
    shot(worker, "worker-sees-government-live")

    # The worker's caucus comment: shown to the worker, never to the government.
    wait_until_live(government)
    mark_page(government)
    secret = "Caucus only: we could accept 30 days if the union audits access."
    # The government's page has a caucus thread of its own for this section: a leaked push would land there.
    assert government.locator('[data-thread="privacy:caucus"]').count() == 1
    post_comment(worker, secret, channel="caucus")
    assert thread(worker, "privacy", "caucus").filter(has_text=secret).count() == 1
    shot(worker, "worker-posted-caucus")
    # A plenary comment posted after it arrives at the government's page in sequence order, so once it is
    # there, anything the page would ever be pushed about the caucus comment has been applied already.
    after = "Plenary again: could the retention be reviewed every year?"
    post_comment(worker, after)
    thread(colleague, "privacy", "caucus").filter(has_text=secret).wait_for()
    assert not_reloaded(colleague)
    shot(colleague, "colleague-sees-caucus-live")
    thread(government, "privacy", "plenary").filter(has_text=after).wait_for()
    government.wait_for_timeout(LEAK_WATCH)
    assert not_reloaded(government)
    assert government.get_by_text(secret).count() == 0
    assert secret not in government.content()
    shot(government, "government-after-caucus-live")
    government.reload()
    wait_until_live(government)
    assert government.get_by_text(secret).count() == 0
    assert secret not in government.content()
    assert thread(government, "privacy", "plenary").count() == 3
    shot(government, "government-after-caucus-reload")
