"""Checking every round's hash chain: a changed, removed or reordered event is named, with the first one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.events.chain import event_hash
from consult.events.models import Event
from consult.rounds.models import Round


@dataclass(frozen=True)
class ChainBreak:
    """The first event of a round whose place in the chain does not hold."""

    round_id: int
    seq: int
    problem: str


def verify_round(session: Session, round: Round) -> ChainBreak | None:
    """The first break in a round's chain, or None when every event is what was written."""
    previous, expected_seq = "", 1
    counts: dict[str, int] = {}
    for event in session.scalars(select(Event).where(Event.round_id == round.id).order_by(Event.seq)
                                 .execution_options(yield_per=1000)):
        if event.seq != expected_seq:
            return ChainBreak(round.id, expected_seq, f"event {expected_seq} is missing (found {event.seq} next)")
        if event.prev_hash != previous:
            return ChainBreak(round.id, event.seq, "it does not chain onto the event before it")
        recomputed = event_hash(previous, round_id=event.round_id, seq=event.seq, type=event.type,
                                actor_id=event.actor_id, audience=event.audience, payload=event.payload,
                                created_at=event.created_at)
        if recomputed != event.hash:
            return ChainBreak(round.id, event.seq, "its content was changed after it was written")
        counts[event.audience] = counts.get(event.audience, 0) + 1
        if event.audience_seq != counts[event.audience]:
            return ChainBreak(round.id, event.seq, f"it is numbered {event.audience_seq} among its audience's events, "
                                                   f"not {counts[event.audience]}")
        previous, expected_seq = event.hash, expected_seq + 1
    if round.last_seq != expected_seq - 1:
        return ChainBreak(round.id, expected_seq, f"the round counts {round.last_seq} events, the log holds "
                                                  f"{expected_seq - 1}")
    if (round.audience_heads or {}) != counts:
        return ChainBreak(round.id, expected_seq - 1, "the round's count of each audience does not match its log")
    if round.last_event_hash != previous:
        return ChainBreak(round.id, expected_seq - 1, "the round's head hash does not match its last event")
    return None


def verify_all(session: Session, round_id: int | None = None) -> tuple[int, list[ChainBreak]]:
    """Check every round (or one): how many were checked, and the breaks found."""
    statement = select(Round).order_by(Round.id)
    if round_id is not None:
        statement = statement.where(Round.id == round_id)
    rounds = session.scalars(statement).unique().all()
    breaks = [found for round in rounds if (found := verify_round(session, round))]
    return len(rounds), breaks
