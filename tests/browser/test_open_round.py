"""Journey 1: an employer representative opens a round with a full plan, invites the other constituencies on the
round's people page, and the invited people find the round on their dashboards."""

from __future__ import annotations

import re

TITLE = "Consultation on ShiftPilot at the Leeds depot"
PLAN_TEXTS = {
    "Name of the system": "ShiftPilot",
    "Provider": "Example Systems Ltd",
    "Purpose": "Plan weekly shifts from demand forecasts and monitor pick rates.",
    "Groups of workers": "Warehouse operatives, agency staff",
    "Sites": "Leeds depot",
    "Worker data collected": "Scanner events, attendance, break times",
    "How long the data are kept": "90 days",
    "Who sees the data": "Shift leads and HR",
    "Human oversight": "A shift lead approves every roster before it is published.",
    "Route to contest a decision": "Appeal to the shift lead, then to the joint committee.",
    "Sector (optional)": "Logistics",
}
IMPACTS = {
    "Social dialogue": "Co-determined with the union before rollout.",
    "Skills and training": "Two days of training for every shift lead.",
    "Safety, health, autonomy and dignity": "No on-screen pick targets during shifts.",
    "Non-discrimination": "Rosters audited by age, sex and disability every quarter.",
    "Privacy": "No tracking outside working time.",
    "Productivity gains and inclusion (value chain included)": "Gains fund a training budget for agency staff too.",
}


def fill_the_plan(page) -> None:
    """Every field of the open-round form, found by its label as a person would."""
    page.get_by_label("Title of the round").fill(TITLE)
    # An employer is offered the pseudonymous policy only (a weaker one is the secretariat's choice).
    assert page.get_by_label("By organisation").count() == 0
    page.get_by_label("Pseudonymous").check()
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_label("Public round").check()
    for label, text in PLAN_TEXTS.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("Scheduling (rotas and shifts)").check()
    page.get_by_label("Monitoring of work or behaviour", exact=False).check()
    page.get_by_label("Number of workers affected").fill("420")
    page.get_by_label("Rollout starts on").fill("2027-01-10")
    page.get_by_label("Rollout completes on (optional)").fill("2027-06-30")
    page.get_by_label("Country (optional)").fill("GB")
    impacts = page.locator("#plan-impact_statements")
    for label, text in IMPACTS.items():
        impacts.get_by_label(label, exact=True).fill(text)


def test_an_employer_opens_a_round_invites_the_others_and_they_see_it(make, as_person, shot):
    employer = make.user("employers", name="Erin Employer")
    invited = {"worker": make.user(make.organisation("workers", "Transport Workers' Union"), name="Wanda Worker"),
               "government": make.user(make.organisation("government", "Labour Inspectorate"), name="Gil Government"),
               "observer": make.user(make.organisation("observers", "Work Futures Institute"), name="Olu Observer")}
    outsider = make.user(make.organisation("workers", "Another Union"), name="Otto Outsider")

    page = as_person(employer)
    page.get_by_role("link", name="Open a round").click()
    page.get_by_role("heading", name="Open a round", level=1).wait_for()
    shot(page, "empty-form")

    # Sent with a required field missing, the form comes back with the problem named and every text kept.
    fill_the_plan(page)
    page.get_by_label("Purpose", exact=True).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    problems = page.get_by_role("alert")
    assert "The round was not opened" in problems.inner_text() and "Purpose" in problems.inner_text()
    assert page.get_by_label("Name of the system").input_value() == "ShiftPilot"
    assert page.get_by_label("Privacy", exact=True).input_value() == IMPACTS["Privacy"]
    shot(page, "refused-without-purpose")

    page.get_by_label("Purpose", exact=True).fill(PLAN_TEXTS["Purpose"])
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    assert "/people" in page.url
    assert "The round is open, as a draft." in page.get_by_role("status").first.inner_text()
    page.get_by_role("heading", name=f"People of {TITLE}").wait_for()
    shot(page, "opened-people-page")

    for who, person in invited.items():
        page.get_by_label(re.compile("^" + re.escape(person.organisation.name) + " \\(")).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Invite the organisations ticked").click()
        assert "The organisation is invited." in page.get_by_role("status").first.inner_text()
        assert page.locator("ul.people .org").get_by_text(person.organisation.name, exact=True).count() == 1
    shot(page, "everyone-invited")
    organisations = page.locator("section[aria-labelledby=organisations-heading]").inner_text()
    assert "Another Union" not in organisations

    for who, person in invited.items():
        theirs = as_person(person)
        link = theirs.get_by_role("link", name=TITLE)
        link.wait_for()
        shot(theirs, f"dashboard-{who}")
        link.click()
        theirs.get_by_role("heading", name=TITLE, level=1).wait_for()
        plan = theirs.locator(".plan").inner_text()
        for text in ("Example Systems Ltd", PLAN_TEXTS["Purpose"], "Shift leads and HR", "90 days"):
            assert text in plan
        assert "High-risk under the EU AI Act" in theirs.content()  # monitoring is an Annex III function
        assert IMPACTS["Privacy"] in theirs.locator("#section-privacy").inner_text()
        shot(theirs, f"round-{who}")

    stranger = as_person(outsider)
    assert stranger.get_by_role("link", name=TITLE).count() == 0
    assert "You take part in no round yet." in stranger.content()
    shot(stranger, "dashboard-not-invited")
