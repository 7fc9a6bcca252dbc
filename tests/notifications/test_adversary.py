"""The adversary: everything an employer, a government or an observer gets by mail and on the notifications
page, under a pseudonymous policy with caucuses, and what they must not learn from it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import User
from consult.db import utcnow
from consult.notifications.digest import send_digests
from consult.notifications.kinds import DEFAULTS
from consult.notifications.mailer import send_now
from consult.notifications.models import Notification
from consult.notifications.services import set_preferences
from tests.factories import log_in

SECRET_CAUCUS = "Caucus: our red line is the pick-rate screen"
CAUCUS_REPLY = "Caucus reply: agreed, strike ballot ready"


def _everything_immediate(db, *people):
    with db.transaction() as session:
        for person in people:
            set_preferences(session, session.get(User, person.id), {kind: "immediate" for kind in DEFAULTS})


def _mail_text(message) -> str:
    parts = [str(message["Subject"]), str(message["To"]), str(message["From"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_caucus_replies_and_pseudonymous_authors_never_leak_into_anyone_elses_mail_or_feed(app, make, db, client, smtp):
    union = make.organisation("workers", name="Union of Pickers")
    wanda, walt = make.user(union, name="Wanda Worker"), make.user(union, name="Walt Steward")
    third = make.user(union, name="Wes Third")
    employer = make.user("employers", name="Erin Employer")
    government = make.user("government", name="Gil Government")
    observer = make.user("observers", name="Olga Observer")
    secretariat = make.user("secretariat", name="Sasha Secretariat")
    round = make.round(employer, invite=(union, government.organisation, observer.organisation,
                                         secretariat.organisation), identity_policy="pseudonymous",
                       stage="information")
    _everything_immediate(db, wanda, walt, third, employer, government, observer, secretariat)
    # A worker's question to the employer, the employer's answer, and a reply from a worker to the employer.
    question = make.comment(wanda, round, "Who sees my scans?", section="privacy")
    make.comment(employer, round, "Shift leads.", section="privacy", parent_id=question.public_id)
    make.move_to(employer, round, "consultation")
    employer_comment = make.comment(employer, round, "We will train shift leads.", section="skills_training")
    make.comment(walt, round, "Training must be paid time.", section="skills_training",
                 parent_id=employer_comment.public_id)
    # The workers' caucus: a comment and a reply between two workers.
    make.move_to(employer, round, "caucus")
    caucus = make.comment(wanda, round, SECRET_CAUCUS, channel="caucus")
    make.comment(walt, round, CAUCUS_REPLY, channel="caucus", parent_id=caucus.public_id)
    send_now(app)
    send_digests(app, "daily", utcnow() + timedelta(days=1))
    send_digests(app, "weekly", utcnow() + timedelta(days=8))
    send_now(app)

    # The caucus reply reached Wanda, and only her.
    assert any(CAUCUS_REPLY[:20] in _mail_text(m) for m in smtp.inbox.to(wanda.email))
    names = ("Wanda", "Walt", "Wes", "Union of Pickers")
    for outsider in (employer, government, observer, secretariat):
        mails = smtp.inbox.to(outsider.email)
        assert mails, outsider.display_name  # they did get mail: invitations, stages, the question...
        texts = [_mail_text(m) for m in mails]
        with db.transaction(write=False) as session:
            feed = [str(n.data) + n.link for n in session.scalars(
                select(Notification).where(Notification.user_id == outsider.id))]
        browser = app.test_client()
        log_in(browser, outsider)
        page = browser.get("/notifications").get_data(as_text=True)
        for text in [*texts, *feed, page]:
            assert "red line" not in text and "strike ballot" not in text, outsider.display_name
            if outsider is not secretariat:  # the secretariat sees names (it names signatories)
                for name in names:
                    assert name not in text, (outsider.display_name, name)
    employer_texts = "\n".join(_mail_text(m) for m in smtp.inbox.to(employer.email))
    assert "Worker representative" in employer_texts  # the question and the reply come under the pseudonym
    assert "asked the employer a question" in employer_texts and "replied to your comment" in employer_texts
