"""Opaque public ids: what users see of a per-round row instead of its row id.

Row ids count across audiences: comments of every caucus and of plenary share one counter (as do questions,
opinions, package documents, and every round's rows), so a worker who saw plenary comments 10 and 13 would
learn that two comments went to a caucus it does not read. Each such row carries a `public_id`, a letter
naming its kind then 80 random bits in base32, and every boundary (URLs, API bodies, page anchors and forms,
socket payloads, exports, new events) names the row by it; row ids stay inside.

`by_reference` resolves what a URL or an input names: a public id, or the row id of a link or an event made
before public ids (the caller still asks the policy whether the viewer may see the row, and answers a row
they may not see as one that does not exist). A row id opens only a row that was once named by it: one no
larger than its table's last such row (`LegacyRowIds`, kept by migration 0024). Were any row id to open its
row, a worker probing /comments/1, /comments/2... would find their own at 1 and 5 and count the caucus
comments between.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any, TypeVar, cast

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from consult.db import Base

#: Long enough for any kind's public id (17 characters) with room to spare.
PUBLIC_ID_LENGTH = 20
#: session.info key: rows the session wrote itself, by (model, public id), so naming them reads nothing.
_HELD = "consult.public_ids.held"

Row = TypeVar("Row")


class LegacyRowIds(Base):
    """Per table, the largest row id that links and events made before public ids named (0: none)."""

    __tablename__ = "legacy_row_ids"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)


def new_public_id(kind: str) -> str:
    """An opaque name: a letter saying what it names, then 80 random bits in lower-case base32 (17 chars)."""
    return kind + base64.b32encode(secrets.token_bytes(10)).decode().lower()


def hold(session: Session, row: Any) -> None:
    """A row this session wrote: `by_reference` finds it by its public id without asking the database again
    (as `session.get` finds a row by its row id)."""
    session.info.setdefault(_HELD, {})[(type(row), row.public_id)] = row


def held(session: Session, model: type[Row], public_id: Any) -> Row | None:
    """The row of this public id the session wrote itself, if it did (and still holds it)."""
    row = session.info.get(_HELD, {}).get((model, public_id))
    return row if row is not None and row in session else None


def by_reference(session: Session, model: type[Row], round_id: int | None, reference: Any) -> Row | None:
    """The row of a round a URL or an input names, by its public id or an old row id; None if there is none
    (or it is another round's). `round_id` None: any round (the caller checks)."""
    reference = str(reference)
    if reference.isascii() and reference.isdigit():
        row = session.get(model, int(reference)) if len(reference) <= 9 and _was_named(
            session, model, int(reference)) else None
    elif 0 < len(reference) <= PUBLIC_ID_LENGTH:
        row = held(session, model, reference)
        if row is None:
            # cast: `model` is a per-round model with a public id, which type[Row] cannot say.
            column = cast(Any, model).public_id
            row = session.scalars(select(model).where(column == reference)).unique().one_or_none()
            if row is not None:
                hold(session, row)
    else:
        row = None
    if row is None or (round_id is not None and cast(Any, row).round_id != round_id):  # as `model`, a round's
        return None
    return row


def _was_named(session: Session, model: type[Any], row_id: int) -> bool:
    """Whether links or events made before public ids could have named this row by its row id."""
    last = session.scalar(select(LegacyRowIds.last_id).where(LegacyRowIds.table_name == model.__tablename__))
    return row_id <= (last or 0)
