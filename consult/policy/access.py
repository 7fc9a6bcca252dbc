"""May this viewer see this round, event, comment or document? Audiences, a viewer's standing, and who is told.

Every event is written to one audience (the participants, a caucus, the secretariat, one person, the public),
and a viewer sees the events of the audiences they belong to (`RoundView.audiences`); comments, package
documents and notifications follow the same rule.

AFFECTED WORKERS. The workers a plan affects, listed for their individual information (AI Act Art. 26(7),
Platform Work Directive Art. 9; consult/informing), are personal data of people who are not parties: only
the employer whose plan it is and the secretariat see their names, addresses and how each was informed
(`sees_affected_workers`); every other party, every event, export and the outcome document get counts only.

EXPERTS. An expert a constituency appointed (consult/opinions) is no participant: every route of the round
answers them 404, as it answers anyone outside it. Their view (`expert_for`) opens the information package
and the appointing constituency's caucus, read through the routes made for them, and nothing else; they read
the caucus as an outsider to the worker side would (pseudonyms stay pseudonyms: the expert is not a worker
representative, and naming people to them is not needed for their brief). Only for the appointment's term:
`view_round` finds no appointment once it was ended (by decision, or by the person's deactivation) or its end
date has passed, and consult/opinions/experts.py's `get_expert_view` also ends it at the round's conclusion.
Appointing and ending are named acts (the constituency's signatory, or the secretariat); the member in charge
of the expert is named only to those who see that constituency's people by name (`member_in_charge_shown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, bindparam, or_, select
from sqlalchemy.orm import Session

from consult.accounts.models import SOCIAL_PARTNERS, Constituency, User
from consult.comments.models import Channel, Comment
from consult.db import utcnow
from consult.events.models import Event
from consult.opinions.models import Expert
from consult.rounds.models import Participant, Round

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
    expert_for: str | None = None  # the constituency whose appointed expert the viewer is (not a participant)

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
        if self.expert_for is not None:
            return frozenset({self.expert_for})
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
        if self.expert_for is not None:
            return comment.channel == Channel.CAUCUS and (comment.caucus or "") == self.expert_for
        if not self.is_participant:
            return False
        return comment.channel == Channel.PLENARY or (comment.caucus or "") in self.visible_caucuses

    def comment_filter(self) -> ColumnElement[bool]:
        """The SQL form of `may_see_comment`, so lists filter and paginate in the database."""
        if self.expert_for is not None:
            return (Comment.channel == Channel.CAUCUS) & (Comment.caucus == self.expert_for)
        if not self.is_participant:
            return Comment.id.is_(None)
        return or_(Comment.channel == Channel.PLENARY, Comment.caucus.in_(sorted(self.visible_caucuses)))

    @property
    def sees_package_drafts(self) -> bool:
        """Whether the viewer sees package documents before their release: the employer whose plan it is and
        the secretariat, who prepare the package."""
        return self.is_secretariat or (self.organisation_id is not None
                                       and self.organisation_id == self.round.employer_id)

    def may_see_document(self, caucus: Constituency | str | None, *, is_released: bool) -> bool:
        """Whether the viewer may learn of a package document: one for every party, or one for a caucus the
        viewer reads (the same rule as caucus comments); before release, only those who prepare it. An appointed
        expert reads the released package: every party's documents and their constituency's caucus documents."""
        if not (self.is_participant or self.expert_for is not None):
            return False
        if caucus is not None and str(getattr(caucus, "value", caucus)) not in self.visible_caucuses:
            return False
        return is_released or self.sees_package_drafts

    def event_filter(self) -> ColumnElement[bool]:
        """The SQL form of `may_see_event`."""
        return Event.audience.in_(sorted(self.audiences))


def package_audience(caucus: Constituency | None) -> str:
    """The audience of a package document's events: every participant, or the one caucus it is for."""
    return caucus_audience(caucus.value) if caucus is not None else PARTICIPANTS


def invited(round_id: Any, organisation_id: Any) -> ColumnElement[bool]:
    """The SQL condition of a participation: the organisation is invited to the round and not removed."""
    # cast: SQLAlchemy's comparison with an Any operand reads as Any to mypy; it is a condition.
    return cast(ColumnElement[bool], (Participant.round_id == round_id)
                & (Participant.organisation_id == organisation_id) & Participant.removed_at.is_(None))


def appointed(round_id: Any, user_id: Any, now: Any) -> ColumnElement[bool]:
    """The SQL condition of an expert's appointment that runs at `now`: not ended, its end date not passed."""
    return cast(ColumnElement[bool], (Expert.round_id == round_id) & (Expert.user_id == user_id)  # as above
                & Expert.ended_at.is_(None) & or_(Expert.ends_at.is_(None), Expert.ends_at > now))


#: Built once: every request about a round asks it (building a statement costs more than running it).
_INVITED = select(Participant.id).where(invited(bindparam("round_id"), bindparam("organisation_id")))


def view_round(session: Session, user: User | None, round: Round, *, invited: bool | None = None) -> RoundView:
    """The viewer's standing in a round: a participant when their organisation is invited and not removed
    (`invited`: already read by the caller, in the statement that loaded the round)."""
    if user is None:
        return RoundView(round, None, None)
    if invited is None:
        invited = session.scalar(_INVITED, {"round_id": round.id, "organisation_id": user.organisation_id}) is not None
    expert_for = None if invited else session.scalar(select(Expert.constituency).where(
        appointed(round.id, user.id, utcnow())))
    return standing(round, user.id, user.organisation_id, user.constituency, invited, expert_for)


def standing(round: Round, user_id: int, organisation_id: int, constituency: Constituency, is_invited: bool,
             expert_for: Constituency | None) -> RoundView:
    """A person's view from what `view_round` reads: a participant if invited, else an expert if appointed."""
    return RoundView(round, user_id, constituency if is_invited else None, organisation_id,
                     None if is_invited or expert_for is None else Constituency(expert_for).value)


def lens_view(round: Round, constituency: Constituency | None) -> RoundView:
    """A view for a whole constituency room (pushes), with no one person in it."""
    return RoundView(round, None, constituency)


def may_notify(view: RoundView, audience: str) -> bool:
    """Whether a notification derived from an event of this audience may reach this viewer at all."""
    return view.is_participant and audience in view.audiences


def may_notify_expert(view: RoundView, constituency: str) -> bool:
    """Whether an appointed expert may be told of a date of their own appointment's calendar: only while it runs
    (`view_round` finds no ended or expired appointment), and nothing else of the round."""
    return not view.is_participant and view.expert_for == constituency


def sees_affected_workers(view: RoundView) -> bool:
    """Whether the viewer sees the affected workers' names and addresses: the employer whose plan it is and the
    secretariat; everyone else sees counts."""
    if view.is_secretariat:
        return True
    return view.constituency == Constituency.EMPLOYERS and view.organisation_id == view.round.employer_id
