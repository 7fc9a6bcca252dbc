"""Journey 3: from drafted positions to a signed PDF that verifies, through the pages only.

The secretariat drafts positions, each party records its stance, the secretariat names the signatories,
freezes the outcome, each signatory signs, and the secretariat requests the signed PDF, watches it being made
and downloads it. The stages move by the factories: this journey is not about the timeline.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.browser.helpers import assert_accessible
from tests.factories import PASSWORD, tripartite

PARTIES = ("worker", "employer", "government")
DRAFTS = {
    "privacy": "Scanner events are kept for **30 days**, then deleted.",
    "system": "RosterAI proposes rosters; shift leads decide.",
}
#: A signed PDF takes a few seconds to render on these machines; the page must show it ready within this (ms).
EXPORT_TIMEOUT = 90_000


def save_and_wait(page, button: str) -> None:
    """Press a form's button and wait for the page the form leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def draft_positions(page, round_id: int, shot) -> None:
    page.goto(f"/rounds/{round_id}/positions")
    for key, text in DRAFTS.items():
        page.locator(f"#text-{key}").fill(text)
        with page.expect_navigation():
            page.locator(f"#section-{key}").get_by_role("button", name="Save a new version").click()
        assert page.get_by_role("status").filter(has_text="The position was saved.").count() == 1
        assert "Version 1, drafted by Sasha Secretariat" in page.locator(f"#section-{key}").inner_text()
    shot(page, "positions-drafted")


def record_stances(page, round_id: int, who: str, shot) -> None:
    """One party's stances on every drafted section, in the stances form's one submit."""
    page.goto(f"/rounds/{round_id}/positions")
    for key in DRAFTS:
        section = page.locator(f"#stance-{key}")
        if who == "government" and key == "privacy":
            section.get_by_label("Agree with a reservation").check()
            section.locator(f"#statement-{key}").fill("Subject to the data-protection authority's review.")
        else:
            section.get_by_label("Agree", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the stances").click()
    assert page.get_by_role("status").filter(has_text="stances were recorded").count() == 1
    shot(page, f"stances-{who}")


def name_signatories(page, round_id: int, world, shot) -> None:
    """The secretariat names each party's person on the round's people page."""
    page.goto(f"/rounds/{round_id}/people")
    for who in PARTIES:
        person = world[who]
        constituency = person.constituency.value
        page.select_option(f"#signatory-{constituency}", str(person.id))
        with page.expect_navigation():
            page.locator(f"form[action$='/signatories/{constituency}']").get_by_role("button").click()
        assert "The signatory is named." in page.get_by_role("status").first.inner_text()
        assert f"{person.display_name}, {person.organisation.name}, signs for this constituency." in page.content()
    shot(page, "signatories-named")


def test_positions_stances_sign_off_and_a_signed_pdf_that_verifies(make, as_person, shot, app, tmp_path):
    world = tripartite(make)
    round = world["round"]
    make.move_to(world["employer"], round, "drafting")
    secretariat = as_person(world["secretariat"])

    draft_positions(secretariat, round.id, shot)
    for who in PARTIES:
        record_stances(as_person(world[who]), round.id, who, shot)
    secretariat.goto(f"/rounds/{round.id}/positions")
    privacy = secretariat.locator("#section-privacy table.stances")
    assert "Agree with a reservation" in privacy.inner_text()
    assert "Subject to the data-protection authority's review." in privacy.inner_text()
    assert privacy.get_by_text("Not recorded yet").count() == 0
    shot(secretariat, "positions-with-every-stance")

    name_signatories(secretariat, round.id, world, shot)

    make.move_to(world["secretariat"], round, "sign_off")
    secretariat.goto(f"/rounds/{round.id}/sign-off")
    shot(secretariat, "sign-off-before-freezing")
    save_and_wait(secretariat, "Freeze the outcome")
    assert "The outcome was frozen" in secretariat.get_by_role("status").first.inner_text()
    digest = secretariat.locator("code.digest").first.inner_text().strip()
    assert len(digest) == 64
    shot(secretariat, "sign-off-frozen")

    for who in PARTIES:
        page = as_person(world[who])
        page.goto(f"/rounds/{round.id}/sign-off")
        assert digest in page.content()
        page.locator("#password").fill(PASSWORD)
        if who == "worker":
            page.locator("#reservation").fill("The union will review the audit each year.")
        save_and_wait(page, "Sign the outcome")
        assert "You signed the outcome." in page.get_by_role("status").first.inner_text()
        shot(page, f"signed-{who}")

    secretariat.goto(f"/rounds/{round.id}/sign-off")
    assert "The outcome is signed by every required constituency." in secretariat.content()
    assert secretariat.locator(".checklist .todo").count() == 0
    shot(secretariat, "sign-off-complete")
    assert_accessible(secretariat, "the sign-off page, signed")

    # The employer follows the exports page while the secretariat asks for the PDF: the new job appears there
    # and moves to "Ready" without a reload. (The live script catches up from the sequence number the page was
    # rendered with, so events that come before its socket has joined are applied all the same.)
    watcher = as_person(world["employer"])
    watcher.goto(f"/rounds/{round.id}/exports")
    watcher.evaluate("""() => {
        window.stillTheSamePage = true;
        window.seenStatuses = [];
        document.addEventListener("consult:event", () => {
            const status = document.querySelector("[data-export-status]");
            if (status) window.seenStatuses.push(status.textContent.trim());
        });
    }""")
    secretariat.goto(f"/rounds/{round.id}/exports")
    shot(secretariat, "exports-before")
    secretariat.select_option("#kind", "pdf")
    save_and_wait(secretariat, "Request the PDF")
    row = secretariat.locator("#export-jobs tbody tr[data-export-job]")
    assert row.count() == 1
    shot(secretariat, "export-requested")
    row.get_by_role("link", name="Download the signed PDF").wait_for(timeout=EXPORT_TIMEOUT)
    shot(secretariat, "export-ready")
    watcher.locator("#export-jobs [data-export-file] a").wait_for(timeout=EXPORT_TIMEOUT)
    assert watcher.evaluate("() => window.stillTheSamePage === true")
    seen = watcher.evaluate("() => window.seenStatuses")
    steps = [status for i, status in enumerate(seen) if i == 0 or seen[i - 1] != status]
    assert steps == ["Queued", "Rendering", "Ready"], seen
    shot(watcher, "export-followed-live")

    with secretariat.expect_download() as waiting:
        row.get_by_role("link", name="Download the signed PDF").click()
    download = waiting.value
    saved = tmp_path / (download.suggested_filename or "outcome.pdf")
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    from consult.outcomes.verify import check_pdf

    def check() -> object:
        with app.app_context():
            return check_pdf(pdf)

    # pyhanko runs its own asyncio loop, which cannot start on the thread where Playwright's loop runs.
    with ThreadPoolExecutor(max_workers=1) as thread:
        verdict = thread.submit(check).result()
    assert verdict.intact and verdict.trusted, verdict.problems
    assert verdict.digest == digest

    # Anyone can check it on the public verification page.
    secretariat.goto("/verify")
    secretariat.locator("#pdf").set_input_files(str(saved))
    save_and_wait(secretariat, "Check")
    assert "The signature is intact and was made with this platform's key." in secretariat.content()
    assert "A signed outcome on record." in secretariat.content() and digest in secretariat.content()
    shot(secretariat, "verified")
