"""axe-core on the procedure page (with every form on it, and again after a refused form) and the expert's page."""

from __future__ import annotations

from tests.browser.helpers import assert_accessible
from tests.factories import tripartite


def _world(make):
    world = tripartite(make, workflow="fr-cse", stage="consultation")
    for party in ("worker", "employer", "government"):
        make.signatory(world["secretariat"], world["round"], world[party].constituency.value, world[party])
    world["expert"] = make.user("observers", name="Eva Expert")
    from consult.accounts.models import User
    from consult.opinions.experts import appoint_expert

    with make.db.transaction() as session:
        appoint_expert(session, session.get(User, world["worker"].id), world["round"].id, {
            "expert_user_id": world["expert"].id, "firm": "Cabinet Syndex", "reason": "DPIA review",
            "brief": "Assess the monitoring functions.", "member_in_charge_user_id": world["worker"].id})
    make.comment(world["worker"], world["round"], "Caucus: vote on Friday.", channel="caucus")
    return world


def test_the_procedure_and_expert_pages_have_no_serious_violation(make, as_person, shot):
    world = _world(make)
    round_id = world["round"].id
    page = as_person(world["worker"])
    page.goto(f"/rounds/{round_id}/procedure")
    page.get_by_role("heading", name="Give your constituency's formal opinion").wait_for()
    shot(page, "procedure")
    assert_accessible(page, "the procedure page")
    page.get_by_label("Disagree").check()
    page.fill("#opinion-reasons", " ")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign off and give the opinion").click()
    page.get_by_role("alert").wait_for()
    shot(page, "procedure-refused-form")
    assert_accessible(page, "the procedure page after a refused form")
    expert = as_person(world["expert"])
    expert.goto(f"/rounds/{round_id}/expert")
    expert.get_by_text("Caucus: vote on Friday.").wait_for()
    shot(expert, "expert")
    assert_accessible(expert, "the expert's page")
