"""Posting comments: checks who may say what where, sanitises, numbers pseudonyms, appends the event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.models import SOCIAL_PARTNERS, Constituency, User
from consult.comments.markdown import render_markdown
from consult.comments.models import Channel, Comment
from consult.errors import Forbidden, Invalid
from consult.events.services import append_event
from consult.policy import PARTICIPANTS, caucus_audience
from consult.rounds.models import Alias, Round, Section
from consult.rounds.services import get_visible_round
from consult.timeline.rules import require_open, require_plenary_open


def ensure_alias(session: Session, round: Round, user_id: int) -> int:
    """The person's stable pseudonym number in the round, given on first need (round already locked)."""
    number = session.scalar(select(Alias.number).where(Alias.round_id == round.id, Alias.user_id == user_id))
    if number is None:
        number = (session.scalar(select(func.max(Alias.number)).where(Alias.round_id == round.id)) or 0) + 1
        session.add(Alias(round_id=round.id, user_id=user_id, number=number))
    return number


def post_comment(session: Session, actor: User, round_id: int, data: dict[str, Any]) -> Comment:
    """Post a comment on a section of a round, in plenary or in the author's own caucus."""
    view = get_visible_round(session, actor, round_id, lock=True)
    round = view.round
    section = session.scalar(select(Section).where(Section.round_id == round.id, Section.key == data["section"]))
    if section is None:
        raise Invalid("No such section in this round.", fields={"section": ["Unknown section."]})
    channel: Channel = data["channel"]
    caucus = None
    parent_id = data.get("parent_id")
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.round_id != round.id or not view.may_see_comment(parent):
            raise Invalid("No such comment to reply to.", fields={"parent_id": ["Unknown comment."]})
        if parent.section_id != section.id or parent.channel != channel:
            raise Invalid("A reply stays in its parent's section and channel.",
                          fields={"parent_id": ["The parent is in another section or channel."]})
    if channel == Channel.CAUCUS:
        if view.constituency not in SOCIAL_PARTNERS:
            raise Forbidden("Only workers, employers and government hold caucuses.")
        require_open(session, round, "caucus", view.constituency.value)
        caucus = view.constituency
    else:
        require_plenary_open(session, round, view.constituency.value)
    if actor.constituency == Constituency.WORKERS:
        ensure_alias(session, round, actor.id)
    comment = Comment(
        round_id=round.id, section_id=section.id, parent_id=parent_id, author_id=actor.id,
        author_organisation_id=actor.organisation_id, author_constituency=actor.constituency,
        channel=channel, caucus=caucus, body=data["body"], body_html=render_markdown(data["body"]),
    )
    session.add(comment)
    session.flush()
    audience = caucus_audience(caucus.value) if caucus else PARTICIPANTS
    append_event(session, round, "comment.posted", actor_id=actor.id, audience=audience,
                 payload={"comment_id": comment.id, "section": section.key, "channel": channel.value,
                          "parent_id": parent_id})
    return comment
