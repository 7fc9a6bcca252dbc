"""Who may see what: the one place that decides, for the API, pushes, replay, pages, search and exports.

It answers two questions. May this viewer see this round, event or comment? And how is this author shown
to this viewer? Presentation depends only on the viewer's constituency (their "lens"), so a live push is
rendered once per constituency room and everyone in a room receives the same, correct, bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from consult.accounts.models import SOCIAL_PARTNERS, Constituency, Organisation, User
from consult.comments.models import Channel, Comment
from consult.events.models import Event
from consult.rounds.models import Alias, Participant, Round
from consult.rounds.plan import IdentityPolicy

PARTICIPANTS = "participants"
SECRETARIAT = "secretariat"
PUBLIC = "public"


def caucus_audience(constituency: str) -> str:
    """The audience of one constituency's caucus."""
    return f"caucus:{constituency}"


def user_audience(user_id: int) -> str:
    """The audience of one person."""
    return f"user:{user_id}"


@dataclass(frozen=True)
class RoundView:
    """What one viewer may see of one round; built once per request by `view_round`."""

    round: Round
    user_id: int | None
    constituency: Constituency | None  # None: not a participant of this round
    organisation_id: int | None = None

    @property
    def is_participant(self) -> bool:
        """Whether the viewer's organisation takes part in the round."""
        return self.constituency is not None

    @property
    def is_secretariat(self) -> bool:
        """Whether the viewer is the round's secretariat."""
        return self.constituency == Constituency.SECRETARIAT

    @property
    def visible_caucuses(self) -> frozenset[str]:
        """The caucuses whose content the viewer may read."""
        if self.constituency in SOCIAL_PARTNERS:
            return frozenset({self.constituency.value})
        if self.is_secretariat and self.round.secretariat_sees_caucus:
            return frozenset(c.value for c in SOCIAL_PARTNERS)
        return frozenset()

    @property
    def audiences(self) -> frozenset[str]:
        """Every event audience this viewer belongs to."""
        if not self.is_participant:
            return frozenset({PUBLIC})
        found = {PUBLIC, PARTICIPANTS, *(caucus_audience(c) for c in self.visible_caucuses)}
        if self.user_id is not None:
            found.add(user_audience(self.user_id))
        if self.is_secretariat:
            found.add(SECRETARIAT)
        return frozenset(found)

    def may_see_event(self, event: Event) -> bool:
        """Whether the viewer may receive this event, live or replayed."""
        return event.audience in self.audiences

    def may_see_comment(self, comment: Comment) -> bool:
        """Whether the viewer may read this comment (a hidden one still shows as a tombstone)."""
        if not self.is_participant:
            return False
        return comment.channel == Channel.PLENARY or (comment.caucus or "") in self.visible_caucuses

    def comment_filter(self) -> ColumnElement[bool]:
        """The SQL form of `may_see_comment`, so lists filter and paginate in the database."""
        if not self.is_participant:
            return Comment.id.is_(None)
        return or_(Comment.channel == Channel.PLENARY, Comment.caucus.in_(sorted(self.visible_caucuses)))

    def event_filter(self) -> ColumnElement[bool]:
        """The SQL form of `may_see_event`."""
        return Event.audience.in_(sorted(self.audiences))


def view_round(session: Session, user: User | None, round: Round) -> RoundView:
    """The viewer's standing in a round: a participant when their organisation is invited and not removed."""
    if user is None:
        return RoundView(round, None, None)
    invited = session.scalar(
        select(Participant.id).where(
            Participant.round_id == round.id,
            Participant.organisation_id == user.organisation_id,
            Participant.removed_at.is_(None),
        )
    )
    constituency = user.constituency if invited else None
    return RoundView(round, user.id, constituency, user.organisation_id)


def lens_view(round: Round, constituency: Constituency | None) -> RoundView:
    """A view for a whole constituency room (pushes), with no one person in it."""
    return RoundView(round, None, constituency)


def is_masked(round: Round, author_constituency: str, lens: Constituency | None) -> bool:
    """Whether a worker representative's identity is withheld from this lens."""
    return (
        author_constituency == Constituency.WORKERS
        and round.identity_policy != IdentityPolicy.NAMED
        and lens != Constituency.WORKERS
    )


def present_author(round: Round, lens: Constituency | None, user: User, organisation: Organisation,
                   constituency: str, alias: int | None) -> dict[str, Any]:
    """How an author is shown to a lens: named, as "a representative of <union>", or by pseudonym."""
    if not is_masked(round, constituency, lens):
        return {"id": user.id, "name": user.display_name, "organisation": organisation.name,
                "constituency": constituency, "role": user.role_title}
    if round.identity_policy == IdentityPolicy.ORGANISATION:
        return {"id": None, "name": f"A representative of {organisation.name}",
                "organisation": organisation.name, "constituency": constituency, "role": None}
    label = f"Worker representative {alias}" if alias else "Worker representative"
    return {"id": None, "name": label, "organisation": None, "constituency": constituency, "role": None}


def aliases_of(session: Session, round_id: int) -> dict[int, int]:
    """The round's pseudonym numbers by user id."""
    rows = session.execute(select(Alias.user_id, Alias.number).where(Alias.round_id == round_id))
    return {user_id: number for user_id, number in rows}


def present_comment(view: RoundView, comment: Comment, aliases: dict[int, int],
                    tallies: dict[int, dict] | None = None, revisions: dict[int, int] | None = None) -> dict[str, Any]:
    """A comment as this viewer may see it: the author under the identity policy, hidden text withheld."""
    shows_text = not comment.is_hidden or view.is_secretariat
    author = present_author(view.round, view.constituency, comment.author, comment.author_organisation,
                            comment.author_constituency, aliases.get(comment.author_id))
    return {
        "id": comment.id,
        "round_id": comment.round_id,
        "section": comment.section.key,
        "parent_id": comment.parent_id,
        "channel": comment.channel.value,
        "caucus": comment.caucus.value if comment.caucus else None,
        "author": author,
        "body": comment.body if shows_text else None,
        "body_html": comment.body_html if shows_text else None,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "is_hidden": comment.is_hidden,
        "hidden_reason": comment.hidden_reason,
        "revisions": (revisions or {}).get(comment.id, 0) if shows_text else 0,
        "reactions": (tallies or {}).get(comment.id, {}),
    }


def present_event(view: RoundView, event: Event, actor: dict[str, Any] | None) -> dict[str, Any]:
    """An event as this viewer may see it; `actor` comes from `present_author` for the same lens."""
    return {
        "round_id": event.round_id,
        "seq": event.seq,
        "type": event.type,
        "actor": actor,
        "payload": event.payload,
        "created_at": event.created_at,
    }
