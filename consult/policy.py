"""Who may see what: the one place that decides, for the API, pushes, replay, pages, search and exports.

It answers two questions. May this viewer see this round, event or comment? And how is this author shown
to this viewer? Presentation depends only on the viewer's constituency (their "lens"), so a live push is
rendered once per constituency room and everyone in a room receives the same, correct, bytes.

THE UNLINKABILITY RULE. Under the `organisation` and `pseudonymous` identity policies a worker
representative's pseudonym ("Worker representative 3", or "A representative of <union>") belongs to
discussion content only. No record that a viewer outside the workers' side, or the public, can obtain (an API
object, an event, a page, a CSV or JSON row, a PDF, a registry entry, a verification answer, a socket frame)
joins a pseudonym to a person, to an organisation (beyond the union the `organisation` label names) or to
anything that narrows it to fewer people than the round's worker side. So:
- acts done as a discussant (`DISCUSSION_EVENTS`: posting, editing a comment) are shown under the pseudonym
  and never with a name;
- acts done in a named capacity (`NAMED_EVENTS`: naming a signatory, being named, signing) are shown by name
  and never under the pseudonym; their events carry no alias;
- every other act of a masked worker (a stance, an export request, a progress update) is shown as the
  workers' side, with neither name nor pseudonym (`present_actor`);
- the outcome document lists who took part per organisation by name only under `named`; under
  `organisation` each union with a count of its commenters; under `pseudonymous` the unions with no count,
  since a count per union tells which union the pseudonyms belong to whenever one union alone wrote
  (`shows_people`, `counts_commenters`, consult/outcomes/snapshot.py). Outcomes frozen
  before this rule keep their digest and their stored canonical text (the signatures bind it), but every
  path serves them through `public_document`, and migration 0007 re-renders their PDFs and registry entries;
- anonymity sets: with fewer than `MIN_ANONYMITY_SET` people in a worker organisation, or on the worker side
  as a whole, these policies cannot hide anyone; `anonymity_of` says so to the secretariat and to workers.

The other paths that could narrow a pseudonym, decided here and tested in tests/test_unlinkability.py:
- reactions: counted per comment, kind and constituency only; the reacting person is never shown and the
  `comment.reacted` event has no actor;
- edit histories: a revision carries its text and time, never an author (only the author may edit);
- replies addressed to a pseudonym: a reply names its parent comment by id, never the parent's author;
- the participation chart counts comments and stances per constituency and stage, never per organisation;
- presence counts connected people per constituency, never names;
- `event: null` placeholders: every constituency room receives every sequence number at the same moment, so
  their timing tells a caucus's activity at the level of the whole constituency, which the caucus's own
  existence tells already; events addressed to one person carry nothing but their sequence number;
- the people page lists worker representatives by name only to the workers' side and to the secretariat
  (who name signatories); an employer, a government or an observer sees worker organisations and the named
  signatory only.

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
from typing import Any

from flask_babel import gettext
from sqlalchemy import ColumnElement, bindparam, or_, select
from sqlalchemy.orm import Session

from consult.accounts.models import SOCIAL_PARTNERS, Constituency, Organisation, User
from consult.comments.models import Channel, Comment
from consult.db import transaction_cache, utcnow
from consult.events.catalogue import AS_DISCUSSANT, BY_NAME, acted_as
from consult.events.models import Event
from consult.opinions.models import Expert
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
    return (Participant.round_id == round_id) & (Participant.organisation_id == organisation_id) \
        & Participant.removed_at.is_(None)


def appointed(round_id: Any, user_id: Any, now: Any) -> ColumnElement[bool]:
    """The SQL condition of an expert's appointment that runs at `now`: not ended, its end date not passed."""
    return (Expert.round_id == round_id) & (Expert.user_id == user_id) & Expert.ended_at.is_(None) \
        & or_(Expert.ends_at.is_(None), Expert.ends_at > now)


#: Built once: every request about a round asks it (building a statement costs more than running it).
_INVITED = select(Participant.id).where(invited(bindparam("round_id"), bindparam("organisation_id")))
_ALIASES = select(Alias.user_id, Alias.number).where(Alias.round_id == bindparam("round_id"))


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


def is_masked(round: Round, author_constituency: str, lens: Constituency | None) -> bool:
    """Whether a worker representative's identity is withheld from this lens."""
    return (
        author_constituency == Constituency.WORKERS
        and round.identity_policy != IdentityPolicy.NAMED
        and lens != Constituency.WORKERS
    )


def _by_name(user: User, organisation: Organisation, constituency: str) -> dict[str, Any]:
    return {"id": user.id, "name": user.display_name, "organisation": organisation.name,
            "constituency": constituency, "role": user.role_title}


def present_author(round: Round, lens: Constituency | None, user: User, organisation: Organisation,
                   constituency: str, alias: int | None) -> dict[str, Any]:
    """How an author is shown to a lens: named, as "a representative of <union>", or by pseudonym."""
    if not is_masked(round, constituency, lens):
        return _by_name(user, organisation, constituency)
    if round.identity_policy == IdentityPolicy.ORGANISATION:
        return {"id": None, "name": gettext("A representative of %(organisation)s", organisation=organisation.name),
                "organisation": organisation.name, "constituency": constituency, "role": None}
    # In the reader's language on a page; a push made after commit has no reader's locale and says it in
    # English, which the live script translates with the page's labels (templates/_live.html).
    label = gettext("Worker representative %(number)s", number=alias) if alias else gettext("Worker representative")
    return {"id": None, "name": label, "organisation": None, "constituency": constituency, "role": None}


#: Acts done as a discussant: their actor is shown under the identity policy, never with a name.
#: Acts done in a named capacity: their actor is shown by name, never under the pseudonym.
#: (Each event type says which it is where it is declared, consult/events/catalogue.py.)
DISCUSSION_EVENTS, NAMED_EVENTS = acted_as(AS_DISCUSSANT), acted_as(BY_NAME)


def present_actor(round: Round, lens: Constituency | None, event_type: str, user: User,
                  alias: int | None) -> dict[str, Any]:
    """Who did an event's act, as this lens is shown it: the unlinkability rule applied to acts."""
    constituency = user.constituency.value
    if event_type in NAMED_EVENTS or not is_masked(round, constituency, lens):
        return _by_name(user, user.organisation, constituency)
    if event_type in DISCUSSION_EVENTS:
        return present_author(round, lens, user, user.organisation, constituency, alias)
    return {"id": None, "name": "The workers' side", "organisation": None, "constituency": constituency,
            "role": None}


def member_in_charge_shown(round: Round, constituency: str, lens: Constituency | None) -> bool:
    """Whether a lens may be told who the appointing constituency's member in charge of its expert is: the
    same as seeing that constituency's people by name (the people page's rule)."""
    return lens == Constituency.SECRETARIAT or not is_masked(round, constituency, lens)


def shows_people(round: Round, constituency: str) -> bool:
    """Whether the outcome document may list this constituency's commenters by name (never by pseudonym)."""
    return not is_masked(round, constituency, None)


def counts_commenters(round: Round, constituency: str) -> bool:
    """Whether the outcome document may count an organisation's commenters (not pseudonymous workers')."""
    return not (is_masked(round, constituency, None) and round.identity_policy == IdentityPolicy.PSEUDONYMOUS)


def aliases_of(session: Session, round_id: int) -> dict[int, int]:
    """The round's pseudonym numbers by user id (as `held_aliases` left them, in a transaction that locked it)."""
    held = transaction_cache(session).get(("aliases", round_id))
    if held is not None:
        return dict(held)
    rows = session.execute(_ALIASES, {"round_id": round_id})
    return {user_id: number for user_id, number in rows}


def held_aliases(session: Session, round_id: int) -> dict[int, int]:
    """The pseudonyms of a round this transaction has locked, read once: nobody else numbers one until it ends,
    so the caller adds the ones it gives to this dict, and `aliases_of` answers from it."""
    key = ("aliases", round_id)
    cache = transaction_cache(session)
    if key not in cache:
        cache[key] = {user_id: number for user_id, number in session.execute(_ALIASES, {"round_id": round_id})}
    return cache[key]


def present_comment(view: RoundView, comment: Comment, aliases: dict[int, int],
                    tallies: dict[int, dict] | None = None, revisions: dict[int, int] | None = None) -> dict[str, Any]:
    """A comment as this viewer may see it: the author under the identity policy, hidden text withheld."""
    shows_text = not comment.is_hidden or view.is_secretariat
    author = present_author(view.round, view.constituency, comment.author, comment.author_organisation,
                            comment.author_constituency, aliases.get(comment.author_id))
    return {
        "id": comment.public_id,  # never the row id: it counts the caucus comments too (consult/public_ids.py)
        "round_id": comment.round_id,
        "section": comment.section.key,
        "parent_id": comment.parent_public_id,
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
        "audience": event.audience,
        "seq": event.audience_seq,
        "type": event.type,
        "actor": actor,
        "payload": event.payload,
        "created_at": event.created_at,
    }


def may_notify(view: RoundView, audience: str) -> bool:
    """Whether a notification derived from an event of this audience may reach this viewer at all."""
    return view.is_participant and audience in view.audiences


def may_notify_expert(view: RoundView, constituency: str) -> bool:
    """Whether an appointed expert may be told of a date of their own appointment's calendar: only while it runs
    (`view_round` finds no ended or expired appointment), and nothing else of the round."""
    return not view.is_participant and view.expert_for == constituency


def notification_author(view: RoundView, comment: Comment, aliases: dict[int, int]) -> str:
    """The author's name as a notification to this viewer may give it: as the page shows it to them."""
    return present_author(view.round, view.constituency, comment.author, comment.author_organisation,
                          comment.author_constituency, aliases.get(comment.author_id))["name"]


def sees_affected_workers(view: RoundView) -> bool:
    """Whether the viewer sees the affected workers' names and addresses: the employer whose plan it is and the
    secretariat; everyone else sees counts."""
    if view.is_secretariat:
        return True
    return view.constituency == Constituency.EMPLOYERS and view.organisation_id == view.round.employer_id
