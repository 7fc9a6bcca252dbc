"""Keyset pagination by ascending id: stable under inserts, constant cost per page.

A list of rows that count across audiences (comments: plenary and every caucus share the counter) gives out
cursors that name the page's last row by its public id, never by its row id (consult/public_ids.py).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, select
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


def _after_public(session: Session, key: InstrumentedAttribute, public: InstrumentedAttribute,
                  cursor: str | None) -> int:
    """The row id an opaque cursor's public id stands for; 0 for the first page."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        text = ""
    version, _, value = text.partition(":")
    found = session.scalar(select(key).where(public == value)) if version == "p" and 0 < len(value) <= 20 \
        else None
    if found is None:
        raise Invalid(gettext("The cursor is not one this API gave out."),
                      fields={"cursor": [gettext("Invalid cursor.")]})
    return found


def paginate(session: Session, statement: Select, key: InstrumentedAttribute, query: dict[str, Any],
             present: Callable[[list[Any]], list[dict[str, Any]]],
             public: InstrumentedAttribute | None = None) -> dict[str, Any]:
    """One page of `statement` ordered by `key`, presented as a whole (so presentation can batch); with
    `public`, the cursors name rows by that public id."""
    after = decode_cursor(query["cursor"]) if public is None else _after_public(session, key, public, query["cursor"])
    limit = query["limit"]
    rows = session.scalars(statement.where(key > after).order_by(key).limit(limit + 1)).unique().all()
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(getattr(page[-1], key.key)) if public is None else \
            base64.urlsafe_b64encode(f"p:{getattr(page[-1], public.key)}".encode()).decode().rstrip("=")
    return {"items": present(page), "next_cursor": next_cursor}
