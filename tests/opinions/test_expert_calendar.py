"""The expert's calendar under fr-cse (Code du travail R2315-45, -46, -47, -49; costs L2315-80) and the §80(3)
agreement under de-betrvg, through the API and the procedure page (issue 23, items 2 and 3).

Every expected date is computed by hand below from the article it cites. A period in days ends at 24:00 of its
last day, the day of the act not counted (Code de procédure civile art. 641), Paris time for fr-cse; a date
written "24:00 of 29 March" is the instant 00:00 of 30 March.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from consult.opinions.models import Expert, ExpertStep
from tests.opinions.helpers import REASON, at, expert_body, profile_world, start_with_package
from tests.pages.forms import browser
from tests.test_bad_input import assert_error_shape

PARIS = ZoneInfo("Europe/Paris")


def _fr_cse_expert(api, make, db):
    world = profile_world(make, "fr-cse")
    start_with_package(api, world)
    appointed = api(world["worker"]).post(f"/rounds/{world['round'].id}/experts", json=expert_body(world))
    assert appointed.status_code == 201, appointed.get_json()
    world["expert_id"] = appointed.get_json()["id"]
    return world


def _calendar(api, world, party="worker") -> dict[str, dict]:
    [expert] = api(world[party]).get(f"/rounds/{world['round'].id}/procedure").get_json()["experts"]
    return {row["step"]: row for row in expert["calendar"]}


def test_fr_cse_dates_counted_by_hand_across_the_spring_clock_change(api, make, db):
    world = _fr_cse_expert(api, make, db)
    # Appointed on Friday 26 March 2027 at 16:00 Paris time (15:00 UTC, CET); summer time starts on Sunday
    # 28 March 2027 (last Sunday of March), so every end below is 24:00 CEST = 22:00 UTC.
    with db.transaction() as session:
        session.execute(update(Expert).where(Expert.public_id == world["expert_id"])
                        .values(appointed_at=datetime(2027, 3, 26, 15, 0, tzinfo=UTC)))
    calendar = _calendar(api, world)
    # R2315-45: the expert asks "au plus tard dans les trois jours de sa désignation": 27, 28, 29 March.
    assert at(calendar["information_requested"]["due_at"]) == datetime(2027, 3, 29, 22, 0, tzinfo=UTC)
    assert calendar["information_requested"]["due_day"] == "2027-03-29"
    # R2315-46: cost, scope and length notified within ten days of the appointment: 27 March .. 5 April.
    assert at(calendar["cost_notified"]["due_at"]) == datetime(2027, 4, 5, 22, 0, tzinfo=UTC)
    # R2315-45: the employer's five days run from the request, not yet made: no date, nothing flagged.
    assert calendar["information_answered"]["due_at"] is None and calendar["information_answered"]["flag"] == "waiting"
    assert calendar["information_answered"]["days"] == 5
    # The request is recorded on Saturday 27 March 2027 at 10:00 Paris (09:00 UTC): 28 March .. 1 April.
    recorded = api(world["worker"]).post(f"/rounds/{world['round'].id}/experts/{world['expert_id']}/steps",
                                         json={"step": "information_requested", "note": "The DPIA's annexes."})
    assert recorded.status_code == 201, recorded.get_json()
    with db.transaction() as session:
        session.execute(update(ExpertStep).values(recorded_at=datetime(2027, 3, 27, 9, 0, tzinfo=UTC)))
    calendar = _calendar(api, world, "employer")
    assert at(calendar["information_answered"]["due_at"]) == datetime(2027, 4, 1, 22, 0, tzinfo=UTC)
    assert calendar["information_requested"]["flag"] == "done"


def test_fr_cse_report_is_due_fifteen_days_before_the_consultations_end(api, make, db):
    world = _fr_cse_expert(api, make, db)
    procedure = api(world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_json()
    end = at(procedure["clock"]["deadline_at"]).astimezone(PARIS)  # the clock's deadline (its own tests check it)
    # R2315-47: the report "au plus tard quinze jours avant l'expiration des délais de consultation": the same
    # Paris wall-clock time fifteen calendar days earlier.
    day = end.date() - timedelta(days=15)
    expected = datetime(day.year, day.month, day.day, end.hour, end.minute, end.second, end.microsecond,
                        tzinfo=PARIS)
    assert at(_calendar(api, world)["report_delivered"]["due_at"]) == expected


def test_a_missed_date_is_flagged_and_a_late_step_says_so(api, make, db):
    world = _fr_cse_expert(api, make, db)
    twelve_days_ago = datetime.now(UTC) - timedelta(days=12)
    with db.transaction() as session:
        session.execute(update(Expert).where(Expert.public_id == world["expert_id"])
                        .values(appointed_at=twelve_days_ago))
    calendar = _calendar(api, world)
    assert calendar["information_requested"]["flag"] == "missed"  # 3 days (R2315-45) passed, nothing recorded
    assert calendar["cost_notified"]["flag"] == "missed"  # 10 days (R2315-46) passed
    path = f"/rounds/{world['round'].id}/experts/{world['expert_id']}/steps"
    assert api(world["worker"]).post(path, json={"step": "cost_notified", "note": "48,000 EUR, 30 days"}).status_code \
        == 201
    assert _calendar(api, world)["cost_notified"]["flag"] == "late"
    # the employer's ten days to challenge (R2315-49) run from the notification: a window, not a duty
    assert _calendar(api, world)["employer_challenged"]["flag"] == "due"
    assert_error_shape(api(world["worker"]).post(path, json={"step": "cost_notified"}), 409)  # once
    assert "step" in assert_error_shape(api(world["worker"]).post(path, json={"step": "employer_agreed"}),
                                        422)["fields"]  # a de-betrvg step is no fr-cse step
    assert_error_shape(api(world["second_worker"]).post(path, json={"step": "report_delivered"}), 403)
    assert_error_shape(api(world["government"]).post(path, json={"step": "report_delivered"}), 403)


def test_fr_cse_costs_are_split_80_20_and_wholly_the_employers_when_the_budget_cannot_bear_it(api, make, db):
    world = _fr_cse_expert(api, make, db)
    base = f"/rounds/{world['round'].id}/experts/{world['expert_id']}"
    employer = api(world["employer"])
    for amount in (123456, 10001):  # 1,234.56 EUR and 100.01 EUR
        assert employer.post(f"{base}/costs", json={"amount_minor": amount, "currency": "EUR",
                                                    "description": "Invoice"}).status_code == 201
    [expert] = api(world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_json()["experts"]
    # L2315-80: 20 % on the CSE's budget, 80 % the employer: 133,457 cents -> CSE 26,691 (26,691.4 rounded
    # down), employer 106,766.
    assert expert["cost_split"]["totals"] == [{"currency": "EUR", "total_minor": 133457, "cse_minor": 26691,
                                               "employer_minor": 106766}]
    assert (expert["cost_split"]["employer_percent"], expert["cost_split"]["cse_percent"]) == (80, 20)
    recorded = api(world["worker"]).post(f"{base}/steps", json={
        "step": "cse_budget_insufficient", "note": "Budget 2027: 3,100 EUR left; no surplus transferred since 2024."})
    assert recorded.status_code == 201, recorded.get_json()
    [expert] = api(world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_json()["experts"]
    assert expert["cost_split"]["totals"] == [{"currency": "EUR", "total_minor": 133457, "cse_minor": 0,
                                               "employer_minor": 133457}]
    assert expert["cost_split"]["cse_budget_insufficient"] is True


def test_de_betrvg_expert_needs_the_employers_agreement_and_a_refusal_goes_to_the_labour_court(app, api, make, db):
    world = profile_world(make, "de-betrvg")
    round_id = world["round"].id
    api(world["secretariat"]).post(f"/rounds/{round_id}/timeline/start", json=REASON)
    appointed = api(world["worker"]).post(f"/rounds/{round_id}/experts", json=expert_body(world))
    assert appointed.status_code == 201, appointed.get_json()
    base = f"/rounds/{round_id}/experts/{appointed.get_json()['id']}/steps"
    calendar = _calendar(api, world)
    assert [calendar[k]["flag"] for k in ("employer_agreed", "employer_refused", "labour_court_seized")] == \
        ["open"] * 3  # §80(3) sets no number of days
    assert "§80(3)" in calendar["employer_agreed"]["basis"]
    refused = api(world["employer"]).post(base, json={"step": "employer_refused", "note": "The fee is too high."})
    assert refused.status_code == 201, refused.get_json()
    seized = api(world["worker"]).post(base, json={"step": "labour_court_seized",
                                                   "note": "ArbG Berlin, 12 BV 345/27"})
    assert seized.status_code == 201, seized.get_json()
    calendar = _calendar(api, world, "government")
    assert calendar["labour_court_seized"]["note"] == "ArbG Berlin, 12 BV 345/27"
    assert calendar["labour_court_decided"]["recorded_at"] is None  # consult records a ruling, never makes one
    page = browser(app, world["employer"]).get(f"/rounds/{round_id}/procedure").get_data(as_text=True)
    assert "ArbG Berlin, 12 BV 345/27" in page and "The employer refused the agreement" in page


def test_the_procedure_page_shows_the_calendar_with_its_dates(app, api, make, db):
    world = _fr_cse_expert(api, make, db)
    with db.transaction() as session:
        session.execute(update(Expert).where(Expert.public_id == world["expert_id"])
                        .values(appointed_at=datetime(2027, 3, 26, 15, 0, tzinfo=UTC)))
    page = browser(app, world["employer"]).get(f"/rounds/{world['round'].id}/procedure").get_data(as_text=True)
    assert "The expert asks the employer for the information needed" in page
    # R2315-45, counted above; said as the clock says its deadline (one formatter for both)
    assert "Monday 29 March 2027, end of the day, Paris time" in page
    assert "Code du travail R2315-46" in page
    # R2315-45: "l'employeur répond dans les cinq jours": timed from the request, which is not made yet; the page
    # says so rather than "not timed by the law" (which is true of L2315-80's budget step only).
    assert "5 days after “The expert asks the employer for the information needed”, once it is recorded" in page
    assert page.count("Not timed by the law") == 1


def test_the_calendar_and_the_clock_say_their_dates_the_same_way_in_each_language(app, api, make, db):
    from tests.i18n.helpers import speak

    world = _fr_cse_expert(api, make, db)
    # Appointed on Friday 26 March 2027: R2315-45's three days end at 24:00 of Monday 29 March 2027 (CPC 641), and
    # R2315-46's ten days at 24:00 of Monday 5 April 2027, both in Paris time.
    with db.transaction() as session:
        session.execute(update(Expert).where(Expert.public_id == world["expert_id"])
                        .values(appointed_at=datetime(2027, 3, 26, 15, 0, tzinfo=UTC)))
    path = f"/rounds/{world['round'].id}/procedure"
    for language, words in (
            ("en", ("Monday 29 March 2027, end of the day, Paris time",
                    "Monday 5 April 2027, end of the day, Paris time")),
            ("fr", ("lundi 29 mars 2027, à la fin de la journée (24 h), heure de Paris",
                    "lundi 5 avril 2027, à la fin de la journée (24 h), heure de Paris")),
            ("es", ("lunes 29 marzo 2027, al final del día (24 h), hora de Paris",
                    "lunes 5 abril 2027, al final del día (24 h), hora de Paris"))):
        speak(db, world["employer"], language)
        page = browser(app, world["employer"]).get(path).get_data(as_text=True)
        for said in words:
            assert said in page, (language, said)
        assert "Europe/Paris time" not in page and "heure de Europe/Paris" not in page
