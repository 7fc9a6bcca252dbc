"""One notification for one person, as the derivers make it (consult/notifications/derive.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from consult.accounts.models import User


@dataclass
class Item:
    """One notification for one person: its kind, where it points, and the facts its words need."""

    user: User
    kind: str
    section: str | None
    data: dict[str, Any]
    anchor: str = ""  # a path below the base URL, with its #fragment
    extra: dict[str, Any] = field(default_factory=dict)
