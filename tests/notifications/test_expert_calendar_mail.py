"""The expert's calendar under fr-cse, told by mail (aiosmtpd) as the scheduler's clock moves: a reminder two days
(48 hours) before each date to whoever must act, a flag when a date passes with nothing recorded to every party
concerned, each exactly once, even when the clock catches up past several moments at once.

The dates, counted by hand from the articles (Code du travail; CPC art. 641: the day of the act does not count, a
period ends at 24:00 of its last day, here in Paris time):
- R2315-45: the expert asks the employer for information within 3 days of the appointment, and the employer
  answers within 5 days of the request;
- R2315-46: the expert notifies the cost, scope and length within 10 days of the appointment.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consult.notifications.mailer import send_now
from consult.scheduler.jobs import process_due
from tests.i18n.helpers import speak
from tests.opinions.helpers import appoint_expert, at, profile_world, start_with_package

PARIS = ZoneInfo("Europe/Paris")
BASE = "http://consult.test"
#: The subjects of the two mails, in English and in French.
COMING, PASSED = ("is coming", "approche"), ("passed with nothing recorded", "sans que rien")
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def _end_of(day: date) -> datetime:
    """24:00 of a day in Paris: the next day's midnight."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)


def _said(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B} {day.year}, end of the day, Paris time"


def _said_fr(day: date) -> str:
    return (f"{FR_DAYS[day.weekday()]} {day.day} {FR_MONTHS[day.month - 1]} {day.year}, à la fin de la journée "
            "(24 h), heure de Paris")


def _text(mail) -> str:
    return " ".join(mail.get_body(("plain",)).get_content().split())


def _mails(smtp, subject: tuple[str, str]) -> dict[str, list]:
    """The expert calendar's mails whose subject says `subject` (in English or French), by addressee."""
    found: dict[str, list] = {}
    for mail in smtp.inbox.messages:
        if "expert" in mail["Subject"] and any(words in mail["Subject"] for words in subject):
            found.setdefault(mail["To"].addresses[0].addr_spec, []).append(mail)
    return found


def _calendar(api, world) -> dict[str, dict]:
    [expert] = api(world["worker"]).get(f"/rounds/{world['round'].id}/procedure").get_json()["experts"]
    return {row["step"]: row for row in expert["calendar"]}


def _tick(app, db, moment: datetime) -> None:
    process_due(db, moment)
    process_due(db, moment)  # a second scheduler pass tells nobody again
    send_now(app)


def test_expert_dates_are_reminded_to_who_must_act_and_flagged_when_missed_once_each(app, api, make, db, smtp):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    start_with_package(api, world)
    appointed = appoint_expert(api, world)
    expert, worker, member = world["expert"], world["worker"], world["second_worker"]  # member in charge: Wim
    employer, secretariat, government = world["employer"], world["secretariat"], world["government"]
    speak(db, employer, "fr")
    send_now(app)
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    day = at(appointed["appointed_at"]).astimezone(PARIS).date()
    asked_by = day + timedelta(days=3)  # R2315-45: three days, the day of the appointment not counted
    notified_by = day + timedelta(days=10)  # R2315-46: ten days

    _tick(app, db, _end_of(asked_by) - timedelta(hours=48, seconds=1))
    assert not _mails(smtp, COMING) and not _mails(smtp, PASSED)
    _tick(app, db, _end_of(asked_by) - timedelta(hours=48) + timedelta(seconds=1))
    coming = _mails(smtp, COMING)
    # The expert's step: the expert and the appointing side (its signatory, its member in charge); no one else.
    assert {address: len(mails) for address, mails in coming.items()} == {
        expert.email: 1, worker.email: 1, member.email: 1}
    text = _text(coming[worker.email][0])
    assert "The expert asks the employer for the information needed" in text and _said(asked_by) in text
    assert "R2315-45" in text and f"{BASE}/rounds/{round_id}/procedure" in text
    assert f"{BASE}/rounds/{round_id}/expert" in _text(coming[expert.email][0])  # the expert's own page

    requested = api(worker).post(f"/rounds/{round_id}/experts/{appointed['id']}/steps",
                                 json={"step": "information_requested", "note": "The DPIA's annexes."})
    assert requested.status_code == 201, requested.get_json()
    asked_on = at(_calendar(api, world)["information_requested"]["recorded_at"]).astimezone(PARIS).date()
    answered_by = asked_on + timedelta(days=5)  # R2315-45: the employer's five days run from the request
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    _tick(app, db, _end_of(answered_by) - timedelta(hours=48) + timedelta(seconds=1))
    coming = _mails(smtp, COMING)
    assert list(coming) == [employer.email] and len(coming[employer.email]) == 1  # the employer's step
    assert _said_fr(answered_by) in _text(coming[employer.email][0])  # in the employer's language

    # The clock catches up a day past the cost's date: the answer and the cost are both missed; the cost's
    # reminder, overtaken by its date, is never sent.
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    _tick(app, db, _end_of(notified_by) + timedelta(days=1))
    assert not _mails(smtp, COMING)
    passed = _mails(smtp, PASSED)
    assert {address: len(mails) for address, mails in passed.items()} == {
        expert.email: 2, worker.email: 2, member.email: 2, employer.email: 2, secretariat.email: 2}
    assert government.email not in passed  # not concerned
    for mail in passed[employer.email]:  # a pseudonymous round: the member in charge is never named to others
        assert "Wim Worker" not in _text(mail) and "Wanda Worker" not in _text(mail)
    texts = " ".join(_text(mail) for mail in passed[secretariat.email])
    assert _said(notified_by) in texts and "R2315-46" in texts and _said(answered_by) in texts
    _tick(app, db, _end_of(notified_by) + timedelta(days=2))
    assert len(smtp.inbox.messages) == 10  # nothing told twice


def test_an_ended_appointment_and_the_other_parties_hear_nothing(app, api, make, db, smtp):
    world = profile_world(make, "fr-cse")
    round_id = world["round"].id
    start_with_package(api, world)
    appointed = appoint_expert(api, world)
    ended = api(world["worker"]).post(f"/rounds/{round_id}/experts/{appointed['id']}/end",
                                      json={"reason": "The CSE chose another firm."})
    assert ended.status_code == 200, ended.get_json()
    send_now(app)
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    day = at(appointed["appointed_at"]).astimezone(PARIS).date()
    _tick(app, db, _end_of(day + timedelta(days=10)) + timedelta(days=1))  # R2315-45 and -46 dates all passed
    assert not _mails(smtp, COMING) and not _mails(smtp, PASSED)
