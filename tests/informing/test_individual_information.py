"""eu-ai-act and platform-work through the API, mail caught by a real SMTP server (aiosmtpd):

- Regulation (EU) 2024/1689 Art. 113: Art. 26 applies to Annex III systems from 2 August 2026 as published; the
  Digital Omnibus on AI would move it to 2 December 2027 (not published: uncertain). Every Art. 26 refusal says so.
- Directive 2002/14/EC Art. 4(3)-(4): time for "an adequate study": a high-risk round cannot shorten its stages
  below the profile's minimums (7 days of information, 14 of consultation).
- Art. 5(1)(f): a system that infers emotions at the workplace is prohibited (since 2 February 2025).
- Art. 26(7): "workers' representatives and the affected workers": each listed worker is informed, by mail
  or by a printable letter, and the delivery is in the round's record.
- Directive (EU) 2024/2831 Art. 9(1): each person performing platform work is informed of the monitoring and
  decision-making systems; Art. 13(2) counts platform workers in the Member State.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.events.models import Event
from consult.notifications.mailer import send_now
from tests.factories import round_payload
from tests.opinions.helpers import establishment_today, event_types, profile_plan, profile_world
from tests.pages.forms import browser
from tests.test_bad_input import assert_error_shape, snapshot

#: An EU profile's round states the Member State of its establishment (its law, time and holidays).
EU_AI_ACT = {"workflow": "eu-ai-act", "establishment_country": "DE"}
PLATFORM_WORK = {"workflow": "platform-work", "establishment_country": "DE"}

#: Written from Art. 113 and the Omnibus's agreed text, by hand: the dates a refusal must name.
APPLIES_FROM, OMNIBUS_DATE = "2 August 2026", "2 December 2027"
#: Names and addresses of every class of character: accents, CJK, an apostrophe, markup, a plus address.
WORKERS = [{"name": "Zoë Ångström-O'Brien", "email": "zoe+ai@example.org"},
           {"name": "李小龍", "email": "li.xiaolong@example.net"},
           {"name": "Jean <b>Markup</b> Dupont"}]


def later(days: int) -> str:
    """A day that many days from today, as the API takes it."""
    return (establishment_today() + timedelta(days=days)).isoformat()


def test_the_art_26_refusal_names_the_date_of_application_and_the_uncertain_omnibus_date(api, make, db):
    client = api(make.user("employers"))
    before = snapshot(db)
    refused = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=profile_plan(
        "eu-ai-act", rollout_starts_on=later(10), rollout_completes_on=None)))
    error = assert_error_shape(refused, 422)
    assert "Art. 26(7)" in error["message"] and APPLIES_FROM in error["message"]
    assert OMNIBUS_DATE in error["message"] and "Uncertain" in error["message"]
    assert snapshot(db) == before


def test_one_day_stages_are_refused_for_a_high_risk_plan_and_the_minimums_are_accepted(api, make, db):
    employer = make.user("employers")
    client = api(employer)
    before = snapshot(db)
    # The plan the check found: 1 day of information, 1 of consultation, rollout 3 days after opening.
    short = client.post("/rounds", json=round_payload(
        **EU_AI_ACT, stage_lengths={"information": "1d", "consultation": "1d"},
        plan=profile_plan("eu-ai-act", rollout_starts_on=later(3), rollout_completes_on=None)))
    error = assert_error_shape(short, 422)
    assert "Directive 2002/14/EC, Art. 4(3)-(4)" in error["message"] and APPLIES_FROM in error["message"]
    assert len(error["fields"]["stage_lengths"]) == 2
    hours = client.post("/rounds", json=round_payload(
        **EU_AI_ACT, stage_lengths={"information": "167h"},  # one hour short of 7 days
        plan=profile_plan("eu-ai-act", rollout_starts_on=later(60), rollout_completes_on=None)))
    assert "information" in assert_error_shape(hours, 422)["fields"]["stage_lengths"][0]
    assert snapshot(db) == before
    fine = client.post("/rounds", json=round_payload(
        **EU_AI_ACT, stage_lengths={"information": "7d", "consultation": "14d"},
        plan=profile_plan("eu-ai-act", rollout_starts_on=later(22), rollout_completes_on=None)))
    assert fine.status_code == 201, fine.get_json()
    duties = client.get(f"/rounds/{fine.get_json()['id']}/procedure").get_json()["duties"]
    assert duties["application"]["applies_from"] == "2026-08-02" and duties["application"]["is_uncertain"]
    assert duties["minimum_lengths"]["lengths"] == {"information": "7d", "consultation": "14d"}
    # The procedure page says the dates of application as the clock says its days (not "August 2, 2026").
    page = browser(make.app, employer).get(
        f"/rounds/{fine.get_json()['id']}/procedure").get_data(as_text=True)
    assert f"apply from {APPLIES_FROM}" in page and f"move this date to {OMNIBUS_DATE}" in page


def test_emotion_recognition_at_work_is_refused_naming_art_5_1_f_and_the_exception_is_not(api, make, db):
    client = api(make.user("employers"))
    before = snapshot(db)
    for workflow in ("eu-ai-act", "platform-work"):
        refused = client.post("/rounds", json=round_payload(
            workflow=workflow, establishment_country="DE", plan=profile_plan(
                workflow, emotion_recognition="at_work", rollout_starts_on=later(90), rollout_completes_on=None)))
        error = assert_error_shape(refused, 422)
        assert "Art. 5(1)(f)" in error["message"] and "plan.emotion_recognition" in error["fields"]
    assert snapshot(db) == before
    safety = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=profile_plan(
        "eu-ai-act", emotion_recognition="medical_or_safety", rollout_starts_on=later(90), rollout_completes_on=None)))
    assert safety.status_code == 201, safety.get_json()


def test_a_high_risk_plan_needs_the_deployers_checklist(api, make, db):
    client = api(make.user("employers"))
    bare = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=profile_plan(
        "eu-ai-act", deployer_checklist=None, rollout_starts_on=later(90), rollout_completes_on=None)))
    assert "plan.deployer_checklist" in assert_error_shape(bare, 422)["fields"]
    checklist = {"oversight_by": "Shift leads", "log_retention_months": 5, "dpia_reference": "DPIA-1",
                 "fria_applies": True}
    short = client.post("/rounds", json=round_payload(**EU_AI_ACT, plan=profile_plan(
        "eu-ai-act", deployer_checklist=checklist, rollout_starts_on=later(90), rollout_completes_on=None)))
    fields = assert_error_shape(short, 422)["fields"]  # Art. 26(6): six months; Art. 27: the FRIA's reference
    assert {"plan.deployer_checklist.log_retention_months", "plan.deployer_checklist.fria_reference"} <= set(fields)


def _list_and_inform(api, world, smtp, app) -> dict:
    round_id = world["round"].id
    employer = api(world["employer"])
    listed = employer.post(f"/rounds/{round_id}/affected-workers", json={"workers": WORKERS})
    assert listed.status_code == 201, listed.get_json()
    assert api(world["worker"]).post(f"/rounds/{round_id}/affected-workers/inform").status_code == 403
    informed = employer.post(f"/rounds/{round_id}/affected-workers/inform")
    assert informed.status_code == 200, informed.get_json()
    send_now(app)
    smtp.inbox.wait_for(2)
    return informed.get_json()


def test_every_affected_worker_is_informed_by_mail_or_letter_and_the_delivery_is_in_the_record(
        api, make, db, smtp, app):
    world = profile_world(make, "eu-ai-act", stage="information",
                          plan=profile_plan("eu-ai-act", rollout_starts_on=later(90), rollout_completes_on=None))
    round_id = world["round"].id
    shown = _list_and_inform(api, world, smtp, app)
    assert (shown["listed"], shown["informed"], shown["by_mail"], shown["by_letter"]) == (3, 3, 2, 1)
    for worker in WORKERS[:2]:
        [mail] = smtp.inbox.to(worker["email"])
        text = mail.get_content()
        assert worker["name"] in text and "RosterAI" in text and "Art. 26(7)" in text
    # The worker without an address gets a letter, not a mail (the other mail is the parties' notifications).
    informing = [m for m in smtp.inbox.messages if "Information about an AI system" in m["Subject"]]
    assert len(informing) == 2
    rows = {w["name"]: w for w in shown["workers"]}
    assert rows["李小龍"]["channel"] == "mail" and rows["Jean <b>Markup</b> Dupont"]["channel"] == "letter"
    assert all(w["informed_at"] for w in shown["workers"])
    letter = make.app.test_client()
    from tests.factories import log_in

    log_in(letter, world["employer"])
    page = letter.get(rows["Jean <b>Markup</b> Dupont"]["letter"])
    assert page.status_code == 200 and "Jean &lt;b&gt;Markup&lt;/b&gt; Dupont" in page.get_data(as_text=True)
    assert "affected_workers.informed" in event_types(db, round_id)
    with db.transaction(write=False) as session:
        payload = session.scalar(select(Event.payload).where(Event.round_id == round_id,
                                                              Event.type == "affected_workers.informed"))
    assert (payload["mailed"], payload["letters"]) == (2, 1) and "Art. 26(7)" in payload["basis"]
    # The secretariat sees each person; the workers' side and the government see counts only.
    assert len(api(world["secretariat"]).get(f"/rounds/{round_id}/affected-workers").get_json()["workers"]) == 3
    for party in ("worker", "government"):
        seen = api(world[party]).get(f"/rounds/{round_id}/affected-workers").get_json()
        assert seen["workers"] is None and seen["informed"] == 3
    again = api(world["employer"]).post(f"/rounds/{round_id}/affected-workers/inform")
    assert_error_shape(again, 409)
    send_now(app)
    assert sum(len(smtp.inbox.to(w["email"])) for w in WORKERS[:2]) == 2  # each worker once


def test_platform_workers_are_informed_individually_of_the_art_9_items(api, make, db, smtp, app):
    world = profile_world(make, "platform-work", stage="information",
                          plan=profile_plan("platform-work", rollout_starts_on=later(90), rollout_completes_on=None))
    shown = _list_and_inform(api, world, smtp, app)
    assert (shown["by_mail"], shown["by_letter"]) == (2, 1)
    text = smtp.inbox.to("zoe+ai@example.org")[0].get_content()
    assert "Art. 9(1)" in text and "GPS position during tasks" in text and "three no-shows" in text
    procedure = api(world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_json()
    assert procedure["duties"]["transposition"]["due"] == "2026-12-02"
    assert procedure["expert_costs"]["counted_on"] == "platform_workers_in_member_state"


def test_a_workflow_without_individual_information_lists_no_one(api, make, db):
    world = profile_world(make, "fr-cse", stage="draft")
    listed = api(world["employer"]).post(f"/rounds/{world['round'].id}/affected-workers", json={"workers": WORKERS})
    assert_error_shape(listed, 409)
    bad = api(world["employer"]).post(f"/rounds/{world['round'].id}/affected-workers",
                                      json={"workers": [{"name": "A\nB", "email": "not-an-address"}]})
    assert set(assert_error_shape(bad, 422)["fields"]) == {"workers"}
