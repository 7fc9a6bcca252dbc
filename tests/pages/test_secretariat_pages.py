"""The timeline actions, moderation, hiding a comment, and the register of organisations and people."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.accounts.models import Organisation, User
from consult.comments.models import Comment
from consult.rounds.models import Round
from consult.timeline.models import PlannedStage
from tests.factories import tripartite
from tests.pages.forms import browser, post
from tests.test_bad_input import snapshot


@pytest.fixture
def world(make):
    return tripartite(make)  # in the consultation stage


def deadline(db, round_id: int, key: str):
    with db.transaction(write=False) as session:
        return session.scalar(select(PlannedStage.deadline_at).where(PlannedStage.round_id == round_id,
                                                                     PlannedStage.key == key))


# The timeline -------------------------------------------------------------------------------------------------


def test_timeline_page_shows_every_stage_to_participants_and_actions_to_the_secretariat(app, make, world):
    round = world["round"]
    for who in ("worker", "employer", "government", "secretariat"):
        page = browser(app, world[who]).get(f"/rounds/{round.id}/timeline")
        assert page.status_code == 200, who
        text = page.get_data(as_text=True)
        assert "<caption>Stages, with dates in UTC</caption>" in text
        assert 'aria-current="step"' in text and "Consultation" in text
        offered = f'action="/rounds/{round.id}/timeline/extend"' in text
        assert offered == (who == "secretariat"), who
    assert browser(app, make.user("government")).get(f"/rounds/{round.id}/timeline").status_code == 404


def test_secretariat_extends_the_stage_and_the_new_deadline_shows(app, db, world):
    round = world["round"]
    before = deadline(db, round.id, "consultation")
    secretariat = browser(app, world["secretariat"])
    response = post(secretariat, f"/rounds/{round.id}/timeline/extend",
                    {"by": "2d", "reason": "The union asked for time to consult members."}, follow_redirects=True)
    assert response.status_code == 200
    after = deadline(db, round.id, "consultation")
    assert (after - before).days == 2
    assert f'<time datetime="{after.isoformat()}">' in response.get_data(as_text=True)
    assert "every participant sees the change" in response.get_data(as_text=True)


def test_bad_extension_names_the_field_and_changes_nothing(app, db, world):
    round = world["round"]
    before = snapshot(db)
    secretariat = browser(app, world["secretariat"])
    response = post(secretariat, f"/rounds/{round.id}/timeline/extend", {"by": "a while", "reason": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="extend-by-error"' in text and 'id="extend-reason-error"' in text
    assert 'value="a while"' in text
    assert snapshot(db) == before


def test_refused_advance_lists_what_is_missing(app, make, db):
    world = tripartite(make, stage="sign_off")
    round = world["round"]
    before = snapshot(db)
    response = post(browser(app, world["secretariat"]), f"/rounds/{round.id}/timeline/advance",
                    {"reason": "Everyone has signed."})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "The Sign-off stage cannot end yet. What is missing:" in text
    assert re.search(r'role="alert" id="refusal">.*<li>', text, re.S)
    assert "Everyone has signed." in text  # the reason typed is kept
    assert snapshot(db) == before


def test_pause_then_resume(app, db, world):
    round = world["round"]
    secretariat = browser(app, world["secretariat"])
    text = post(secretariat, f"/rounds/{round.id}/timeline/pause", {"reason": "Works council elections."},
                follow_redirects=True).get_data(as_text=True)
    assert "The round is paused" in text and "Works council elections." in text
    # Only what the round's status allows is offered: a paused round resumes, it is not paused again.
    assert f'action="/rounds/{round.id}/timeline/resume"' in text
    assert f'action="/rounds/{round.id}/timeline/pause"' not in text
    text = post(secretariat, f"/rounds/{round.id}/timeline/resume", {"reason": "Elections are over."},
                follow_redirects=True).get_data(as_text=True)
    with db.transaction(write=False) as session:
        assert session.get(Round, round.id).status == "open"
    assert f'action="/rounds/{round.id}/timeline/pause"' in text
    assert f'action="/rounds/{round.id}/timeline/resume"' not in text


def test_employer_starts_a_draft_but_may_not_extend(app, make, db):
    world = tripartite(make, stage="draft")
    round = world["round"]
    employer = browser(app, world["employer"])
    text = employer.get(f"/rounds/{round.id}/timeline").get_data(as_text=True)
    assert f'action="/rounds/{round.id}/timeline/start"' in text
    assert browser(app, world["worker"]).get(f"/rounds/{round.id}/timeline").get_data(as_text=True).count(
        "/timeline/start") == 0
    before = snapshot(db)
    assert post(browser(app, world["worker"]), f"/rounds/{round.id}/timeline/start",
                {"reason": "Let us begin."}).status_code == 403
    assert snapshot(db) == before
    response = post(employer, f"/rounds/{round.id}/timeline/start", {"reason": "The plan is complete."},
                    follow_redirects=True)
    assert response.status_code == 200
    with db.transaction(write=False) as session:
        assert session.get(Round, round.id).stage == "information"
    before = snapshot(db)
    assert post(employer, f"/rounds/{round.id}/timeline/extend", {"by": "2d", "reason": "More."}).status_code == 403
    assert post(employer, f"/rounds/{round.id}/timeline/bogus", {"reason": "More."}).status_code == 404
    assert snapshot(db) == before


# Moderation ---------------------------------------------------------------------------------------------------


def test_moderation_lists_what_the_secretariat_may_read_newest_first(app, make, world):
    round = world["round"]
    make.comment(world["worker"], round, "Plenary remark on the roster.")
    make.comment(world["worker"], round, "Caucus only: our strategy.", channel="caucus")
    make.comment(world["government"], round, "A question from the ministry.")
    elsewhere = tripartite(make)
    make.comment(elsewhere["worker"], elsewhere["round"], "In a round this secretariat does not run.")
    page = browser(app, world["secretariat"]).get("/moderation")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.index("A question from the ministry.") < text.index("Plenary remark on the roster.")
    assert "Caucus only" not in text and "does not run" not in text
    assert "/hide" in text
    for who in ("worker", "employer", "government"):
        assert browser(app, world[who]).get("/moderation").status_code == 403


def test_moderation_shows_caucuses_where_the_round_lets_the_secretariat_read_them(app, make):
    world = tripartite(make, secretariat_sees_caucus=True)
    comment = make.comment(world["worker"], world["round"], "Caucus: hold firm on 30 days.", channel="caucus")
    text = browser(app, world["secretariat"]).get("/moderation").get_data(as_text=True)
    assert "hold firm on 30 days" in text and "caucus of Workers" in text
    page = browser(app, world["secretariat"]).get(f"/rounds/{world['round'].id}/comments/{comment.public_id}/hide")
    assert page.status_code == 200 and "caucus of Workers" in page.get_data(as_text=True)


def test_moderation_is_paginated(app, make, world):
    from consult.comments import moderation_pages

    round = world["round"]
    for number in range(moderation_pages.PAGE_SIZE + 2):
        make.comment(world["government"], round, f"Remark number {number:03d}.")
    secretariat = browser(app, world["secretariat"])
    first = secretariat.get("/moderation").get_data(as_text=True)
    assert "Remark number 031." in first and "Remark number 000." not in first
    older = re.search(r'href="(/moderation\?before=c[a-z2-7]{16})"', first).group(1)
    second = secretariat.get(older).get_data(as_text=True)
    assert "Remark number 000." in second and "Remark number 031." not in second


def test_secretariat_hides_a_comment_and_a_tombstone_stays(app, make, db, world):
    round = world["round"]
    comment = make.comment(world["worker"], round, "Something off topic.")
    secretariat = browser(app, world["secretariat"])
    page = secretariat.get(f"/rounds/{round.id}/comments/{comment.public_id}/hide")
    assert page.status_code == 200 and "Something off topic." in page.get_data(as_text=True)
    response = post(secretariat, f"/rounds/{round.id}/comments/{comment.public_id}/hide", {"reason": "Off topic."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rounds/{round.id}#comment-{comment.public_id}")
    worker_view = browser(app, world["worker"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    assert "Off topic." in worker_view and "Something off topic." not in worker_view
    moderation = secretariat.get("/moderation").get_data(as_text=True)
    hidden = moderation[moderation.index('id="hidden-heading"'):]
    assert "Reason: Off topic." in hidden
    with db.transaction(write=False) as session:
        assert session.get(Comment, comment.id).is_hidden


def test_hiding_needs_a_reason_and_the_secretariat(app, make, db, world):
    round = world["round"]
    comment = make.comment(world["worker"], round, "Fine words.")
    outsider = browser(app, make.user("secretariat"))
    before = snapshot(db)
    response = post(browser(app, world["secretariat"]), f"/rounds/{round.id}/comments/{comment.public_id}/hide",
                    {"reason": "   "})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    employer = browser(app, world["employer"])
    assert employer.get(f"/rounds/{round.id}/comments/{comment.public_id}/hide").status_code == 403
    hide = f"/rounds/{round.id}/comments/{comment.public_id}/hide"
    assert post(employer, hide, {"reason": "Dislike."}).status_code == 403
    assert outsider.get(f"/rounds/{round.id}/comments/{comment.public_id}/hide").status_code == 404
    assert snapshot(db) == before


def test_caucus_comment_cannot_be_opened_for_hiding_by_a_secretariat_that_may_not_read_it(app, make, world):
    round = world["round"]
    comment = make.comment(world["worker"], round, "Caucus only.", channel="caucus")
    hide = f"/rounds/{round.id}/comments/{comment.public_id}/hide"
    assert browser(app, world["secretariat"]).get(hide).status_code == 404


# Organisations and people -------------------------------------------------------------------------------------


def test_organisations_page_is_the_secretariats_only(app, world):
    page = browser(app, world["secretariat"]).get("/organisations")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert world["worker"].organisation.name in text and world["worker"].email in text
    assert page.headers["Cache-Control"] == "no-store"
    for who in ("worker", "employer", "government"):
        assert browser(app, world[who]).get("/organisations").status_code == 403


def test_secretariat_registers_an_organisation(app, db, world):
    secretariat = browser(app, world["secretariat"])
    response = post(secretariat, "/organisations", {"name": "Labour Inspectorate", "constituency": "government",
                                                     "country": "FR"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Labour Inspectorate" in response.get_data(as_text=True)
    with db.transaction(write=False) as session:
        organisation = session.scalar(select(Organisation).where(Organisation.name == "Labour Inspectorate"))
        assert organisation.constituency.value == "government" and organisation.country == "FR"


def test_bad_or_refused_organisation_changes_nothing(app, db, world):
    before = snapshot(db)
    secretariat = browser(app, world["secretariat"])
    response = post(secretariat, "/organisations", {"name": "Odd", "constituency": "aliens", "country": "France"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="organisation-constituency-error"' in text and 'id="organisation-country-error"' in text
    assert 'value="Odd"' in text
    taken = post(secretariat, "/organisations", {"name": world["worker"].organisation.name,
                                                 "constituency": "workers"})
    assert taken.status_code == 409 and "Already taken." in taken.get_data(as_text=True)
    assert post(browser(app, world["employer"]), "/organisations",
                {"name": "Sneaky", "constituency": "workers"}).status_code == 403
    assert snapshot(db) == before


def test_secretariat_invites_a_person_who_is_mailed_a_link_and_no_password_is_shown(app, db, world):
    from consult.notifications.models import OutboxMessage

    secretariat = browser(app, world["secretariat"])
    union = world["worker"].organisation
    response = post(secretariat, "/organisations/people",
                    {"organisation_id": str(union.id), "display_name": "Nadia New", "email": "Nadia@Union.example",
                     "role_title": "Shop steward", "language": "fr"}, follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Nadia New" in text and 'class="secret"' not in text
    with db.transaction() as session:
        person = session.scalar(select(User).where(User.email == "nadia@union.example"))
        assert person.organisation_id == union.id and person.language == "fr" and person.role_title == "Shop steward"
        [mail] = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "nadia@union.example"))
        assert mail.kind == "account.invitation" and mail.language == "fr" and "/password/set/" in mail.text
    # Nobody knows the account's password until the person chooses one through the link.
    assert f"/organisations/people/{person.id}/deactivate" in text


def test_bad_or_refused_person_changes_nothing(app, db, world):
    before = snapshot(db)
    secretariat = browser(app, world["secretariat"])
    response = post(secretariat, "/organisations/people",
                    {"organisation_id": str(world["worker"].organisation_id), "display_name": "",
                     "email": "not an address"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="person-display_name-error"' in text and 'id="person-email-error"' in text
    assert 'value="not an address"' in text
    taken = post(secretariat, "/organisations/people",
                 {"organisation_id": str(world["worker"].organisation_id), "display_name": "Twin",
                  "email": world["worker"].email})
    assert taken.status_code == 409
    assert post(browser(app, world["worker"]), "/organisations/people",
                {"organisation_id": str(world["worker"].organisation_id), "display_name": "Mole",
                 "email": "mole@example.org"}).status_code == 403
    assert snapshot(db) == before
    with db.transaction(write=False) as session:
        assert session.scalar(select(User).where(User.email == "mole@example.org")) is None


def test_secretariat_nav_links(app, world):
    text = browser(app, world["secretariat"]).get("/").get_data(as_text=True)
    assert 'href="/moderation"' in text and 'href="/organisations"' in text
    text = browser(app, world["worker"]).get("/").get_data(as_text=True)
    assert 'href="/moderation"' not in text and 'href="/organisations"' not in text
