"""fr-cse's two-level consultation on the pages: the establishments given on the open-round form, and each
establishment CSE's opinion kept in its own table and shown with its due date.

Code du travail R2312-6 II (code.travail.gouv.fr, in force): "l'avis de chaque comité d'établissement est rendu et
transmis au comité social et économique central au plus tard sept jours avant la date à laquelle ce dernier est
réputé avoir été consulté et avoir rendu un avis négatif en application du I. A défaut, l'avis du comité
d'établissement est réputé négatif." Dates are counted by hand below (CPC art. 641, 642: a délai in months ends on
the same-numbered day, at 24:00, Paris time).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from consult.opinions.models import EstablishmentOpinion
from consult.rounds.models import Round
from consult.scheduler.jobs import process_due
from tests.factories import log_in
from tests.opinions.helpers import end_of_day_months_later, profile_world, start_with_package
from tests.pages.forms import browser, post
from tests.pages.test_setup_pages import plan_form
from tests.test_bad_input import snapshot

PARIS = ZoneInfo("Europe/Paris")


def _said(day) -> str:
    return f"{day:%A} {day.day} {day:%B} {day.year}, end of the day, Paris time"


def test_the_open_round_form_takes_the_establishments_of_a_two_level_consultation(client, make, db):
    employer = make.user("employers", name="Erin Employer")
    log_in(client, employer)
    page = client.get("/rounds/new").get_data(as_text=True)
    assert 'name="establishments"' in page and '<label for="establishments"' in page
    form = plan_form(title="Central and establishments", workflow="fr-cse", time_zone="",
                     establishments="Lyon\r\n  Lille \r\n\r\n",
                     **{"plan.rollout_starts_on": "2027-09-01", "plan.rollout_completes_on": "2027-12-01"})
    del form["stage_lengths.consultation"]  # fr-cse's consultation runs on the legal clock, not a length
    opened = post(client, "/rounds/new", form)
    assert opened.status_code == 303, opened.get_data(as_text=True)[:3000]
    with db.transaction(write=False) as session:
        round = session.scalar(select(Round).where(Round.title == "Central and establishments"))
        assert round.establishments == ["Lyon", "Lille"] and round.workflow == "fr-cse"
    # Only fr-cse consults establishment CSEs (R2312-6 II, L2316-22): another workflow is refused, nothing stored.
    before = snapshot(db)
    refused = post(client, "/rounds/new", plan_form(title="Standard with establishments", establishments="Lyon"))
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'role="alert"' in shown and "R2312-6" in shown
    assert "Lyon" in shown  # the value is kept in the form
    assert snapshot(db) == before


def test_establishment_opinions_are_kept_in_their_table_and_shown_with_their_due_date(app, api, make, db):
    world = profile_world(make, "fr-cse", establishments=["Lyon", "Lille"])
    round_id = world["round"].id
    released_at = start_with_package(api, world)
    # R2312-6 I: one month from the release (no expert); II: each establishment's opinion by 24:00 of the day
    # seven days before the central CSE's last day.
    central_last_day = (end_of_day_months_later(released_at, 1) - timedelta(seconds=1)).astimezone(PARIS).date()
    due_day = central_last_day - timedelta(days=7)
    due_at = datetime.combine(due_day + timedelta(days=1), time(0), PARIS).astimezone(UTC)
    given = api(world["worker"]).post(f"/rounds/{round_id}/procedure/establishment-opinions", json={
        "establishment": "Lyon", "verdict": "disagree", "reasons": "Pick-rate monitoring per person."})
    assert given.status_code == 201, given.get_json()
    with db.transaction(write=False) as session:
        rows = session.scalars(select(EstablishmentOpinion).where(EstablishmentOpinion.round_id == round_id)).all()
        assert [(r.establishment, r.verdict.value, r.is_deemed, r.transmitted_by_id) for r in rows] == [
            ("Lyon", "disagree", False, world["worker"].id)]
    page = browser(app, world["government"]).get(f"/rounds/{round_id}/procedure").get_data(as_text=True)
    table = page[page.index('id="establishments"'):]
    table = table[:table.index("</table>")]
    assert table.count(_said(due_day)) == 2  # each establishment's due date
    assert "Pick-rate monitoring per person." in table and "no opinion yet" in table

    process_due(db, due_at - timedelta(seconds=1))
    with db.transaction(write=False) as session:
        assert session.scalar(select(EstablishmentOpinion.id).where(EstablishmentOpinion.establishment == "Lille")) \
            is None
    process_due(db, due_at + timedelta(seconds=1))
    with db.transaction(write=False) as session:
        lille = session.scalar(select(EstablishmentOpinion).where(EstablishmentOpinion.round_id == round_id,
                                                                  EstablishmentOpinion.establishment == "Lille"))
        assert (lille.verdict.value, lille.is_deemed, lille.given_at) == ("deemed_negative", True, due_at)
    page = browser(app, world["employer"]).get(f"/rounds/{round_id}/procedure").get_data(as_text=True)
    table = page[page.index('id="establishments"'):]
    assert "Deemed negative" in table[:table.index("</table>")]


def test_migration_0021_fills_the_table_from_the_events_of_earlier_rounds(app, api, make, db, database_url):
    from consult.db import make_engine
    from consult.migrate import downgrade, upgrade

    world = profile_world(make, "fr-cse", establishments=["Lyon", "Lille"])
    round_id = world["round"].id
    released_at = start_with_package(api, world)
    assert api(world["worker"]).post(f"/rounds/{round_id}/procedure/establishment-opinions", json={
        "establishment": "Lyon", "verdict": "agree_with_reservations", "reasons": "Per team only."}).status_code == 201
    central_last_day = (end_of_day_months_later(released_at, 1) - timedelta(seconds=1)).astimezone(PARIS).date()
    process_due(db, datetime.combine(central_last_day - timedelta(days=6), time(0), PARIS) + timedelta(seconds=1))
    query = ("SELECT establishment, verdict, reasons, is_deemed, basis, transmitted_by_id, given_at "
             "FROM establishment_opinions ORDER BY establishment")
    with db.transaction(write=False) as session:
        before = [tuple(row) for row in session.execute(text(query))]
    assert [row[:2] for row in before] == [("Lille", "deemed_negative"), ("Lyon", "agree_with_reservations")]
    db.dispose()
    downgrade(database_url, "0014")  # the rounds of before 0021: their opinions only in the event log
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        after = [tuple(row) for row in connection.execute(text(query))]
    engine.dispose()
    assert after == before


def test_an_establishment_opinion_is_transmitted_through_the_procedure_page(app, api, make, db):
    # R2312-6 II: the establishment CSE's opinion is "transmis au comité social et économique central"; the
    # governance table lets the workers' side, or the secretariat on its behalf, record it.
    from tests.pages.forms import followed, send

    world = profile_world(make, "fr-cse", establishments=["Lyon", "Lille"])
    round_id = world["round"].id
    start_with_package(api, world)
    page = f"/rounds/{round_id}/procedure"
    worker, employer = browser(app, world["worker"]), browser(app, world["employer"])
    assert 'id="transmit-establishment"' in worker.get(page).get_data(as_text=True)
    assert 'id="transmit-establishment"' not in employer.get(page).get_data(as_text=True)
    before = snapshot(db)
    refused = send(worker, f"{page}/establishment", {"establishment": "Lille", "verdict": "disagree", "reasons": " "},
                   page=page)
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    assert send(worker, f"{page}/establishment", {"establishment": "Paris", "verdict": "agree", "reasons": "Fine."},
                page=page).status_code == 422
    assert send(employer, f"{page}/establishment", {"establishment": "Lille", "verdict": "agree", "reasons": "Fine."},
                page=page).status_code == 403
    assert snapshot(db) == before
    done = followed(worker, send(worker, f"{page}/establishment", {
        "establishment": "Lille", "verdict": "agree_with_reservations", "reasons": "Per team only, never per person."},
        page=page))
    table = done[done.index('id="establishments"'):]
    assert "Per team only, never per person." in table[:table.index("</table>")]
    with db.transaction(write=False) as session:
        assert session.scalar(select(EstablishmentOpinion.verdict).where(
            EstablishmentOpinion.round_id == round_id, EstablishmentOpinion.establishment == "Lille")).value == \
            "agree_with_reservations"
