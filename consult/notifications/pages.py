"""The notifications page (what happened since I last looked, my preferences) and one-click unsubscribe."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.accounts.auth import authorised_by_signed_link, open_to_anyone
from consult.api.routing import load_input
from consult.api.session import db_session
from consult.errors import ConsultError
from consult.notifications.kinds import DELIVERIES, DELIVERY_NAMES, KIND_NAMES, describe
from consult.notifications.models import Notification
from consult.notifications.render import read_unsubscribe_token
from consult.notifications.schemas import PreferencesIn, UnsubscribeIn
from consult.notifications.services import (
    DIGEST_KINDS,
    delivery_of,
    link_version,
    mark_seen,
    set_preferences,
    unread_count,
    unsubscribe,
)
from consult.web import pages
from consult.web.forms import field_errors, flat_values, handle_form
from consult.web.marks import keep_mark

#: How many notifications already seen the page still lists below the new ones.
EARLIER = 50


@pages.app_context_processor
def _unread() -> dict:
    def unread_notifications() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        return unread_count(db_session(), current_user.id)

    return {"unread_notifications": unread_notifications}


def _entries(rows: list[Notification]) -> list[dict]:
    entries = []
    for row in rows:
        headline, detail = describe(row.kind, row.data)
        entries.append({"headline": headline, "detail": detail, "link": row.link, "at": row.created_at})
    return entries


def _render(*, errors: dict | None = None, posted: dict | None = None, status: int = 200):
    session = db_session()
    mine = select(Notification).where(Notification.user_id == current_user.id)
    new = list(session.scalars(mine.where(Notification.read_at.is_(None)).order_by(Notification.id.desc())))
    earlier = list(session.scalars(mine.where(Notification.read_at.is_not(None))
                                   .order_by(Notification.id.desc()).limit(EARLIER)))
    chosen = posted or delivery_of(session, current_user.id)
    page = render_template("notifications.html", new=_entries(new), earlier=_entries(earlier), chosen=chosen,
                           kinds=KIND_NAMES, deliveries=DELIVERIES, delivery_names=DELIVERY_NAMES,
                           errors=errors or {})
    return page, status


@pages.route("/notifications")
@login_required
def notifications_page():
    """What happened since I last looked (then it counts as seen), what came before, and my preferences."""
    page, status = _render()
    user = current_user._get_current_object()
    keep_mark(lambda session: mark_seen(session, user), f"of person {user.id}'s notifications")
    return page, status


@pages.route("/notifications/preferences", methods=["POST"])
@login_required
def notification_preferences_form():
    """Choose, for each kind, immediately, a daily or weekly digest, or off."""
    form = {kind: request.form.get(kind, "") for kind in KIND_NAMES}

    def again(posted: dict, error: ConsultError):
        return _render(errors=field_errors(error.fields), posted=posted, status=error.status)

    # Marshmallow reads the dotted kinds as nested fields; the service takes them flat again.
    return handle_form(PreferencesIn(), lambda session, data: set_preferences(session, current_user, flat_values(data)),
                       form=form, again=again, done=lambda _r: "/notifications#preferences",
                       saved=gettext("Your notification preferences are saved."))


def _link(token: str) -> tuple[int, str, int]:
    found = read_unsubscribe_token(current_app, token)
    if found is None or (found[1] not in KIND_NAMES and found[1] not in DIGEST_KINDS):
        abort(404)
    return found


def _kind_name(kind: str) -> str:
    return (gettext("Daily digests") if kind == "digest.daily" else gettext("Weekly digests")
            if kind == "digest.weekly" else str(KIND_NAMES[kind]))


@pages.route("/notifications/unsubscribe/<token>")
@open_to_anyone
def unsubscribe_page(token: str):
    """Confirm turning off one kind of mail: the link is its own authority, no log-in needed, while the
    preference is as it was when the link was sent (else: "this link has been replaced", 410)."""
    user_id, kind, version = _link(token)
    if link_version(db_session(), user_id, kind) != version:
        return render_template("unsubscribe.html", kind_name=_kind_name(kind), token=token, replaced=True), 410
    return render_template("unsubscribe.html", kind_name=_kind_name(kind), token=token, done=False)


@pages.route("/notifications/unsubscribe/<token>", methods=["POST"])
@open_to_anyone
@authorised_by_signed_link
def unsubscribe_form(token: str):
    """Turn off one kind of mail for the person the link names (RFC 8058 one-click, or the page's button)."""
    user_id, kind, version = _link(token)
    load_input(UnsubscribeIn(), request.form.to_dict())
    session = db_session()
    done = unsubscribe(session, user_id, kind, version)
    session.commit()
    if done is None:
        return render_template("unsubscribe.html", kind_name=_kind_name(kind), token=token, replaced=True), 410
    return render_template("unsubscribe.html", kind_name=_kind_name(kind), token=token, done=True)
