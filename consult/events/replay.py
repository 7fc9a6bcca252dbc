"""Reading a round's log back for one viewer: what they missed, in order, as the policy shows it.

The API's replay, the socket catch-up and the live push all present events here, so each path shows
the same thing to the same viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, User
from consult.comments.models import Comment
from consult.comments.services import revision_counts, tallies_of
from consult.policy import RoundView, aliases_of, present_actor, present_comment, present_event
from consult.public_ids import held as held_row


@dataclass(frozen=True)
class EventContext:
    """What presenting a batch of events needs from the database, read once for every viewer of the batch."""

    actors: dict[int, User]
    comments: dict[Any, Comment]  # by what the events' payloads name them: a public id, or an old event's row id
    aliases: dict[int, int]
    tallies: dict[int, dict]
    revisions: dict[int, int]

    @classmethod
    def load(cls, session: Session, round_id: int, events: list[Any], latest_seq: int | None = None, *,
             held: bool = False) -> EventContext:
        """Actors, comments (with their reaction tallies and revision counts, as GET shows them) and pseudonyms.

        `latest_seq` is the round's last sequence number read in this transaction. When the batch ends the log
        and its comments are all new in it, nobody can have reacted to them or edited them yet (either would
        have logged a later event), so their counts are known to be zero without asking. `held`: this is the
        transaction that wrote the events, and the actors and comments it holds are not read again.
        """
        actor_ids = {e.actor_id for e in events if e.actor_id is not None}
        comment_ids = {e.payload["comment_id"] for e in events if "comment_id" in e.payload}
        actors, comments = _objects(session, User, actor_ids, held), _comments(session, comment_ids, held)
        ids = [] if _all_new(events, latest_seq) else sorted({c.id for c in comments.values()})
        # Pseudonyms are workers' only: a batch no worker took part in needs none.
        workers = any(u.constituency == Constituency.WORKERS for u in actors.values()) or any(
            c.author_constituency == Constituency.WORKERS for c in comments.values())
        return cls(actors, comments, aliases_of(session, round_id) if workers else {},
                   tallies_of(session, ids) if ids else {}, revision_counts(session, ids) if ids else {})


def _objects(session: Session, model: type, ids: set[int], held: bool) -> dict[int, Any]:
    """The rows of these ids, by id: from the session's own when `held` (read only if it lacks one)."""
    if not ids:
        return {}
    if held:
        return {i: found for i in ids if (found := session.get(model, i)) is not None}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids))).unique()}


def _comments(session: Session, references: set[Any], held: bool) -> dict[Any, Comment]:
    """The comments events name, by the name they use: a public id, or the row id an event written before
    public ids carries; from the session's own when `held` (read only for those it lacks)."""
    found: dict[Any, Comment] = {}
    if not references:
        return found
    if held:
        for name in references:
            row = held_row(session, Comment, name) if isinstance(name, str) else session.get(Comment, name)
            if row is not None:
                found[name] = row
    numbers = {r for r in references - found.keys() if isinstance(r, int)}
    names = {r for r in references - found.keys() if isinstance(r, str)}
    if numbers or names:
        for row in session.scalars(select(Comment).where(or_(Comment.id.in_(numbers),
                                                             Comment.public_id.in_(names)))).unique():
            found.update({name: row for name in (row.public_id, row.id) if name in references})
    return found


def _all_new(events: list[Any], latest_seq: int | None) -> bool:
    """Whether every comment of the batch was posted in it and nothing was logged in the round after it."""
    return (latest_seq is not None and bool(events) and max(e.seq for e in events) == latest_seq
            and all(e.type == "comment.posted" for e in events if "comment_id" in e.payload))


def present_events(session: Session, view: RoundView, events: list[Any],
                   context: EventContext | None = None) -> list[dict[str, Any]]:
    """Present a batch of events the viewer may see (the pushes pass one `context` for every constituency).

    A comment event carries the comment as it is now (an edit or a hiding shows in a replay too).
    """
    context = context or EventContext.load(session, view.round.id, events)
    actors, comments, aliases = context.actors, context.comments, context.aliases
    shown = []
    for event in events:
        actor = actors.get(event.actor_id)
        label = present_actor(view.round, view.constituency, event.type, actor, aliases.get(actor.id)) \
            if actor else None
        item = present_event(view, event, label)
        comment = comments.get(event.payload.get("comment_id"))
        if comment is not None and view.may_see_comment(comment):
            item["comment"] = present_comment(view, comment, aliases, context.tallies, context.revisions)
            if isinstance(event.payload["comment_id"], int):  # logged before public ids: name it as users do
                item["payload"] = {**event.payload, "comment_id": comment.public_id, **(
                    {"parent_id": comment.parent_public_id} if "parent_id" in event.payload else {})}
        shown.append(item)
    return shown
