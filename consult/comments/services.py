"""Posting comments: checks who may say what where, sanitises, numbers pseudonyms, appends the event."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import and_, bindparam, func, insert, select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from consult.accounts.models import Constituency, User
from consult.comments.markdown import render_markdown
from consult.comments.models import Channel, Comment, CommentReaction, CommentRevision, Reaction
from consult.db import utcnow
from consult.errors import Conflict, Forbidden, Invalid, NotFound
from consult.events.dispatcher import keep_written
from consult.events.services import (
    CARRIED_EVENT_ID,
    append_event,
    carried_event,
    carries_events,
    carrying_event,
    event_carried,
)
from consult.policy import PARTICIPANTS, caucus_audience, held_aliases
from consult.public_ids import by_reference, hold, new_public_id
from consult.rounds import governance
from consult.rounds.models import Alias, Participant, Round, Section
from consult.rounds.services import get_visible_round

#: Built once: each comment asks them (building a statement costs more than running it).
_NEW_COMMENT = insert(Comment).returning(Comment)
#: On PostgreSQL the comment's insert also appends its event (consult/events/services.py, `carrying_event`):
#: one round trip fewer while the round is locked.
#: Its parameters are named apart from the columns, as the event's are (a parameter named as a column would
#: be set in every table the statement writes).
_COMMENT_COLUMNS = ("public_id", "round_id", "section_id", "parent_id", "author_id", "author_organisation_id",
                    "author_constituency", "channel", "caucus", "body", "body_html", "created_at", "is_hidden")
_NEW_COMMENT_AND_EVENT = select(Comment, CARRIED_EVENT_ID).from_statement(carrying_event(
    insert(Comment.__table__).values({name: bindparam(f"comment_{name}", type_=Comment.__table__.c[name].type)
                                      for name in _COMMENT_COLUMNS})
    .returning(*Comment.__table__.c, CARRIED_EVENT_ID)))
#: The round locked for writing (as `lock_round` does), the section posted on and whether the author's
#: organisation takes part, in one statement: a post reads nothing else before it writes. Not the round's
#: employer and plan, which a post never shows (read on demand, should anything ask).
_POSTING = (select(Round, Section, Participant.id)
            .outerjoin(Section, and_(Section.round_id == Round.id, Section.key == bindparam("key")))
            .outerjoin(Participant, and_(Participant.round_id == Round.id,
                                         Participant.organisation_id == bindparam("organisation_id"),
                                         Participant.removed_at.is_(None)))
            .where(Round.id == bindparam("round_id")).with_for_update(of=Round)
            .options(lazyload(Round.employer), lazyload(Round.plan)).execution_options(populate_existing=True))


def ensure_alias(session: Session, round: Round, user_id: int) -> int:
    """The person's stable pseudonym number in the round, given on first need (round already locked).

    The round's pseudonyms are read whole, once: presenting the comment and its push needs them too."""
    aliases = held_aliases(session, round.id)
    number = aliases.get(user_id)
    if number is None:
        number = aliases[user_id] = max(aliases.values(), default=0) + 1
        session.add(Alias(round_id=round.id, user_id=user_id, number=number))
    return number


def post_comment(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> Comment:
    """Post a comment on a section of a round, in plenary or in the author's own caucus."""
    found = session.execute(_POSTING, {"round_id": round_id, "key": data["section"],
                                       "organisation_id": actor.organisation_id}).unique().one_or_none()
    locked, section, invited = found or (None, None, None)
    view = get_visible_round(session, actor, round_id, lock=True, locked=(locked, invited is not None))
    round = view.round
    if section is None:
        raise Invalid(gettext("No such section in this round."), fields={"section": [gettext("Unknown section.")]})
    channel: Channel = data["channel"]
    parent_id, parent_public_id = None, None
    if data.get("parent_id") is not None:
        parent = by_reference(session, Comment, round.id, data["parent_id"])
        if parent is None or not view.may_see_comment(parent):
            raise Invalid(gettext("No such comment to reply to."), fields={"parent_id": [gettext("Unknown comment.")]})
        if parent.section_id != section.id or parent.channel != channel:
            raise Invalid(gettext("A reply stays in its parent's section and channel."),
                          fields={"parent_id": [gettext("The parent is in another section or channel.")]})
        parent_id, parent_public_id = parent.id, parent.public_id
    governance.require(session, view, "post_caucus_comment" if channel == Channel.CAUCUS else "post_comment")
    caucus = view.constituency if channel == Channel.CAUCUS else None
    if actor.constituency == Constituency.WORKERS:
        ensure_alias(session, round, actor.id)
    # Inserted by one statement that returns the comment (no unit of work: the most frequent write there is),
    # which on PostgreSQL appends its event too.
    # Its author, union and section are already in the session, so presenting it reads nothing more.
    public_id, now = new_public_id("c"), utcnow()
    values = {"public_id": public_id, "round_id": round.id, "section_id": section.id, "parent_id": parent_id,
              "author_id": actor.id,
              "author_organisation_id": actor.organisation_id, "author_constituency": actor.constituency,
              "channel": channel, "caucus": caucus, "body": data["body"], "body_html": render_markdown(data["body"]),
              "created_at": now, "is_hidden": False}  # given: one statement's defaults are not the ORM's
    event = {"actor_id": actor.id, "at": now, "audience": caucus_audience(caucus.value) if caucus else PARTICIPANTS,
             "payload": {"comment_id": public_id, "section": section.key, "channel": channel.value,
                         "parent_id": parent_public_id}}
    return _insert(session, round, values, event)


def _insert(session: Session, round: Round, values: dict[str, Any], event: dict[str, Any]) -> Comment:
    """Insert the comment and append its event; on PostgreSQL by one statement, the round's lock held meanwhile."""
    carried = carries_events(session, round)
    if carried:
        row, parameters = carried_event(round, "comment.posted", **event)
        named = {f"comment_{name}": value for name, value in values.items()}
        comment, event_id = session.execute(_NEW_COMMENT_AND_EVENT, {**named, **parameters}).one()
    else:
        comment = session.scalars(_NEW_COMMENT, [values]).one()
    # Known: reading it back costs a query.
    set_committed_value(comment, "parent_public_id", event["payload"]["parent_id"])
    keep_written(session, [comment])
    hold(session, comment)
    if carried:
        event_carried(session, round, row, event_id)
    else:
        append_event(session, round, "comment.posted", **event)
    return comment


def visible_comment(session: Session, view, comment_ref: str | int) -> Comment:
    """The comment of the round a URL names (public id, or an old link's row id), if the viewer may read it;
    404 otherwise, the same for a comment of a caucus they do not read as for none at all."""
    comment = by_reference(session, Comment, view.round.id, comment_ref)
    if comment is None or not view.may_see_comment(comment):
        raise NotFound(gettext("No such comment."))
    return comment


def _audience_of(comment: Comment) -> str:
    return caucus_audience(comment.caucus.value) if comment.caucus else PARTICIPANTS


def edit_comment(session: Session, actor: User, round_id: int, comment_id: str | int, body: str) -> Comment:
    """The author rewrites their comment while its channel is open; the old text stays in its history."""
    view = get_visible_round(session, actor, round_id, lock=True)
    comment = visible_comment(session, view, comment_id)
    if comment.author_id != actor.id:
        raise Forbidden(gettext("Only the author edits a comment."))
    if comment.is_hidden:
        raise Conflict(gettext("The secretariat hid this comment; it cannot be edited."))
    governance.require(session, view, "edit_caucus_comment" if comment.channel == Channel.CAUCUS else "edit_comment")
    if body == comment.body:
        return comment
    session.add(CommentRevision(comment_id=comment.id, body=comment.body, body_html=comment.body_html,
                                written_at=comment.edited_at or comment.created_at))
    comment.body, comment.body_html, comment.edited_at = body, render_markdown(body), utcnow()
    append_event(session, view.round, "comment.edited", actor_id=actor.id, audience=_audience_of(comment),
                 payload={"comment_id": comment.public_id, "section": comment.section.key,
                          "channel": comment.channel.value})
    return comment


def hide_comment(session: Session, actor: User, round_id: int, comment_id: str | int, reason: str) -> Comment:
    """The secretariat hides a comment with a reason: a tombstone stays in the thread; nothing is deleted."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "hide_comment")
    comment = visible_comment(session, view, comment_id)
    if comment.is_hidden:
        raise Conflict(gettext("This comment is hidden already."))
    comment.is_hidden, comment.hidden_reason, comment.hidden_by_id, comment.hidden_at = True, reason, actor.id, utcnow()
    append_event(session, view.round, "comment.hidden", actor_id=actor.id, audience=_audience_of(comment),
                 payload={"comment_id": comment.public_id, "section": comment.section.key, "reason": reason})
    return comment


def react(session: Session, actor: User, round_id: int, comment_id: str | int, kind: Reaction | None) -> Comment:
    """Agree, disagree or question a comment (None takes the reaction back); one reaction per person."""
    view = get_visible_round(session, actor, round_id, lock=True)
    governance.require(session, view, "react")
    comment = visible_comment(session, view, comment_id)
    if comment.is_hidden:
        raise Conflict(gettext("This comment is hidden."))
    mine = session.scalar(select(CommentReaction).where(CommentReaction.comment_id == comment.id,
                                                        CommentReaction.user_id == actor.id))
    if kind is None:
        if mine is not None:
            session.delete(mine)
    elif mine is None:
        session.add(CommentReaction(comment_id=comment.id, user_id=actor.id, constituency=view.constituency,
                                    kind=kind))
    else:
        mine.kind, mine.reacted_at = kind, utcnow()
    session.flush()
    append_event(session, view.round, "comment.reacted", actor_id=None, audience=_audience_of(comment),
                 payload={"comment_id": comment.public_id,
                          "tally": tallies_of(session, [comment.id]).get(comment.id, {})})
    return comment


def tallies_of(session: Session, comment_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """Reactions counted per comment, kind and constituency, in one query: {id: {"agree": {"workers": 2}}}."""
    tallies: dict[int, dict[str, dict[str, int]]] = {}
    if not comment_ids:
        return tallies
    rows = session.execute(
        select(CommentReaction.comment_id, CommentReaction.kind, CommentReaction.constituency, func.count())
        .where(CommentReaction.comment_id.in_(comment_ids))
        .group_by(CommentReaction.comment_id, CommentReaction.kind, CommentReaction.constituency))
    for comment_id, kind, constituency, count in rows:
        tallies.setdefault(comment_id, {}).setdefault(kind.value, {})[constituency.value] = count
    return tallies


def revision_counts(session: Session, comment_ids: list[int]) -> dict[int, int]:
    """How many earlier versions each comment has, in one query."""
    if not comment_ids:
        return {}
    rows = session.execute(select(CommentRevision.comment_id, func.count())
                           .where(CommentRevision.comment_id.in_(comment_ids)).group_by(CommentRevision.comment_id))
    return dict(rows.all())
