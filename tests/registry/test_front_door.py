"""The public front door and a registry entry as the public sees it: agreed texts, stances, progress."""

from __future__ import annotations

from sqlalchemy import select

from consult.outcomes.models import Commitment
from tests.factories import log_in
from tests.outcomes.helpers import outcome_world
from tests.registry.test_registry import conclude


def test_a_visitor_at_the_root_learns_what_consult_is_and_finds_the_ways_in(client):
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'class="front-door"' in text and "Social dialogue on AI at work" in text
    for link in ('href="/registry"', 'href="/verify"', 'href="/login"'):
        assert text.count(link) >= 2, link  # in the shared header and in the page's own doors
    assert "No outcome has been published yet." in text


def test_public_pages_share_the_header_with_a_way_back(client):
    for path in ("/registry", "/verify", "/login", "/verify/" + "a" * 64):
        text = client.get(path).get_data(as_text=True)
        assert '<a class="brand" href="/">' in text and '>Home</a>' in text, path


def test_the_front_door_lists_the_newest_published_outcomes(make, api, client):
    world = outcome_world(make, is_public=True, title="Rostering at Northgate")
    conclude(api, world)
    text = client.get("/").get_data(as_text=True)
    assert f'href="/registry/{world["round"].id}">Rostering at Northgate</a>' in text
    assert "All 1 published outcome" in text


def test_a_registry_entry_shows_each_agreed_text_beside_the_stances_and_the_progress(make, api, client):
    world = outcome_world(make, is_public=True, title="Rostering at Northgate")
    make.comment(world["worker"], world["round"], "zebracaucus secret", channel="caucus")
    conclude(api, world)
    with make.db.transaction(write=False) as session:
        commitment = session.scalar(select(Commitment.id).where(Commitment.round_id == world["round"].id))
    api(world["employer"]).post(f"/rounds/{world['round'].id}/commitments/{commitment}/updates", json={
        "value": "1 audit published", "note": "By the works council's auditor.",
        "evidence": ["https://northgate.example/audit.pdf"]})
    text = client.get(f"/registry/{world['round'].id}").get_data(as_text=True)
    assert "The parties agree on <strong>Privacy</strong>." in text  # the sanitised HTML of the signed text
    privacy = text[text.index("The parties agree on <strong>Privacy</strong>"):]
    assert "The workers accept the text on privacy." in privacy.split("</section>")[0]  # beside it
    assert "Publish an annual algorithmic audit" in text and "1 audit published" in text
    assert 'href="https://northgate.example/audit.pdf"' in text
    # What the public must not learn: no comment, and nobody who typed a progress report.
    assert "zebracaucus" not in text and world["employer"].display_name not in text.split("Signatures")[0]


def test_a_logged_in_person_at_the_root_gets_their_dashboard(make, client):
    person = make.user("workers", name="Ada Lovelace")
    log_in(client, person)
    text = client.get("/").get_data(as_text=True)
    assert 'class="front-door"' not in text and "My rounds" in text
