"""How an author, an act, a comment or an event is shown to a viewer: the identity policy, applied.

Presentation depends only on the viewer's constituency (their "lens"), so a live push is rendered once per
constituency room and everyone in a room receives the same, correct, bytes.

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
"""

from __future__ import annotations

from typing import Any, cast

from flask_babel import gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from consult.accounts.models import Constituency, Organisation, User
from consult.comments.models import Comment
from consult.db import transaction_cache
from consult.events.catalogue import AS_DISCUSSANT, BY_NAME, acted_as
from consult.events.models import Event
from consult.policy.access import RoundView
from consult.rounds.models import Alias, Round
from consult.rounds.plan import IdentityPolicy

#: Built once: every request that shows an author asks it (building a statement costs more than running it).
_ALIASES = select(Alias.user_id, Alias.number).where(Alias.round_id == bindparam("round_id"))


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
    return cast(dict[int, int], cache[key])


def present_comment(view: RoundView, comment: Comment, aliases: dict[int, int],
                    tallies: dict[int, dict[str, dict[str, int]]] | None = None,
                    revisions: dict[int, int] | None = None) -> dict[str, Any]:
    """A comment as this viewer may see it: the author under the identity policy, hidden text withheld."""
    shows_text = not comment.is_hidden or view.is_secretariat
    author = present_author(view.round, view.constituency, comment.author, comment.author_organisation,
                            comment.author_constituency, aliases.get(comment.author_id))
    return {
        "id": comment.public_id,  # never the row id: it counts the caucus comments too (consult/public_ids.py)
        "round_id": comment.round_id,
        "section": comment.section.key,
        "parent_id": comment.parent_public_id,  # type: ignore[attr-defined]  # a column_property set after the class
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


def notification_author(view: RoundView, comment: Comment, aliases: dict[int, int]) -> str:
    """The author's name as a notification to this viewer may give it: as the page shows it to them."""
    return cast(str, present_author(view.round, view.constituency, comment.author, comment.author_organisation,
                                    comment.author_constituency, aliases.get(comment.author_id))["name"])
