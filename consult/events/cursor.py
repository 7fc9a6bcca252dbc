"""Where a viewer stands in a round's log: one count per audience they see, never the round's own count.

The log's sequence number counts every event of the round, the caucuses' included; a viewer who was shown
it could count what went where they may not look. So each event is numbered within its audience
(`Event.audience_seq`), the round keeps its audiences' counts (`Round.audience_heads`), and a viewer's place
is a cursor, `{audience: the last number held}`, over the audiences they see: the API's replay, the socket's
join and catch-up, the live push and heartbeat, and the round's page all speak it. In a query string a cursor
is written `participants:12,caucus:workers:3` (each audience, a colon, its number).
"""

from __future__ import annotations

import re

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from consult.events.models import Event
from consult.rounds.models import Round

Cursor = dict[str, int]
#: An audience's name as the log writes it: "participants", "public", "secretariat", "caucus:workers", "user:12".
AUDIENCE = re.compile(r"[a-z]{1,20}(?::[a-z0-9_]{1,20})?")
#: One audience's place in a query string: the audience, a colon, its number.
CURSOR_TEXT = re.compile(rf"({AUDIENCE.pattern}):([0-9]{{1,9}})")


def heads_of(round: Round, audiences) -> Cursor:
    """The round's count of each of these audiences (0 for one with no event yet)."""
    heads = round.audience_heads or {}
    return {audience: int(heads.get(audience, 0)) for audience in sorted(audiences)}


def parse(text: str) -> Cursor | None:
    """A cursor written in a query string, or None when it is not one ("" and "0": nothing held)."""
    if text in ("", "0"):
        return {}
    found: Cursor = {}
    for part in text.split(","):
        match = CURSOR_TEXT.fullmatch(part)
        if match is None or match.group(1) in found:
            return None
        found[match.group(1)] = int(match.group(2))
    return found


def written(cursor: Cursor) -> str:
    """A cursor as a query string writes it."""
    return ",".join(f"{audience}:{number}" for audience, number in sorted(cursor.items()))


def missing(cursor: Cursor, heads: Cursor) -> int:
    """How many events of these audiences the cursor has not seen."""
    return sum(max(0, head - cursor.get(audience, 0)) for audience, head in heads.items())


def after(round_id: int, cursor: Cursor, heads: Cursor):
    """The SQL condition for the events of `heads`' audiences past the cursor and not past the heads."""
    wanted = [and_(Event.audience == audience, Event.audience_seq > cursor.get(audience, 0),
                   Event.audience_seq <= head)
              for audience, head in heads.items() if head > cursor.get(audience, 0)]
    return and_(Event.round_id == round_id, or_(*wanted) if wanted else false())


def events_after(session: Session, round_id: int, cursor: Cursor, heads: Cursor, limit: int) -> list[Event]:
    """The events past the cursor up to the heads, in the log's order, `limit` at most."""
    return list(session.scalars(select(Event).where(after(round_id, cursor, heads)).order_by(Event.seq)
                                .limit(limit)))


def moved(cursor: Cursor, events, heads: Cursor, *, complete: bool) -> Cursor:
    """The cursor once these events are held: at the heads when they were all of them, else at the last one
    of each audience (the log's order keeps each audience's numbers in order)."""
    if complete:
        return {audience: max(head, cursor.get(audience, 0)) for audience, head in heads.items()}
    found = {audience: cursor.get(audience, 0) for audience in heads}
    for event in events:
        found[event.audience] = max(found.get(event.audience, 0), event.audience_seq)
    return found
