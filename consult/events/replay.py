"""Reading a round's log back for one viewer: what they missed, in order, as the policy shows it.

The API's replay, the socket catch-up and the live push all present events here, so each path shows
the same thing to the same viewer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.comments.models import Comment
from consult.events.models import Event
from consult.policy import RoundView, aliases_of, present_author, present_comment, present_event


def present_events(session: Session, view: RoundView, events: list[Any]) -> list[dict[str, Any]]:
    """Present a batch of events the viewer may see, loading actors and comments in one query each.

    A comment event carries the comment as it is now (an edit or a hiding shows in a replay too).
    """
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    comment_ids = {e.payload["comment_id"] for e in events if "comment_id" in e.payload}
    actors = {}
    if actor_ids:
        actors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(actor_ids))).unique()}
    comments = {}
    if comment_ids:
        comments = {c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(comment_ids))).unique()}
    aliases = aliases_of(session, view.round.id) if actors else {}
    shown = []
    for event in events:
        actor = actors.get(event.actor_id)
        label = present_author(view.round, view.constituency, actor, actor.organisation, actor.constituency.value,
                               aliases.get(actor.id)) if actor else None
        item = present_event(view, event, label)
        comment = comments.get(event.payload.get("comment_id"))
        if comment is not None and view.may_see_comment(comment):
            item["comment"] = present_comment(view, comment, aliases)
        shown.append(item)
    return shown


def events_after(session: Session, view: RoundView, after: int, limit: int) -> list[Event]:
    """The events the viewer may see with a sequence number above `after`, oldest first."""
    statement = (select(Event).where(Event.round_id == view.round.id, Event.seq > after, view.event_filter())
                 .order_by(Event.seq).limit(limit))
    return list(session.scalars(statement))
