"""The secretariat sees failed mail (who, what, why) in the API and on a page, and sends it again; nobody else
does. Addresses: an ASCII address, an internationalised domain in its xn-- form (IDNA, RFC 5890) included,
arrives at aiosmtpd; a non-ASCII address written before input refused it fails with a clear reason."""

from __future__ import annotations

import re

from sqlalchemy import insert, select

from consult.notifications.mailer import send_now
from consult.notifications.models import OutboxMessage
from consult.notifications.outbox import enqueue, outbox_values
from tests.factories import log_in


def test_failed_mail_is_listed_with_its_reason_and_sent_again_by_the_secretariat_only(app, db, make, api, smtp):
    secretariat, worker = make.user("secretariat"), make.user("workers")
    smtp.inbox.refuse.add("moved@example.org")
    with db.transaction() as session:
        enqueue(session, to_address="moved@example.org", to_name="Moved Away", kind="test.refused",
                subject="Your invitation", text="Body")
    send_now(app)
    listed = api(secretariat).get("/mail/failed")
    assert listed.status_code == 200
    [failed] = listed.get_json()
    assert failed["to_address"] == "moved@example.org" and failed["subject"] == "Your invitation"
    assert failed["reason"].startswith("refused: 550") and failed["attempts"] == 1
    assert api(worker).get("/mail/failed").status_code == 403
    assert api(worker).post(f"/mail/failed/{failed['id']}/retry").status_code == 403
    # The address works again (the mailbox was restored): the secretariat retries, on the page this time.
    smtp.inbox.refuse.clear()
    browser = app.test_client()
    log_in(browser, secretariat)
    page = browser.get("/mail/failed").get_data(as_text=True)
    assert "moved@example.org" in page and "refused: 550" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post(f"/mail/failed/{failed['id']}/retry", data={"csrf_token": token}).status_code == 303
    send_now(app)
    [mail] = smtp.inbox.to("moved@example.org")
    assert mail["Subject"] == "Your invitation"
    with db.transaction(write=False) as session:
        row = session.get(OutboxMessage, failed["id"])
        assert row.status == "sent" and row.retried_by_id == secretariat.id and row.retried_at is not None
    assert api(secretariat).post(f"/mail/failed/{failed['id']}/retry").status_code == 409  # sent: nothing to retry
    assert api(secretariat).get("/mail/failed").get_json() == []


def test_an_ascii_address_with_an_idna_domain_arrives_and_a_non_ascii_one_fails_alone(app, db, smtp):
    # "bücher.example" in IDNA (RFC 5891 s. 4.4, Punycode RFC 3492): xn--bcher-kva.example, worked by hand.
    with db.transaction() as session:
        enqueue(session, to_address="anna@xn--bcher-kva.example", kind="test.idna", subject="Hallo", text="Body")
        session.execute(insert(OutboxMessage.__table__), [{**outbox_values(
            session_domain="consult.test", kind="test.utf8", subject="Hallo", text="Body",
            to_address="someone@example.org"), "to_address": "j\u00f6rg@example.org"}])
    send_now(app)
    assert [rcpts for _from, rcpts in smtp.inbox.envelopes] == [["anna@xn--bcher-kva.example"]]
    with db.transaction(write=False) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "test.utf8"))
    assert row.status == "failed" and "not ASCII" in row.last_error
