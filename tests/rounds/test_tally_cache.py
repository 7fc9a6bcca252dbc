"""The round page's kept tallies (consult/rounds/participation.py): counts are never shown as they were before
a comment, a stance or a stage, never as another constituency may see them, and what is new to one person is
never what is new to another."""

from __future__ import annotations

import re

from consult.accounts.models import User
from consult.outcomes.models import StanceKind
from consult.outcomes.services import draft_position, record_stance
from tests.factories import tripartite
from tests.pages.forms import browser
from tests.pages.test_round_page import cell


def page(client, round) -> str:
    """The round page as this client's person sees it, with the per-request CSRF token left out."""
    html = client.get(f"/rounds/{round.id}").get_data(as_text=True)
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', html)


def section_count(html: str, section: str) -> int:
    """The section index's count of comments on a section."""
    return int(re.search(rf'data-count="{section}">(\d+) comments?<', html).group(1))


def new_count(html: str, section: str) -> int:
    """The section index's count of comments new since the last visit (0: no badge)."""
    found = re.search(rf'data-new="{section}">(\d+) new<', html)
    return int(found.group(1)) if found else 0


def tallies(app):
    return app.extensions["consult.round_tallies"]


def test_a_kept_tally_is_counted_again_after_a_comment_a_stance_and_a_stage(app, make):
    world = tripartite(make)
    round = world["round"]
    make.comment(world["government"], round, "Who audits the roster?", section="privacy")
    worker = browser(app, world["worker"])
    before = page(worker, round)
    assert cell(before, "consultation", "government:comments") == 1 and section_count(before, "privacy") == 1
    assert len(tallies(app)) == 1 and page(worker, round) == before  # the second page reads the kept tally

    make.comment(world["government"], round, "And who reads the audit?", section="privacy")
    after = page(worker, round)
    assert cell(after, "consultation", "government:comments") == 2 and section_count(after, "privacy") == 2

    make.move_to(world["employer"], round, "drafting")
    with make.db.transaction() as session:
        draft_position(session, session.get(User, world["secretariat"].id), round.id, "privacy", "Audit yearly.", 0)
    with make.db.transaction() as session:
        record_stance(session, session.get(User, world["employer"].id), round.id, "privacy", StanceKind.AGREE, "")
    drafting = page(worker, round)
    assert cell(drafting, "drafting", "employers:stances") == 1
    assert cell(drafting, "consultation", "government:comments") == 2


def test_a_tally_kept_for_one_constituency_is_never_shown_to_another(app, make):
    world = tripartite(make)
    round = world["round"]
    for body in ("Hold the line on retention.", "Offer 60 days at most."):
        make.comment(world["employer"], round, body, section="privacy", channel="caucus")
    make.comment(world["worker"], round, "Unions want 30 days.", section="privacy", channel="caucus")
    employer = page(browser(app, world["employer"]), round)  # the employers' tally is kept first
    assert cell(employer, "consultation", "employers:comments") == 2 and section_count(employer, "privacy") == 2
    worker = page(browser(app, world["worker"]), round)  # same round, same event: another lens
    assert cell(worker, "consultation", "employers:comments") == 0 and section_count(worker, "privacy") == 1
    assert cell(worker, "consultation", "workers:comments") == 1
    government = page(browser(app, world["government"]), round)
    assert section_count(government, "privacy") == 0
    assert len(tallies(app)) == 3


def test_what_is_new_is_counted_for_each_person_even_when_they_share_a_tally(app, make):
    world = tripartite(make)
    round = world["round"]
    colleague = make.user(world["worker"].organisation, name="Wes Worker")
    author, reader = browser(app, world["worker"]), browser(app, colleague)
    page(author, round), page(reader, round)  # both have visited: their marks are set
    for body in ("Breaks must stay paid.", "And rosters a week ahead."):
        make.comment(world["worker"], round, body, section="safety_health_dignity")
    assert new_count(page(reader, round), "safety_health_dignity") == 2
    assert new_count(page(author, round), "safety_health_dignity") == 0  # their own comments are not new to them
    assert new_count(page(reader, round), "safety_health_dignity") == 0  # the visit moved the reader's mark
