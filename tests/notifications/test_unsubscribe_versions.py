"""Unsubscribe links name the version of the preference they were sent for: after the person changed it (turned
the kind back on), an old link answers "this link has been replaced" and changes nothing (RFC 8058 asks only
that a one-click POST unsubscribe; nothing in it makes an old link a standing order)."""

from __future__ import annotations

from consult.accounts.models import User
from consult.notifications.mailer import send_now
from consult.notifications.services import delivery_of, set_preferences
from tests.factories import tripartite


def _link(mail) -> str:
    return mail["List-Unsubscribe"].strip("<>").replace("http://consult.test", "")


def _stage_mails(smtp, person) -> list:
    return [m for m in smtp.inbox.to(person.email) if "stage has begun" in m["Subject"]]


def test_an_old_link_is_replaced_once_the_person_turned_the_kind_back_on(app, make, db, client, smtp):
    world = tripartite(make)
    send_now(app)
    worker = world["worker"]
    old = _link(_stage_mails(smtp, worker)[0])
    assert client.post(old, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with db.transaction() as session:
        assert delivery_of(session, worker.id)["stage.entered"] == "off"
        set_preferences(session, session.get(User, worker.id), {"stage.entered": "immediate"})  # back on
    replayed = client.post(old, data={"List-Unsubscribe": "One-Click"})
    assert replayed.status_code == 410 and "This link has been replaced" in replayed.get_data(as_text=True)
    assert client.get(old).status_code == 410
    with db.transaction(write=False) as session:
        assert delivery_of(session, worker.id)["stage.entered"] == "immediate"  # nothing changed
    # The mail sent since carries a link for the present version, which works.
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    make.move_to(world["secretariat"], world["round"], "caucus")
    send_now(app)
    new = _link(_stage_mails(smtp, worker)[0])
    assert new != old and client.get(new).status_code == 200
    assert client.post(new, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with db.transaction(write=False) as session:
        assert delivery_of(session, worker.id)["stage.entered"] == "off"


def test_a_link_is_not_replaced_by_a_change_to_another_kind(app, make, db, client, smtp):
    world = tripartite(make)
    send_now(app)
    worker = world["worker"]
    link = _link(_stage_mails(smtp, worker)[0])
    with db.transaction() as session:
        set_preferences(session, session.get(User, worker.id),
                        {"comment.reply": "weekly", "stage.entered": "immediate"})
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with db.transaction(write=False) as session:
        assert delivery_of(session, worker.id)["stage.entered"] == "off"
