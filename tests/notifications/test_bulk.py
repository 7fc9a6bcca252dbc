"""Notifications in bulk: a batch of events derives and renders exactly what the events make one by one, and a
round the clock catches up through several stages mails its people once, about the stage it is in now."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from consult.accounts.models import User
from consult.db import utcnow
from consult.events.dispatcher import CommittedEvent
from consult.events.models import Event
from consult.notifications.deliver import Mails, immediate_mail
from consult.notifications.derive import Deriver
from consult.notifications.mailer import send_now
from consult.notifications.models import Notification, OutboxMessage
from consult.notifications.render import absolute
from consult.rounds.models import Participant, Round
from consult.scheduler.jobs import process_due
from consult.timeline.services import start_round
from tests.factories import tripartite

#: Names of every class a template treats specially: markup, quotes, ampersands, a percent sign, scripts.
NAMES = ["Zoë <b>&amp;</b> \"Ö\" 'q'", "Ana % d'Ávila", "李 & <script>", "Plain Person"]
#: Columns of an outbox row that are new on every message by design (its id for receivers, its times).
FRESH = ("message_id", "created_at", "next_attempt_at")


def _events(session, round_ids: list[int]) -> list[CommittedEvent]:
    rows = session.scalars(select(Event).where(Event.round_id.in_(round_ids)).order_by(Event.id))
    return [CommittedEvent.of(row) for row in rows]


def _rows(app, pairs, mail) -> list[tuple]:
    found = []
    for event, item in pairs:
        link = absolute(app, item.anchor)
        row = {k: v for k, v in mail(item, link).items() if k not in FRESH}
        found.append((event.id, item.user.id, item.kind, item.section, item.data, item.anchor, row))
    return found


def test_a_batch_derives_and_renders_what_its_events_make_one_by_one(app, make, db):
    worlds = [tripartite(make, stage="information") for _ in range(2)]  # the same title: one render serves both
    rounds = [world["round"] for world in worlds]
    for world in worlds:  # more people per organisation, in three languages, with names that need escaping
        for index, name in enumerate(NAMES):
            make.user(world["worker"].organisation, name=name, language=("fr", "es", "en", "fr")[index])
            make.user(world["employer"].organisation, name=name + " E", language=("es", "en", "fr", "es")[index])
        asked = make.comment(world["worker"], world["round"], "A question <to> the employer & co?", section="privacy")
        make.comment(world["employer"], world["round"], "An answer, 100 % <sure>.", section="privacy",
                     parent_id=asked.public_id)
    with db.transaction() as session:
        # Someone who left, and an organisation removed from the round: neither path may reach them.
        leaver = session.scalar(select(User).where(User.display_name == "Plain Person"))
        leaver.is_active = False
        session.execute(update(Participant).where(Participant.round_id == rounds[1].id,
                                                  Participant.organisation_id == worlds[1]["government"]
                                                  .organisation_id).values(removed_at=utcnow()))
    with db.transaction() as session:
        events = _events(session, [r.id for r in rounds])
        # One stage entered per round (a batch notifies only a round's last; see the test below).
        last = {e.round_id: e.id for e in events if e.type == "stage.entered"}
        events = [e for e in events if e.type != "stage.entered" or last[e.round_id] == e.id]
        one_by_one = [(event, item) for event in events for item in Deriver(session).derive(event)]
        batch = Deriver(session).derive_many(events)
        assert {e.type for e, _ in batch} >= {"stage.entered", "organisation.invited", "comment.posted"}
        expected = _rows(app, one_by_one, lambda item, link: immediate_mail(app, item, link))
        mails = Mails(app)
        assert _rows(app, batch, mails) == expected
        # Each distinct text rendered once, not once per person: the two rounds' stage mails differ only by
        # language (3) and by what the stage opens to each constituency (4).
        entered = [item for _e, item in batch if item.kind == "stage.entered"]
        assert len([key for key in mails._pages if key[1] == "stage.entered"]) <= 3 * 4 < len(entered)
        reached = {user_id for _e, user_id, *_ in expected}
        assert leaver.id not in reached and worlds[1]["government"].id not in reached
        assert worlds[0]["government"].id in reached


def test_a_round_caught_up_through_three_stages_mails_each_person_once_about_the_stage_it_is_in(app, make, db,
                                                                                                   smtp):
    world = tripartite(make, stage="draft")
    with db.transaction() as session:
        start_round(session, session.get(User, world["employer"].id), world["round"].id, "Ready.")
    send_now(app)
    smtp.inbox.messages.clear(), smtp.inbox.envelopes.clear()
    # workflows/standard.toml: information 7 days, consultation 14, caucus 5, drafting 7. Thirty days later the
    # clock walks information -> consultation (day 7) -> caucus (day 21) -> drafting (day 26), whose deadline
    # (day 33) is still ahead: three stages entered in one pass, the round open in drafting.
    assert process_due(db, utcnow() + timedelta(days=30)) == (1, 3)
    with db.transaction(write=False) as session:
        assert session.get(Round, world["round"].id).stage == "drafting"
        feed = session.scalars(select(Notification).where(Notification.round_id == world["round"].id,
                                                          Notification.kind == "stage.entered",
                                                          Notification.data["stage"].as_string() != "information"))
        assert sorted((n.user_id, n.data["stage"]) for n in feed) == sorted(
            (world[key].id, "drafting") for key in ("employer", "worker", "government", "secretariat"))
    send_now(app)
    for key in ("employer", "worker", "government", "secretariat"):
        [mail] = smtp.inbox.to(world[key].email)  # one mail each, not three
        assert mail["Subject"] == "\u201cConsultation on RosterAI\u201d: the Drafting stage has begun"
        text = mail.get_body(("plain",)).get_content()
        assert "Stages passed on the way, their deadlines over: Consultation, Caucus." in " ".join(text.split())
    with db.transaction(write=False) as session:
        assert len(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "stage.entered",
                                                               OutboxMessage.status == "sent")).all()) >= 4
