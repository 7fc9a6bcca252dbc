"""Each kind the clock or a job makes reaches exactly its people, once, in their language, with the exact link.

The events happen as in life: the scheduler's tick at a clock the test moves (stages, reminders, commitments),
an export asked for and rendered. What is asserted is the mail the SMTP server accepted.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from consult.db import utcnow
from consult.notifications.mailer import send_now
from consult.scheduler.jobs import process_due
from consult.timeline.models import PlannedStage
from consult.web.dates import local_date, local_datetime
from tests.outcomes.helpers import outcome_world
from tests.outcomes.test_exports import wait_ready
from tests.registry.test_registry import conclude

BASE = "http://consult.test"


def _people(make):
    """A round in information with a worker (FR), an employer (ES), government (EN), a secretariat (FR), an
    observer (ES), and someone of an organisation not invited."""
    people = {"worker": make.user("workers", name="Wanda Worker", language="fr"),
              "employer": make.user("employers", name="Erin Employer", language="es"),
              "government": make.user("government", name="Gil Government", language="en"),
              "secretariat": make.user("secretariat", name="Sasha Secretariat", language="fr"),
              "observer": make.user("observers", name="Olu Observer", language="es"),
              "outsider": make.user("workers", name="Otto Outsider", language="en")}
    invited = [people[key].organisation for key in ("worker", "government", "secretariat", "observer")]
    people["round"] = make.round(people["employer"], invite=tuple(invited), stage="information")
    return people


def _deadline(db, round_id: int, stage: str):
    with db.transaction(write=False) as session:
        return session.scalar(select(PlannedStage.deadline_at).where(PlannedStage.round_id == round_id,
                                                                     PlannedStage.key == stage))


def _when(app, moment, language: str, zone: str) -> str:
    """A moment as a reader of that language sees it in the round's time zone (spaces made plain)."""
    with app.test_request_context(), force_locale(language):
        return " ".join(local_datetime(moment, zone).split())


def _day(app, day, language: str) -> str:
    with app.test_request_context(), force_locale(language):
        return local_date(day)


def _fresh(smtp) -> None:
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _only(smtp, person, words: str):
    """The one mail to this person whose subject holds `words` (fails if none or several)."""
    found = [m for m in smtp.inbox.to(person.email) if words in m["Subject"]]
    assert len(found) == 1, (person.email, [m["Subject"] for m in smtp.inbox.to(person.email)])
    return found[0]


def _addressees(smtp) -> set[str]:
    return {address for _sender, rcpts in smtp.inbox.envelopes for address in rcpts}


def test_a_new_stage_tells_each_participant_what_is_now_open_to_them_and_until_when(app, make, db, smtp):
    world = _people(make)
    round = world["round"]
    send_now(app)
    _fresh(smtp)
    make.move_to(world["employer"], round, "consultation")
    send_now(app)
    until = _deadline(db, round.id, "consultation")
    expected = {  # person: (subject words, what is open to them, "until" words), in their language
        "worker": ("a commencé", "Ouvert pour vous : le caucus de votre groupe, commentaires en plénière.", "fr"),
        "employer": ("ha comenzado", "Abierto para usted: el caucus de su grupo, comentarios en plenario.", "es"),
        "government": ("has begun", "Open to you: your constituency's caucus, plenary comments.", "en"),
        "secretariat": ("a commencé", "Ouvert pour vous : commentaires en plénière.", "fr"),
        "observer": ("ha comenzado", "Abierto para usted: comentarios en plenario.", "es"),
    }
    for key, (subject, opened, language) in expected.items():
        mail = _only(smtp, world[key], subject)
        text = " ".join(_text(mail).split())
        assert opened in text, (key, text)
        assert _when(app, until, language, round.time_zone) in text, (key, text)
        assert f"{BASE}/rounds/{round.id}" in _text(mail).split()  # the round's own page
        assert mail["Content-Language"] == language
    assert _addressees(smtp) == {world[key].email for key in expected}  # the outsider hears nothing
    assert send_now(app).sent == 0


def test_a_deadline_reminder_reaches_those_for_whom_the_stage_is_open_once_per_reminder(app, make, db, smtp):
    world = _people(make)
    round = world["round"]
    make.move_to(world["employer"], round, "caucus")  # open to the three parties' caucuses only
    send_now(app)
    _fresh(smtp)
    deadline = _deadline(db, round.id, "caucus")
    process_due(db, deadline - timedelta(hours=47))  # the scheduler's tick, 47 hours before the deadline
    send_now(app)
    expected = {"worker": ("se termine bientôt", "Encore ouvert pour vous jusqu'au", "fr"),
                "employer": ("termina pronto", "Aún abierto para usted hasta el", "es"),
                "government": ("ends soon", "Still open to you until", "en")}
    opened = {"fr": "le caucus de votre groupe.", "es": "el caucus de su grupo.", "en": "your constituency's caucus."}
    for key, (subject, still, language) in expected.items():
        mail = _only(smtp, world[key], subject)
        text = " ".join(_text(mail).split())
        assert f"{still} {_when(app, deadline, language, round.time_zone)}" in text, (key, text)
        assert opened[language] in text, (key, text)
        assert f"{BASE}/rounds/{round.id}/timeline" in text
    # Nothing is open to the secretariat or the observer in the caucus stage: no reminder for them.
    assert _addressees(smtp) == {world[key].email for key in expected}
    _fresh(smtp)
    process_due(db, deadline - timedelta(hours=46))  # a second tick: the 48-hour reminder is not sent again
    process_due(db, deadline - timedelta(hours=46))
    assert send_now(app).sent == 0 and smtp.inbox.messages == []
    process_due(db, deadline - timedelta(hours=1))  # the 2-hour reminder: once more, once
    process_due(db, deadline - timedelta(minutes=59))
    send_now(app)
    assert sorted(_addressees(smtp)) == sorted(world[key].email for key in expected)
    assert len(smtp.inbox.messages) == 3


def test_a_held_deadline_that_passed_is_told_to_the_secretariat_only(app, make, db, smtp):
    world = _people(make)
    round = world["round"]
    make.move_to(world["employer"], round, "sign_off")  # sign-off holds at its deadline
    send_now(app)
    _fresh(smtp)
    deadline = _deadline(db, round.id, "sign_off")
    process_due(db, deadline + timedelta(minutes=1))
    process_due(db, deadline + timedelta(minutes=2))
    send_now(app)
    mail = _only(smtp, world["secretariat"], "est passée")
    assert f"{BASE}/rounds/{round.id}/timeline" in _text(mail)
    assert _addressees(smtp) == {world["secretariat"].email}  # the late reminders are never sent after it


def test_commitment_reminders_and_the_overdue_flag_reach_the_owner_and_the_secretariat_once(
        app, api, make, db, smtp):
    world = outcome_world(make)
    round_id = world["round"].id
    colleague = make.user(world["employer"].organisation, name="Esteban Employer", language="es")
    clerk = make.user(world["secretariat"].organisation, name="Claire Clerk", language="fr")
    unionist = make.user(world["worker"].organisation, name="Uma Union", language="fr")
    due_on = utcnow().date() + timedelta(days=20)
    added = api(world["secretariat"]).post(f"/rounds/{round_id}/commitments", json={
        "description": "Train every shift lead", "owner_organisation_id": world["employer"].organisation_id,
        "kpi": "Shift leads trained", "target": "40", "due_on": due_on.isoformat()})
    assert added.status_code == 201
    commitment_id = added.get_json()["id"]
    conclude(api, world)
    send_now(app)
    _fresh(smtp)
    owners = {"employer": (world["employer"], "a commitment's review is due", "due on", "en"),
              "colleague": (colleague, "toca revisar un compromiso", "vence el", "es"),
              "secretariat": (world["secretariat"], "a commitment's review is due", "due on", "en"),
              "clerk": (clerk, "le suivi d'un engagement est dû", "échéance le", "fr")}

    process_due(db, utcnow() + timedelta(days=14))  # two weeks on: the review 7 days before the due date
    process_due(db, utcnow() + timedelta(days=14))  # a second tick reminds nobody again
    send_now(app)
    for key, (person, subject, due_words, language) in owners.items():
        mail = _only(smtp, person, subject)
        text = " ".join(_text(mail).split())
        assert f"Shift leads trained, {due_words} {_day(app, due_on, language)}." in text, (key, text)
        assert f"{BASE}/rounds/{round_id}/commitments/{commitment_id}" in text
    assert _addressees(smtp) == {person.email for person, *_ in owners.values()}  # not the other parties
    assert not smtp.inbox.to(unionist.email) and not smtp.inbox.to(world["government"].email)

    _fresh(smtp)
    process_due(db, utcnow() + timedelta(days=22))  # past the due date and not met: overdue
    process_due(db, utcnow() + timedelta(days=23))
    send_now(app)
    overdue = {"employer": "a commitment is overdue", "colleague": "un compromiso está vencido",
               "secretariat": "a commitment is overdue", "clerk": "un engagement est en retard"}
    for key, subject in overdue.items():
        mail = _only(smtp, owners[key][0], subject)
        assert f"{BASE}/rounds/{round_id}/commitments/{commitment_id}" in _text(mail)
    assert len(smtp.inbox.messages) == 4


def test_an_export_ready_reaches_only_those_who_asked_for_it_with_its_download_link(app, api, make, db, smtp):
    world = outcome_world(make)
    round_id = world["round"].id
    asker = make.user(world["worker"].organisation, name="Amélie Asker", language="fr")
    second = make.user(world["government"].organisation, name="Sergio Second", language="es")
    conclude(api, world)
    send_now(app)
    _fresh(smtp)
    asked = api(asker).post(f"/rounds/{round_id}/exports", json={"kind": "pdf"})
    assert asked.status_code == 202
    job_id = asked.get_json()["id"]
    again = api(second).post(f"/rounds/{round_id}/exports", json={"kind": "pdf"})  # while it renders
    assert again.get_json()["id"] == job_id and again.get_json()["status"] in ("queued", "running")
    assert wait_ready(api(asker), round_id, job_id)["status"] == "ready"
    deadline = utcnow() + timedelta(seconds=10)
    while len(smtp.inbox.messages) < 2 and utcnow() < deadline:
        send_now(app)
    link = f"{BASE}/rounds/{round_id}/exports/{job_id}/file"
    french = _only(smtp, asker, "votre export est prêt")
    assert "Prêt à télécharger : PDF signé." in _text(french).replace("\xa0", " ") and link in _text(french)
    spanish = _only(smtp, second, "su exportación está lista")
    assert "Listo para descargar: PDF firmado." in _text(spanish) and link in _text(spanish)
    assert _addressees(smtp) == {asker.email, second.email}  # the other participants asked for nothing
    assert send_now(app).sent == 0
    api(asker).post(f"/rounds/{round_id}/exports", json={"kind": "pdf"})  # ready already: the answer has it
    assert send_now(app).sent == 0
