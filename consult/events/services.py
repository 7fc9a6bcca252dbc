"""Appending to a round's event log, inside the transaction of the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from consult.bulk import insert_many
from consult.db import utcnow
from consult.events.catalogue import check
from consult.events.chain import event_hash
from consult.events.dispatcher import CommittedEvent, note_written
from consult.events.models import Event
from consult.rounds.models import Round
from consult.wiring import wiring_of

#: Built once (every write asks it; building a statement costs more than running it).
_LOCKED_ROUND = (select(Round).where(Round.id == bindparam("round_id")).with_for_update(of=Round)
                 .execution_options(populate_existing=True))


def lock_round(session: Session, round_id: int) -> Round | None:
    """Load a round for writing: PostgreSQL locks its row until commit, so the round's writers queue up.

    Taking the lock before anything else is what makes sequence numbers follow commit order.
    (SQLite needs no row lock: a writer holds the database's write lock from BEGIN IMMEDIATE.)
    """
    return session.execute(_LOCKED_ROUND, {"round_id": round_id}).unique().scalar_one_or_none()


#: A round's head, as next_event moves it; and one event's insert that also writes it (PostgreSQL only: SQLite
#: has no data-modifying WITH).
_HEAD = ("last_seq", "audience_heads", "last_event_hash")
_MOVED_HEAD = (update(Round.__table__).where(Round.__table__.c.id == bindparam("head_id"))
               .values({name: bindparam(f"head_{name}", type_=Round.__table__.c[name].type) for name in _HEAD})
               .cte("moved_head"))
_EVENT_VALUES = {column.name: bindparam(f"event_{column.name}", type_=column.type)
                 for column in Event.__table__.c if column.name != "id"}
_EVENT_MOVING_HEAD = (insert(Event.__table__).add_cte(_MOVED_HEAD).returning(Event.__table__.c.id)
                      .values(_EVENT_VALUES))
#: The same event and head as CTEs that another statement carries (`carrying_event`), so that a change and its
#: event are written in one round trip; the statement returns the event's id as CARRIED_EVENT_ID.
_CARRIED_EVENT = insert(Event.__table__).returning(Event.__table__.c.id).values(_EVENT_VALUES).cte("new_event")
CARRIED_EVENT_ID = select(_CARRIED_EVENT.c.id).scalar_subquery().label("carried_event_id")


def append_event(session: Session, round: Round, type: str, *, actor_id: int | None, audience: str,
                 payload: dict[str, Any], at: datetime | None = None) -> None:
    """Append an event to a round locked with lock_round, in the caller's transaction.

    The event is written at once by one Core statement, as the scheduler writes its own (the most frequent
    write there is needs no unit of work); whatever else the transaction holds is flushed first. On PostgreSQL
    the same statement moves the round's head (a round trip fewer); elsewhere it is flushed with the rest.
    """
    if carries_events(session, round):
        row, parameters = carried_event(round, type, actor_id=actor_id, audience=audience, payload=payload, at=at)
        event_carried(session, round, row, session.execute(_EVENT_MOVING_HEAD, parameters).scalar_one())
        return
    row = next_event(round, type, actor_id=actor_id, audience=audience, payload=payload, at=at)
    insert_events(session, [row])
    _react(session, round, type)


def carrying_event(statement):
    """`statement` (PostgreSQL) also appending one event and moving its round's head: see `carried_event`."""
    return statement.add_cte(_MOVED_HEAD).add_cte(_CARRIED_EVENT)


def carries_events(session: Session, round: Round) -> bool:
    """Whether a statement can append the round's next event as it writes something else (PostgreSQL)."""
    return session.get_bind().dialect.name == "postgresql" and inspect(round).persistent


def carried_event(round: Round, type: str, *, actor_id: int | None, audience: str, payload: dict[str, Any],
                  at: datetime | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The next event of a locked round (as `append_event` appends it), to be written by a statement made with
    `carrying_event`: its column values, and the parameters that statement takes for it.

    While a writer holds the round's lock every round trip counts: under gevent each one lets the rest of the
    process run (a push to hundreds of sockets) before the writer goes on, and the round's next writer waits
    for all of it. Once the statement has run, `event_carried` hands the event on."""
    row = next_event(round, type, actor_id=actor_id, audience=audience, payload=payload, at=at, written=True)
    # Every parameter named apart from the columns: a parameter named as one would be set in both tables.
    return row, {"head_id": round.id, **{f"head_{name}": getattr(round, name) for name in _HEAD},
                 **{f"event_{name}": value for name, value in row.items()}}


def event_carried(session: Session, round: Round, row: dict[str, Any], event_id: int) -> None:
    """An event written by a statement made with `carrying_event`: delivered after the commit, its hooks run."""
    row["id"] = event_id
    note_written(session, [CommittedEvent(**{key: row[key] for key in CommittedEvent.COLUMNS})])
    _react(session, round, row["type"])


def _react(session: Session, round: Round, type: str) -> None:
    """The features that react, in the same transaction, to an appended event: the application's event hooks
    (consult/bootstrap.py), such as a legal clock that an event starts or extends. The scheduler's bulk-inserted
    events do not pass here; they react through the timeline's stage hooks."""
    for hook in wiring_of(session).event_hooks:
        hook(session, round, type)


def next_event(round: Round, type: str, *, actor_id: int | None, audience: str, payload: dict[str, Any],
               at: datetime | None = None, written: bool = False) -> dict[str, Any]:
    """The next event of a locked round as column values, numbered and chained onto its head, which moves on.

    `written`: the caller's own statement writes the moved head, so the session is not told it changed (a
    flush would write it again, and every flush until the commit would have the round to look at).
    Every writer passes here: a type or audience consult/events/catalogue.py does not declare is refused."""
    check(type, audience)
    created_at = at or utcnow()
    seq = round.last_seq + 1
    heads = dict(round.audience_heads or {})
    heads[audience] = heads.get(audience, 0) + 1
    digest = event_hash(round.last_event_hash, round_id=round.id, seq=seq, type=type, actor_id=actor_id,
                        audience=audience, payload=payload, created_at=created_at)
    values = {"round_id": round.id, "seq": seq, "type": type, "actor_id": actor_id, "audience": audience,
              "audience_seq": heads[audience], "payload": payload, "created_at": created_at,
              "prev_hash": round.last_event_hash, "hash": digest}
    move = set_committed_value if written else setattr
    move(round, "last_seq", seq)
    move(round, "audience_heads", heads)  # a new dict: the column is written back
    move(round, "last_event_hash", digest)
    return values


def insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write many events made by next_event in one statement; they are dispatched after commit like the others.

    SQLite cannot return the ids of a multi-row insert in order, so there the ids are given up front, as
    SQLite itself would give them (the largest plus one): the caller holds the write lock (BEGIN IMMEDIATE).
    """
    if not rows:
        return
    table = Event.__table__
    if len(rows) == 1:  # one row's id comes back in order on every database
        rows[0]["id"] = session.execute(insert(table).returning(table.c.id), rows[0]).scalar_one()
    elif session.get_bind().dialect.name == "sqlite":
        last = session.execute(select(func.max(table.c.id))).scalar() or 0
        for number, row in enumerate(rows, start=last + 1):
            row["id"] = number
        insert_many(session, table, rows)
    else:  # PostgreSQL: the ids drawn from the sequence first, then the rows by COPY (a multi-row VALUES with
        # RETURNING is a new statement of thousands of parameters for psycopg to parse each time)
        ids = sorted(session.scalars(select(func.nextval(func.pg_get_serial_sequence("events", "id")))
                                     .select_from(func.generate_series(1, len(rows)))))
        for row, event_id in zip(rows, ids, strict=True):
            row["id"] = event_id
        insert_many(session, table, rows)
    note_written(session, [CommittedEvent(**{key: row[key] for key in CommittedEvent.COLUMNS})
                           for row in rows])
