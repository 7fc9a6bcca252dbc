"""axe-core on the information package and questions pages, with content and with a refused form."""

from __future__ import annotations

from tests.browser.helpers import assert_accessible
from tests.factories import tripartite
from tests.package.files import PDF, docx
from tests.package.helpers import attach


def test_the_package_and_questions_pages_have_no_serious_violation(make, api, as_person, shot):
    world = tripartite(make, stage="draft")
    round_id = world["round"].id
    attach(api(world["employer"]), round_id, "dpia.pdf", PDF, title="Data-protection impact assessment")
    attach(api(world["employer"]), round_id, "system.docx", docx(), title="System description",
           caucus="employers")
    make.move_to(world["employer"], world["round"], "information")
    api(world["worker"]).post(f"/rounds/{round_id}/questions", {"section": "privacy", "body": "Retention?"})

    employer = as_person(world["employer"])
    employer.goto(f"/rounds/{round_id}/package")
    shot(employer, "package-employer")
    assert_accessible(employer, "the package page, as the employer (forms to attach and release)")
    employer.goto(f"/rounds/{round_id}/questions")
    assert_accessible(employer, "the questions page, as the employer (a form to answer)")

    worker = as_person(world["worker"])
    worker.goto(f"/rounds/{round_id}/package")
    assert_accessible(worker, "the package page, as a worker (a form to acknowledge)")
    worker.goto(f"/rounds/{round_id}/questions")
    worker.fill("#body", " ")
    with worker.expect_navigation():
        worker.get_by_role("button", name="Ask", exact=True).click()
    worker.get_by_role("alert").wait_for()
    shot(worker, "questions-refused")
    assert_accessible(worker, "the questions page after a refused question")
