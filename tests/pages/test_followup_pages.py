"""Follow-up in the browser: a commitment's page, the owner's progress form, a follow-up round, monitoring."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from consult.outcomes.models import Commitment, CommitmentUpdate
from consult.rounds.models import Round
from tests.factories import log_in
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def concluded(make, api, **overrides):
    world = outcome_world(make, **overrides)
    conclude(api, world)
    with make.db.transaction(write=False) as session:
        world["commitment"] = session.scalar(select(Commitment.id).where(Commitment.round_id == world["round"].id))
    world["page"] = f"/rounds/{world['round'].id}/commitments/{world['commitment']}"
    return world


def reports(db) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count(CommitmentUpdate.id)))


def test_the_owner_reports_progress_in_the_form_and_sees_it_in_the_history_and_the_chart(make, api, client, db):
    world = concluded(make, api)
    log_in(client, world["employer"])
    page = client.get(world["page"]).get_data(as_text=True)
    assert "Publish an annual algorithmic audit" in page and "Audits published" in page and "1 per year" in page
    assert "No progress reported yet." in page and "<polyline" not in page
    for value, note in (("0 audits", "Auditor chosen."), ("1 audit", "Published in March.")):
        answer = client.post(f"{world['page']}/progress", data={
            "csrf_token": csrf(page), "value": value, "note": note,
            "evidence": "https://northgate.example/audit.pdf\n\nhttps://northgate.example/annex.pdf"})
        assert answer.status_code == 303 and answer.headers["Location"].endswith("#progress")
    page = client.get(world["page"]).get_data(as_text=True)
    assert "The progress is reported." in page
    assert page.index("0 audits") < page.index("1 audit</td>") and "Published in March." in page
    assert page.count('href="https://northgate.example/annex.pdf"') == 2
    assert page.count('class="kpi-point"') == 2 and "<polyline" in page
    assert 'class="target"' in page  # "1 per year" holds a number: the target line is drawn
    assert "Latest value</dt><dd>1 audit</dd>" in page


def test_a_bad_progress_report_is_refused_by_field_label_and_saves_nothing(make, api, client, db):
    world = concluded(make, api)
    log_in(client, world["employer"])
    page = client.get(world["page"]).get_data(as_text=True)
    answer = client.post(f"{world['page']}/progress", data={
        "csrf_token": csrf(page), "value": "", "note": "kept", "evidence": "javascript:alert(1)"})
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "The report was not saved" in text
    assert '<a href="#value">The KPI&#39;s value now</a>' in text and '<a href="#evidence">' in text
    assert ">kept</textarea>" in text and "javascript:alert(1)</textarea>" in text  # kept for correcting
    assert reports(db) == 0


def test_only_the_owner_sees_the_form_and_anyone_else_is_refused(make, api, client, db):
    world = concluded(make, api)
    log_in(client, world["worker"])
    page = client.get(world["page"]).get_data(as_text=True)
    assert "Report progress" not in page and "the commitment's owner, reports its progress" in page
    assert "Open a follow-up round" not in page  # the employer's or the secretariat's
    answer = client.post(f"{world['page']}/progress", data={"csrf_token": csrf(page), "value": "9 audits"})
    assert answer.status_code == 403 and reports(db) == 0


def test_no_progress_form_before_the_outcome_is_signed(make, client):
    world = outcome_world(make)
    with make.db.transaction(write=False) as session:
        commitment = session.scalar(select(Commitment.id))
    log_in(client, world["employer"])
    page = client.get(f"/rounds/{world['round'].id}/commitments/{commitment}").get_data(as_text=True)
    assert "Progress is reported once the outcome is signed." in page and 'name="value"' not in page


def test_a_follow_up_round_opens_from_the_commitment_page(make, api, client, db):
    world = concluded(make, api)
    log_in(client, world["employer"])
    page = client.get(world["page"]).get_data(as_text=True)
    assert 'value="Follow-up: Publish an annual algorithmic audit"' in page
    refused = client.post(f"{world['page']}/follow-up", data={"csrf_token": csrf(page), "title": " "})
    assert refused.status_code == 422 and "The follow-up round was not opened" in refused.get_data(as_text=True)
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count(Round.id))) == 1
    answer = client.post(f"{world['page']}/follow-up", data={"csrf_token": csrf(page), "title": "Audit, again"})
    assert answer.status_code == 303
    with db.transaction(write=False) as session:
        follow_up = session.scalar(select(Round).where(Round.follow_up_of_commitment_id == world["commitment"]))
    assert answer.headers["Location"] == f"/rounds/{follow_up.id}" and follow_up.workflow == "fast-track"
    page = client.get(world["page"]).get_data(as_text=True)
    assert f'href="/rounds/{follow_up.id}">Audit, again</a>' in page


def test_a_commitment_of_a_round_i_am_not_in_is_not_found(make, api, client):
    world = concluded(make, api)
    log_in(client, make.user("workers"))
    assert client.get(world["page"]).status_code == 404
    assert client.get(f"/rounds/{world['round'].id}/commitments/999").status_code == 404


def test_monitoring_is_in_the_menu_and_says_what_will_appear_when_empty(make, client):
    log_in(client, make.user("government"))
    page = client.get("/monitoring").get_data(as_text=True)
    assert 'href="/monitoring">Monitoring</a>' in client.get("/").get_data(as_text=True)
    assert "Nothing to follow up yet." in page and "each of its commitments appears here" in page
    assert "<svg" not in page and "<table" not in page


def test_monitoring_links_each_commitment_to_its_page(make, api, client):
    world = concluded(make, api)
    log_in(client, world["government"])
    assert f'href="{world["page"]}"' in client.get("/monitoring").get_data(as_text=True)
