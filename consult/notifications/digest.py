"""Digests: one mail per person gathering what they chose to read daily (or weekly), by round and section.

`send_digests` may run as often as anyone likes (the scheduler runs it every ten minutes): it gathers the
notifications made before the latest digest moment (CONSULT_DIGEST_HOUR, UTC; Mondays for weekly ones)
that no digest took yet, and marks them taken in the same transaction as the digest's outbox row, so a
second scheduler or a rerun finds nothing to send twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby

from flask import Flask
from flask_babel import force_locale, ngettext
from sqlalchemy import select, update

from consult.accounts.models import User
from consult.db import Database, utcnow
from consult.notifications.kinds import DAILY, WEEKLY, describe
from consult.notifications.models import Notification
from consult.notifications.outbox import enqueue
from consult.notifications.render import absolute, mail_context, render_mail, unsubscribe_headers
from consult.notifications.services import link_version
from consult.settings import settings_of
from consult.vocabulary import LANGUAGES
from consult.web.labels import section_name


def digest_cutoff(delivery: str, now: datetime, hour: int) -> datetime:
    """The latest digest moment at or before `now`: today's (or this Monday's) DIGEST_HOUR, else the one before."""
    moment = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if moment > now:
        moment -= timedelta(days=1)
    if delivery == WEEKLY:
        moment -= timedelta(days=moment.weekday())
    return moment


def _groups(rows: list[Notification]) -> list[dict]:
    groups = []
    ordered = sorted(rows, key=lambda r: (r.data.get("round_title", ""), r.round_id or 0, r.section_key or "", r.id))
    for (title, _round, section), members in groupby(
            ordered, key=lambda r: (r.data.get("round_title", ""), r.round_id, r.section_key)):
        entries = []
        for row in members:
            headline, detail = describe(row.kind, row.data)
            entries.append({"headline": headline, "detail": detail, "link": row.link})
        groups.append({"round_title": title, "section": section_name(section) if section else "", "entries": entries})
    return groups


def send_digests(app: Flask, delivery: str, now: datetime | None = None) -> int:
    """Queue the due digests of one kind (daily or weekly); returns how many people get one."""
    assert delivery in (DAILY, WEEKLY)
    db: Database = app.extensions["consult.db"]
    cutoff = digest_cutoff(delivery, now or utcnow(), settings_of(app).digest_hour)
    with db.transaction() as session:
        due = (select(Notification).where(Notification.delivery == delivery, Notification.digested_at.is_(None),
                                          Notification.created_at < cutoff)
               .order_by(Notification.user_id, Notification.id))
        if not db.is_sqlite:
            due = due.with_for_update(skip_locked=True)
        rows = list(session.scalars(due))
        sent = 0
        for user_id, mine in groupby(rows, key=lambda r: r.user_id):
            mine = list(mine)
            user = session.get(User, user_id)
            if user is None or not user.is_active:
                continue
            language = user.language if user.language in LANGUAGES else "en"
            with mail_context(app), force_locale(language):
                intro = ngettext("%(num)d update from consult since the last digest.",
                                 "%(num)d updates from consult since the last digest.", len(mine))
                groups = _groups(mine)
            text, html = render_mail(app, "mail/digest", language, person=user.display_name, intro=intro,
                                     groups=groups, settings_link=absolute(app, "/notifications#preferences"))
            enqueue(session, to_user=user, kind=f"digest.{delivery}", subject=intro[:200], text=text, html=html,
                    headers=unsubscribe_headers(app, user.id, f"digest.{delivery}",
                                                link_version(session, user.id, f"digest.{delivery}")))
            sent += 1
        if rows:
            session.execute(update(Notification).where(Notification.id.in_([r.id for r in rows]))
                            .values(digested_at=utcnow()).execution_options(synchronize_session=False))
    return sent


def digest_pass(app: Flask) -> int:
    """The scheduler's job: every digest that is due, daily then weekly."""
    return send_digests(app, DAILY) + send_digests(app, WEEKLY)
