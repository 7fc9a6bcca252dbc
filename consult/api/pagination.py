"""Keyset pagination by ascending id: stable under inserts, constant cost per page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from consult.errors import Invalid


def encode_cursor(last_id: int) -> str:
    """An opaque cursor pointing after one id."""
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor points after; 0 for the first page."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, value = text.partition(":")
        if version != "v1" or not (value.isascii() and value.isdigit()):
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise Invalid(gettext("The cursor is not one this API gave out."),
                      fields={"cursor": [gettext("Invalid cursor.")]}) from error


def paginate(session: Session, statement: Select, key: InstrumentedAttribute, query: dict[str, Any],
             present: Callable[[list[Any]], list[dict[str, Any]]]) -> dict[str, Any]:
    """One page of `statement` ordered by `key`, presented as a whole (so presentation can batch)."""
    after = decode_cursor(query["cursor"])
    limit = query["limit"]
    rows = session.scalars(statement.where(key > after).order_by(key).limit(limit + 1)).unique().all()
    page = rows[:limit]
    next_cursor = encode_cursor(getattr(page[-1], key.key)) if len(rows) > limit else None
    return {"items": present(page), "next_cursor": next_cursor}
