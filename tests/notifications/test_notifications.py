"""Each kind of notification reaches exactly the people it concerns, in their language, with a link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import User
from consult.db import utcnow
from consult.notifications.digest import send_digests
from consult.notifications.mailer import send_now
from consult.notifications.models import Notification
from consult.notifications.services import set_preferences
from tests.factories import log_in, tripartite


def _prefer(db, user, **choices):
    with db.transaction() as session:
        set_preferences(session, session.get(User, user.id), {k.replace("_", "."): v for k, v in choices.items()})


def _subjects(smtp, user) -> list[str]:
    return [m["Subject"] for m in smtp.inbox.to(user.email)]


def test_invitations_and_stages_reach_every_participant_in_their_language(app, make, smtp):
    worker = make.user("workers", name="Wanda Worker", language="fr")
    employer = make.user("employers", name="Erin Employer", language="es")
    outsider = make.user("workers", name="Otto Outsider")
    make.round(employer, invite=(worker.organisation,), stage="information")
    send_now(app)
    french = _subjects(smtp, worker)
    assert any("est invitée" in s for s in french), french
    assert any("a commencé" in s for s in french), french  # the information stage
    [mail] = [m for m in smtp.inbox.to(worker.email) if "a commencé" in m["Subject"]]
    body = mail.get_body(("plain",)).get_content()
    assert "http://consult.test/rounds/" in body and "Ouvert pour vous" in body
    assert mail["List-Unsubscribe"].startswith("<http://consult.test/notifications/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert any("ha comenzado" in s for s in _subjects(smtp, employer))
    assert smtp.inbox.to(outsider.email) == []  # not invited: nothing


def test_a_reply_waits_for_the_daily_digest_which_gathers_the_day_by_round_and_section(app, make, db, smtp):
    world = tripartite(make)
    worker, employer, government = world["worker"], world["employer"], world["government"]
    mine = make.comment(worker, world["round"], "Who sees the pick rates?", section="privacy")
    make.comment(employer, world["round"], "Shift leads only.", section="privacy", parent_id=mine.public_id)
    make.comment(government, world["round"], "And the inspectorate.", section="privacy", parent_id=mine.public_id)
    other = make.comment(worker, world["round"], "Training budget?", section="skills_training")
    make.comment(employer, world["round"], "Two days.", section="skills_training", parent_id=other.public_id)
    send_now(app)
    assert not any("replied" in s for s in _subjects(smtp, worker))  # replies default to the daily digest
    assert send_digests(app, "daily", utcnow() + timedelta(days=1)) == 1
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    send_now(app)
    [digest] = smtp.inbox.to(worker.email)
    text = digest.get_body(("plain",)).get_content()
    assert "3 updates" in digest["Subject"]
    assert text.count("replied to your comment") == 3 and "Erin Employer" in text and "Gil Government" in text
    assert text.index("Privacy") < text.index("And the inspectorate") or "Privacy" in text
    assert f"http://consult.test/rounds/{world['round'].id}#comment-" in text
    assert send_digests(app, "daily", utcnow() + timedelta(days=1)) == 0  # nothing twice
    assert smtp.inbox.to(employer.email) == [] or all("replied" not in m["Subject"]
                                                      for m in smtp.inbox.to(employer.email))


def test_a_question_goes_to_the_employer_and_its_answer_to_who_asked(app, make, db, smtp):
    world = tripartite(make, stage="information")
    worker, employer = world["worker"], world["employer"]
    question = make.comment(worker, world["round"], "How long are scans kept?", section="privacy")
    make.comment(employer, world["round"], "Ninety days.", section="privacy", parent_id=question.public_id)
    send_now(app)
    assert any("asked the employer a question" in s for s in _subjects(smtp, employer))
    assert any("answered your question" in s for s in _subjects(smtp, worker))
    assert not any("asked the employer" in s for s in _subjects(smtp, world["government"]))


def test_moderation_reaches_the_author_only(app, make, api, smtp):
    world = tripartite(make)
    comment = make.comment(world["employer"], world["round"], "The union leader is a liar.")
    reply = api(world["secretariat"]).post(f"/rounds/{world['round'].id}/comments/{comment.public_id}/hide",
                                           json={"reason": "A personal attack."})
    assert reply.status_code == 200
    send_now(app)
    [hidden] = [m for m in smtp.inbox.to(world["employer"].email) if "hid your comment" in m["Subject"]]
    assert "A personal attack." in hidden.get_body(("plain",)).get_content()
    for other in ("worker", "government", "secretariat"):
        assert not any("hid your comment" in s for s in _subjects(smtp, world[other]))


def test_a_refused_change_notifies_nobody(app, make, api, db, smtp):
    world = tripartite(make)
    with db.transaction(write=False) as session:
        before = len(list(session.scalars(select(Notification.id))))
    refused = api(world["worker"]).post(f"/rounds/{world['round'].id}/comments",
                                        json={"section": "privacy", "body": "", "channel": "plenary"})
    assert refused.status_code == 422
    with db.transaction(write=False) as session:
        assert len(list(session.scalars(select(Notification.id)))) == before


def test_one_click_unsubscribe_needs_no_log_in_and_only_stops_its_own_person_and_kind(app, make, db, client, smtp):
    world = tripartite(make)
    send_now(app)
    worker, employer = world["worker"], world["employer"]
    [mail] = [m for m in smtp.inbox.to(worker.email) if "stage has begun" in m["Subject"]][:1]
    link = mail["List-Unsubscribe"].strip("<>").replace("http://consult.test", "")
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert client.post(link, data={"List-Unsubscribe": "Something-else"}).status_code == 422
    from consult.notifications.services import delivery_of

    with db.transaction(write=False) as session:
        assert delivery_of(session, worker.id)["stage.entered"] == "off"
        assert delivery_of(session, worker.id)["round.invitation"] == "immediate"
        assert delivery_of(session, employer.id)["stage.entered"] == "immediate"
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    make.move_to(world["secretariat"], world["round"], "caucus")
    send_now(app)
    assert not any("stage has begun" in s for s in _subjects(smtp, worker))
    assert any("stage has begun" in s for s in _subjects(smtp, employer))


def test_the_header_counts_unread_notifications_until_the_page_is_seen(app, make, client):
    world = tripartite(make)
    log_in(client, world["worker"])
    page = client.get("/").get_data(as_text=True)
    assert "new)</span>" in page
    seen = client.get("/notifications").get_data(as_text=True)
    assert "stage has begun" in seen and "New since you last looked" in seen
    assert "new)</span>" not in client.get("/").get_data(as_text=True)


def test_preferences_form_refuses_an_unknown_delivery_and_changes_nothing(app, make, db, client):
    world = tripartite(make)
    log_in(client, world["worker"])
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/notifications").get_data(as_text=True))[1]
    form = {"csrf_token": token, **{k: "immediate" for k in __import__("consult.notifications.kinds",
                                                                        fromlist=["DEFAULTS"]).DEFAULTS}}
    refused = client.post("/notifications/preferences", data={**form, "comment.reply": "hourly"})
    assert refused.status_code == 422
    from consult.notifications.services import delivery_of

    with db.transaction(write=False) as session:
        assert delivery_of(session, world["worker"].id)["comment.reply"] == "daily"
    assert client.post("/notifications/preferences", data=form).status_code == 303
    with db.transaction(write=False) as session:
        assert delivery_of(session, world["worker"].id)["comment.reply"] == "immediate"


def test_signatories_hear_their_signature_is_awaited_and_everyone_that_the_outcome_is_signed(app, make, db, smtp):
    from consult.outcomes.services import freeze_outcome, sign_outcome
    from tests.factories import PASSWORD
    from tests.outcomes.helpers import outcome_world

    world = outcome_world(make)
    observer_free = make.user(world["worker"].organisation, name="Not A Signatory")
    make.move_to(world["employer"], world["round"], "sign_off")
    with db.transaction() as session:
        outcome = freeze_outcome(session, session.get(User, world["secretariat"].id), world["round"].id)
        digest = outcome.digest
    send_now(app)
    for party in ("worker", "employer", "government"):
        assert any("signature is awaited" in s for s in _subjects(smtp, world[party])), party
    assert not any("signature is awaited" in s for s in _subjects(smtp, observer_free))
    for party in ("worker", "employer", "government"):
        with db.transaction() as session:
            sign_outcome(session, session.get(User, world[party].id), world["round"].id, digest, PASSWORD, None)
    send_now(app)
    for who in ("worker", "employer", "government", "secretariat"):
        assert any("the outcome is signed" in s for s in _subjects(smtp, world[who])), who
    assert any("the outcome is signed" in s for s in _subjects(smtp, observer_free))
