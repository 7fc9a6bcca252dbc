"""fr-cse's clock through the API with the scheduler's clock moved, from the articles: the end of the last day
(CPC 641, 642), one and two levels (R2312-6 I and II), both deemed facts (L2312-16), a company agreement
(L2312-16, L2312-19), the BDESE (R2312-5), and a round opened without a time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consult.scheduler.jobs import process_due
from tests.factories import round_payload
from tests.opinions.helpers import (
    REASON,
    appoint_expert,
    at,
    end_of_day_months_later,
    event_types,
    plan,
    profile_world,
    start_with_package,
)
from tests.test_bad_input import assert_error_shape

PARIS = ZoneInfo("Europe/Paris")


def _procedure(api, world) -> dict:
    return api(world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_json()


def test_nothing_is_deemed_one_second_before_24_00_of_the_last_day_and_both_facts_one_second_after(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    released_at = start_with_package(api, world)
    deadline = end_of_day_months_later(released_at, 1)  # R2312-6 I: 1 month; CPC 642 al. 1: at 24:00
    clock = _procedure(api, world)["clock"]
    assert at(clock["deadline_at"]) == deadline
    assert deadline.astimezone(PARIS).time() == time(0)  # midnight Paris, whatever the release's time of day
    assert clock["time_zone"] == "Europe/Paris" and clock["deadline_text"].endswith("end of the day, Paris time")

    process_due(db, deadline - timedelta(seconds=1))
    assert "opinion.deemed" not in event_types(db, round_id)
    assert _procedure(api, world)["opinions"] == []
    assert api(world["worker"]).get(f"/rounds/{round_id}").get_json()["stage"] == "consultation"

    process_due(db, deadline + timedelta(seconds=1))
    [opinion] = _procedure(api, world)["opinions"]
    assert opinion["verdict"] == "deemed_negative" and opinion["is_deemed"]
    # L2312-16: "réputé avoir été consulté et avoir rendu un avis négatif": both facts, in the record
    assert "deemed to have been consulted" in opinion["reasons"] and "negative opinion" in opinion["reasons"]
    with db.transaction(write=False) as session:
        from sqlalchemy import select

        from consult.events.models import Event
        payload = session.scalar(select(Event.payload).where(Event.round_id == round_id,
                                                             Event.type == "opinion.deemed"))
    assert payload["deemed"] == ["consulted", "negative_opinion"] and payload["deemed_consulted"] is True


def test_a_two_level_consultation_with_an_expert_runs_three_months_and_a_missing_establishment_opinion_is_deemed(
        api, make, db):
    # R2312-6 I al. 3: 3 months where expertise intervenes in a consultation at central and establishment level;
    # II: each establishment CSE's opinion is due 7 days before the central CSE is deemed consulted; else negative.
    world = profile_world(make, "fr-cse", establishments=["Lyon", "Lille"])
    round_id = world["round"].id
    released_at = start_with_package(api, world)
    assert at(_procedure(api, world)["clock"]["deadline_at"]) == end_of_day_months_later(released_at, 1)
    appoint_expert(api, world)
    central = end_of_day_months_later(released_at, 3)
    clock = _procedure(api, world)["clock"]
    assert at(clock["deadline_at"]) == central and "R2312-6 I al. 3" in clock["basis"]
    # by hand: the central CSE's last day is the day before `central` (Paris); 7 days before it, at 24:00
    central_last_day = (central - timedelta(seconds=1)).astimezone(PARIS).date()
    establishments_due = datetime.combine(central_last_day - timedelta(days=7) + timedelta(days=1), time(0),
                                          PARIS).astimezone(UTC)
    assert at(clock["establishments"]["deadline_at"]) == establishments_due

    worker = api(world["worker"])
    given = worker.post(f"/rounds/{round_id}/procedure/establishment-opinions",
                        json={"establishment": "Lyon", "verdict": "disagree", "reasons": "Pick-rate monitoring."})
    assert given.status_code == 201, given.get_json()
    unknown = worker.post(f"/rounds/{round_id}/procedure/establishment-opinions",
                          json={"establishment": "Paris", "verdict": "agree", "reasons": "Fine."})
    assert "establishment" in assert_error_shape(unknown, 422)["fields"]
    refused = api(world["employer"]).post(f"/rounds/{round_id}/procedure/establishment-opinions",
                                          json={"establishment": "Lille", "verdict": "agree", "reasons": "Fine."})
    assert_error_shape(refused, 403)  # the employer does not speak for an establishment CSE

    process_due(db, establishments_due - timedelta(seconds=1))
    assert "establishment_opinion.deemed" not in event_types(db, round_id)
    process_due(db, establishments_due + timedelta(seconds=1))
    opinions = _procedure(api, world)["clock"]["establishments"]["opinions"]
    assert sorted((o["establishment"], o["verdict"]) for o in opinions) == [("Lille", "deemed_negative"),
                                                                            ("Lyon", "disagree")]
    assert "opinion.deemed" not in event_types(db, round_id)  # the central CSE still has 7 days
    assert api(world["worker"]).get(f"/rounds/{round_id}").get_json()["stage"] == "consultation"


def test_a_round_opened_through_the_api_without_a_time_zone_counts_in_paris(api, make, db):
    world = profile_world(make, "fr-cse")
    body = round_payload(workflow="fr-cse")
    body.pop("time_zone", None)
    opened = api(world["employer"]).post("/rounds", json=body)
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["time_zone"] == "Europe/Paris"  # never UTC for a legal clock
    assert opened.get_json()["profile_warning"] is None


def test_a_company_agreement_replaces_the_default_lengths_and_the_expert_extension(api, make, db):
    # L2312-16 and L2312-19: an agreement sets the délais; the R2312-6 defaults (and their extensions) then do not
    # apply (Cass. soc., per livingstoneexpertcse.fr, cited in LAW.md)
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    released_at = start_with_package(api, world)
    agreement = {"reference": "Accord d'entreprise du 3 mars 2026 sur le dialogue social, art. 4", "length": "45d"}
    refused = api(world["employer"]).post(f"/rounds/{round_id}/procedure/agreement", json=agreement)
    assert_error_shape(refused, 403)
    recorded = api(world["secretariat"]).post(f"/rounds/{round_id}/procedure/agreement", json=agreement)
    assert recorded.status_code == 201, recorded.get_json()
    appoint_expert(api, world)
    # by hand (CPC 641 al. 1): the release's Paris day does not count; 45 days later, at 24:00 Paris
    last_day = released_at.astimezone(PARIS).date() + timedelta(days=45)
    expected = datetime.combine(last_day + timedelta(days=1), time(0), PARIS).astimezone(UTC)
    clock = _procedure(api, world)["clock"]
    assert at(clock["deadline_at"]) == expected
    assert "Accord d'entreprise du 3 mars 2026" in clock["basis"] and clock["agreement"]["length"] == "45d"
    bad = api(world["secretariat"]).post(f"/rounds/{round_id}/procedure/agreement",
                                         json={**agreement, "length": "12h"})
    assert "length" in assert_error_shape(bad, 422)["fields"]


def test_information_put_in_the_bdese_starts_the_clock_like_a_release(api, make, db):
    # R2312-5: the délai runs from the communication of the information "ou de l'information par l'employeur de
    # leur mise à disposition dans la base de données économiques, sociales et environnementales"
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    assert api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON).status_code == 200
    assert _procedure(api, world)["clock"]["deadline_at"] is None
    assert_error_shape(api(world["worker"]).post(f"/rounds/{round_id}/procedure/bdese",
                                                 json={"description": "Section 7"}), 403)
    notice = api(world["employer"]).post(f"/rounds/{round_id}/procedure/bdese",
                                         json={"description": "The DPIA, in the BDESE's section 'Technologies'."})
    assert notice.status_code == 201, notice.get_json()
    clock = _procedure(api, world)["clock"]
    assert at(clock["deadline_at"]) == end_of_day_months_later(at(clock["starts_at"]), 1)


def test_the_secretariat_records_which_reading_of_an_uncertain_extension_the_round_follows(api, make, db):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    start_with_package(api, world)
    body = {"reading": "extended", "reason": "Our lawyer reads CPC art. 642 al. 2 as applying to this délai."}
    assert_error_shape(api(world["worker"]).post(f"/rounds/{round_id}/procedure/reading", json=body), 403)
    assert_error_shape(api(world["secretariat"]).post(f"/rounds/{round_id}/procedure/reading",
                                                      json={**body, "reading": "maybe"}), 422)
    recorded = api(world["secretariat"]).post(f"/rounds/{round_id}/procedure/reading", json=body)
    assert recorded.status_code == 201, recorded.get_json()
    clock = _procedure(api, world)["clock"]
    assert clock["reading"] == "extended" and "clock.reading_recorded" in event_types(db, round_id)
    if clock["extension"]:  # the last day is not a working day: the extended reading governs
        assert clock["deadline_at"] == clock["extension"]["extended_at"]


def test_standard_opened_by_a_french_employer_is_warned_that_it_is_not_the_legal_procedure(api, make, db):
    world = profile_world(make, "fr-cse")
    opened = api(world["employer"]).post("/rounds", json=round_payload(establishment_country="FR"))
    assert opened.status_code == 201, opened.get_json()
    warning = opened.get_json()["profile_warning"]
    assert "not a legal procedure" in warning and "fr-cse" in warning
    by_zone = api(world["employer"]).post("/rounds", json=round_payload(time_zone="Europe/Paris"))
    assert "fr-cse" in by_zone.get_json()["profile_warning"]
    elsewhere = api(world["employer"]).post("/rounds", json=round_payload(establishment_country="JP"))
    assert elsewhere.status_code == 201 and elsewhere.get_json()["profile_warning"] is None
    bad = api(world["employer"]).post("/rounds", json=round_payload(establishment_country="ZZ"))
    assert "establishment_country" in assert_error_shape(bad, 422)["fields"]


def test_no_rollout_before_the_cses_deadline(api, make, db):
    # L2312-14 (the employer's decision is preceded by the consultation) with R2312-6: a rollout planned before the
    # earliest end of the consultation (1 month from now at the least) is refused, naming the law
    world = profile_world(make, "fr-cse")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    body = round_payload(workflow="fr-cse", plan=plan(rollout_starts_on=tomorrow, rollout_completes_on="2028-01-01"))
    error = assert_error_shape(api(world["employer"]).post("/rounds", json=body), 422)
    assert "L2312-14" in error["message"] and "plan.rollout_starts_on" in error["fields"]


def test_the_procedure_and_timeline_pages_say_the_deadline_the_laws_way_in_each_language(app, api, make, db):
    from tests.i18n.helpers import speak
    from tests.pages.forms import browser

    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    released_at = start_with_package(api, world)
    last_day = (end_of_day_months_later(released_at, 1) - timedelta(seconds=1)).astimezone(PARIS).date()
    day_en = f"{last_day:%A} {last_day.day} {last_day:%B} {last_day.year}"  # "Wednesday 6 January 2027"
    worker = browser(app, world["worker"])
    for page in (f"/rounds/{round_id}/procedure", f"/rounds/{round_id}/timeline"):
        shown = worker.get(page).get_data(as_text=True)
        assert f"{day_en}, end of the day, Paris time" in shown, page
    for language, words in (("fr", "à la fin de la journée (24 h), heure de Paris"),
                            ("es", "al final del día (24 h), hora de Paris")):
        speak(db, world["government"], language)
        shown = browser(app, world["government"]).get(f"/rounds/{round_id}/procedure").get_data(as_text=True)
        assert words in shown, language


def test_a_standard_round_says_it_is_not_a_legal_procedure_and_names_the_french_profile(app, api, make, db):
    from tests.pages.forms import browser

    world = profile_world(make, "standard", establishment_country="FR")
    shown = browser(app, world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_data(as_text=True)
    assert "not a legal procedure" in shown and "fr-cse" in shown
