"""Organisations, users and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import Base, UTCDateTime, utcnow


class Constituency(StrEnum):
    """The group an organisation belongs to; the social partners sign, the others do not."""

    WORKERS = "workers"
    EMPLOYERS = "employers"
    GOVERNMENT = "government"
    SECRETARIAT = "secretariat"
    OBSERVERS = "observers"


#: The three parties of tripartite dialogue: they hold caucuses, record stances and sign.
SOCIAL_PARTNERS = (Constituency.WORKERS, Constituency.EMPLOYERS, Constituency.GOVERNMENT)



def constituency_type(name: str = "constituency") -> Enum:
    """A constituency column type; each column names its own CHECK constraint, as PostgreSQL requires."""
    return Enum(Constituency, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True, create_constraint=True, name=name)


class Organisation(Base):
    """A union, works council, employer, ministry, secretariat or observer body."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    constituency: Mapped[Constituency] = mapped_column(constituency_type())
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    """A person who logs in; belongs to one organisation and so to one constituency."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role_title: Mapped[str | None] = mapped_column(String(120))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # "" (NOT_CHOSEN): the person has not chosen; the pages follow the switcher's cookie, else the browser's.
    language: Mapped[str] = mapped_column(String(5), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the log-in session's identity: changing it ends every session of this person.
    session_token: Mapped[str] = mapped_column(String(43), default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="members", lazy="joined")

    @property
    def constituency(self) -> Constituency:
        """The constituency of this person's organisation."""
        return self.organisation.constituency

    @property
    def is_secretariat(self) -> bool:
        """Whether this person works for a secretariat."""
        return self.constituency == Constituency.SECRETARIAT

    # Flask-Login's protocol, spelled out so the model does not import Flask.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The log-in session's user id: the row id and the current session token."""
        return f"{self.id}.{self.session_token}"


class ApiToken(Base):
    """A personal token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until revoked

    user: Mapped[User] = relationship(lazy="joined")


class AccountLink(Base):
    """A set-your-password link mailed to a person (an invitation or a reset): single use, expiring.

    Only the SHA-256 of the link's secret is stored, so the table alone opens no account.
    """

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
