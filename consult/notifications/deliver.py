"""Writing notifications in the transaction of their events: the feed rows, and the mail of those sent at once.

Registered with the dispatcher (`subscribe_written`) by the application factory. Mail that a person wants
in a digest waits as feed rows until the digest job gathers it (consult/notifications/digest.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.bulk import insert_many
from consult.db import utcnow
from consult.events.dispatcher import CommittedEvent
from consult.notifications.derive import Deriver, Item
from consult.notifications.kinds import DAILY, DEFAULTS, IMMEDIATE, WEEKLY, describe
from consult.notifications.models import Notification, NotificationPreference, OutboxMessage
from consult.notifications.outbox import mark_enqueued, outbox_values
from consult.notifications.render import absolute, mail_context, render_mail, unsubscribe_headers
from consult.notifications.services import link_versions
from consult.vocabulary import LANGUAGES


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
    language = _language(item)
    with mail_context(app), force_locale(language):
        headline, detail = describe(item.kind, item.data)
    text, html = render_mail(app, "mail/notification", language, headline=headline, detail=detail, link=link,
                             person=item.user.display_name, kind=item.kind,
                             settings_link=absolute(app, "/notifications#preferences"))
    return _row(app, item, headline, text, html, version=version)


def _language(item: Item) -> str:
    return item.user.language if item.user.language in LANGUAGES else "en"


def _row(app: Flask, item: Item, headline: str, text: str, html: str,
         headers: dict[str, str] | None = None, version: int = 0) -> dict[str, Any]:
    subject = headline if len(headline) <= 200 else headline[:199] + "\u2026"
    return outbox_values(session_domain=app.extensions["consult.mail_domain"], kind=item.kind, subject=subject,
                         text=text, html=html, to_user=item.user,
                         headers=headers or unsubscribe_headers(app, item.user.id, item.kind, version))


#: Stand-ins for what differs between the mails of one text (the person, the link), put back after rendering:
#: characters of the private use area, which neither escaping nor the templates change.
_PERSON, _LINK = "\ue000\ue001\ue000", "\ue000\ue002\ue000"
_STAND_INS = re.compile("\ue000[\ue001\ue002]\ue000")


class Mails:
    """The immediate mails of a batch, exactly as `immediate_mail` makes them, with each distinct text put into
    words and rendered once: a clock that moves a thousand rounds to the same stage renders its mail once per
    language and stage, then fills in each person's name and link."""

    def __init__(self, app: Flask, versions: dict[tuple[int, str], int] | None = None) -> None:
        self.app = app
        self.versions = versions or {}
        self.settings_link = absolute(app, "/notifications#preferences")
        self._words: dict[tuple[str, str, str], tuple[str, str]] = {}
        self._pages: dict[tuple[str, str, str, str], tuple[str, str]] = {}
        self._headers: dict[tuple[int, str], dict[str, str]] = {}

    def __call__(self, item: Item, link: str) -> dict[str, Any]:
        """The outbox row of one notification sent at once."""
        language, person = _language(item), item.user.display_name
        facts = (language, item.kind, json.dumps(item.data, sort_keys=True, default=str))
        if facts not in self._words:
            with mail_context(self.app), force_locale(language):
                self._words[facts] = describe(item.kind, item.data)
        headline, detail = self._words[facts]
        if any("\ue000" in value for value in (headline, detail, person, link)):
            # a text holding a stand-in is rendered on its own
            return immediate_mail(self.app, item, link, self.versions.get((item.user.id, item.kind), 0))
        key = (language, item.kind, headline, detail)
        if key not in self._pages:
            self._pages[key] = render_mail(self.app, "mail/notification", language, headline=headline,
                                           detail=detail, link=_LINK, person=_PERSON, kind=item.kind,
                                           settings_link=self.settings_link)
        text, html = self._pages[key]
        plain, escaped = {_PERSON: person, _LINK: link}, {_PERSON: str(escape(person)), _LINK: str(escape(link))}
        headers = self._headers.get((item.user.id, item.kind))
        if headers is None:  # one person, one kind: the same signed unsubscribe link in every mail of the batch
            headers = self._headers[(item.user.id, item.kind)] = unsubscribe_headers(
                self.app, item.user.id, item.kind, self.versions.get((item.user.id, item.kind), 0))
        return _row(self.app, item, headline, _STAND_INS.sub(lambda m: plain[m.group()], text),
                    _STAND_INS.sub(lambda m: escaped[m.group()], html), dict(headers))


class Notifier:
    """The dispatcher's writer: derives the notifications of a batch of events together and writes them with it."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, session: Session, events: list[CommittedEvent]) -> None:
        found = Deriver(session).derive_many(events)
        if not found:
            return
        chosen = preferences(session, {item.user.id for _event, item in found})
        versions = link_versions(session, {item.user.id for _event, item in found})
        now = utcnow()
        feed, mail, mails = [], [], Mails(self.app, versions)
        for event, item in found:
            delivery = chosen.get((item.user.id, item.kind), DEFAULTS[item.kind])
            link = absolute(self.app, item.anchor)
            feed.append({"user_id": item.user.id, "round_id": event.round_id, "event_id": event.id,
                         "kind": item.kind, "section_key": item.section, "data": item.data, "link": link,
                         "delivery": delivery, "digested_at": None if delivery in (DAILY, WEEKLY) else now,
                         "read_at": None, "created_at": now})
            if delivery == IMMEDIATE:
                mail.append(mails(item, link))
        insert_many(session, Notification.__table__, feed)
        if mail:
            insert_many(session, OutboxMessage.__table__, mail)
            mark_enqueued(session)
