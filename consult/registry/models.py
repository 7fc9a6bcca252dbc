"""A registry entry: what the public may know of a concluded public round, and its searchable text.

Full-text search lives beside the table, made by the migration: an FTS5 table `registry_fts` on SQLite, a
generated `tsvector` column `search_vector` with a GIN index on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import Base, UTCDateTime


class RegistryEntry(Base):
    """One published outcome."""

    __tablename__ = "registry_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str] = mapped_column(String(200))
    system_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    sector: Mapped[str | None] = mapped_column(String(80), index=True)
    functions: Mapped[list[str]] = mapped_column(JSON)
    areas: Mapped[list[str]] = mapped_column(JSON)
    # "|scheduling|monitoring|" and "|privacy|skills_training|": filters with LIKE on both databases.
    function_keys: Mapped[str] = mapped_column(String(300))
    area_keys: Mapped[str] = mapped_column(String(300))
    summary: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


#: Database objects made by the migration that the models do not describe (left out of comparisons).
SEARCH_OBJECTS = frozenset({"registry_fts", "search_vector", "ix_registry_entries_search_vector"})
