"""Writing notifications in the transaction of their events: the feed rows, and the mail of those sent at once.

Registered with the dispatcher (`subscribe_written`) by the application factory. Mail that a person wants
in a digest waits as feed rows until the digest job gathers it (consult/notifications/digest.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.events.dispatcher import CommittedEvent
from consult.notifications.derive import Deriver, Item
from consult.notifications.kinds import DAILY, DEFAULTS, IMMEDIATE, WEEKLY, describe
from consult.notifications.models import Notification, NotificationPreference, OutboxMessage
from consult.notifications.outbox import mark_enqueued, outbox_values
from consult.notifications.render import absolute, mail_context, render_mail, unsubscribe_headers
from consult.notifications.services import link_versions


def preferences(session: Session, user_ids: set[int]) -> dict[tuple[int, str], str]:
    """Each person's chosen delivery per kind (kinds without a row take their default)."""
    if not user_ids:
        return {}
    rows = session.execute(select(NotificationPreference.user_id, NotificationPreference.kind,
                                  NotificationPreference.delivery)
                           .where(NotificationPreference.user_id.in_(sorted(user_ids))))
    return {(user_id, kind): delivery for user_id, kind, delivery in rows}


def immediate_mail(app: Flask, item: Item, link: str, version: int = 0) -> dict[str, Any]:
    """The outbox row of one notification sent at once, in its recipient's language."""
    language = item.user.language if item.user.language in ("en", "fr", "es") else "en"
    with mail_context(app), force_locale(language):
        headline, detail = describe(item.kind, item.data)
    text, html = render_mail(app, "mail/notification", language, headline=headline, detail=detail, link=link,
                             person=item.user.display_name, kind=item.kind,
                             settings_link=absolute(app, "/notifications#preferences"))
    subject = headline if len(headline) <= 200 else headline[:199] + "\u2026"
    return outbox_values(session_domain=app.extensions["consult.mail_domain"], kind=item.kind, subject=subject,
                         text=text, html=html, to_user=item.user,
                         headers=unsubscribe_headers(app, item.user.id, item.kind, version))


class Notifier:
    """The dispatcher's writer: derives each event's notifications and writes them with it."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, session: Session, events: list[CommittedEvent]) -> None:
        deriver = Deriver(session)
        found = [(event, item) for event in events for item in deriver.derive(event)]
        if not found:
            return
        chosen = preferences(session, {item.user.id for _event, item in found})
        versions = link_versions(session, {item.user.id for _event, item in found})
        now = utcnow()
        feed, mail = [], []
        for event, item in found:
            delivery = chosen.get((item.user.id, item.kind), DEFAULTS[item.kind])
            link = absolute(self.app, item.anchor)
            feed.append({"user_id": item.user.id, "round_id": event.round_id, "event_id": event.id,
                         "kind": item.kind, "section_key": item.section, "data": item.data, "link": link,
                         "delivery": delivery, "digested_at": None if delivery in (DAILY, WEEKLY) else now,
                         "read_at": None, "created_at": now})
            if delivery == IMMEDIATE:
                mail.append(immediate_mail(self.app, item, link, versions.get((item.user.id, item.kind), 0)))
        session.execute(insert(Notification.__table__), feed)
        if mail:
            session.execute(insert(OutboxMessage.__table__), mail)
            mark_enqueued(session)
