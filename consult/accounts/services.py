"""Creating organisations and people, checking passwords, issuing and resolving API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext
from sqlalchemy import ColumnElement, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from consult.accounts.models import ApiToken, Constituency, Organisation, User
from consult.cooperative import off_loop
from consult.db import utcnow
from consult.errors import Conflict, Invalid, NotFound
from consult.vocabulary import LANGUAGES

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
TOKEN_PREFIX = "cst_"  # noqa: S105 (a marker that makes leaked tokens easy to scan for, not a secret)
#: A new token stops working after this many days unless its maker chooses another term, at most a year.
TOKEN_DAYS, TOKEN_MAX_DAYS = 90, 365


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return off_loop(_hasher.hash, password)


def create_organisation(session: Session, *, name: str, constituency: Constituency | str,
                        country: str | None = None) -> Organisation:
    """Register an organisation in its constituency; names are unique."""
    if session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower())):
        raise Conflict(gettext("An organisation with this name exists already."),
                       fields={"name": [gettext("Already taken.")]})
    organisation = Organisation(name=name, constituency=Constituency(constituency), country=country)
    session.add(organisation)
    session.flush()
    return organisation


def create_user(session: Session, *, email: str, display_name: str, password: str, organisation_id: int,
                role_title: str | None = None, language: str | None = None) -> User:
    """Create a person in an organisation with a hashed password."""
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(gettext("Someone already uses this e-mail address."),
                       fields={"email": [gettext("Already taken.")]})
    if session.get(Organisation, organisation_id) is None:
        raise Invalid(gettext("No such organisation."), fields={"organisation_id": [gettext("No such organisation.")]})
    user = User(email=email, display_name=display_name, password_hash=hash_password(password),
                organisation_id=organisation_id, role_title=role_title, language=language or "")
    session.add(user)
    session.flush()
    return user


def set_language(session: Session, user: User, language: str) -> User:
    """Save the language a person reads the pages in (one of the languages the pages are translated into)."""
    if language not in LANGUAGES:
        raise Invalid(gettext("No such language."), fields={"language": [f"Must be one of: {', '.join(LANGUAGES)}."]})
    person = session.get(User, user.id)
    person.language = language
    return person


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active person with this e-mail and password, or None; rehashes outdated hashes."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        off_loop(_hasher.verify, user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def check_password(user: User, password: str) -> bool:
    """Whether this is the person's password (asked again before signing)."""
    try:
        return off_loop(_hasher.verify, user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def end_sessions(user: User) -> None:
    """End every log-in session of a person (their session id no longer matches)."""
    user.session_token = secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, user: User, name: str, expires_in_days: int = TOKEN_DAYS
                    ) -> tuple[ApiToken, str]:
    """Create a personal API token that expires (90 days unless chosen, at most a year); the plain token is
    returned once and never stored. A token without expiry can no longer be made: one taken by an intruder
    would outlive every recovery of the account but its revocation."""
    if not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise Invalid(gettext("A token lasts between 1 and %(days)s days.", days=TOKEN_MAX_DAYS),
                      fields={"expires_in_days": [f"Between 1 and {TOKEN_MAX_DAYS}."]})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=expires_in_days)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(plain), prefix=plain[:10], expires_at=expires_at)
    session.add(token)
    session.flush()
    return token, plain


#: Built once: every API request asks it (a statement built per call costs more than running it).
_TOKEN_BY_DIGEST = select(ApiToken).where(ApiToken.token_hash == bindparam("digest"))


def api_token_for(session: Session, plain: str) -> ApiToken | None:
    """The live token of an active person, or None when it is unknown, revoked or malformed."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = session.scalar(_TOKEN_BY_DIGEST, {"digest": _digest(plain)})
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    return token


def token_is_live(now: Any) -> ColumnElement[bool]:
    """The SQL form of a live token at `now` (`api_token_for`'s test but its person's): neither revoked nor
    expired."""
    return ApiToken.revoked_at.is_(None) & or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)


_LIVE_TOKEN = select(ApiToken.id, ApiToken.user_id).join(User, User.id == ApiToken.user_id).where(
    ApiToken.token_hash == bindparam("digest"), User.is_active, token_is_live(bindparam("now")))


def live_token_ids(connection: Connection, plain: str) -> tuple[int, int] | None:
    """`api_token_for`'s answer as ids (the token's, its person's), read in one statement that loads neither, on
    a connection past the ORM: a socket's connect needs no more."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    found = connection.execute(_LIVE_TOKEN, {"digest": _digest(plain), "now": utcnow()}).first()
    return (found[0], found[1]) if found else None


def user_for_token(session: Session, plain: str) -> User | None:
    """The active person a token belongs to, or None when it is unknown, revoked or malformed."""
    token = api_token_for(session, plain)
    return token.user if token else None


def revoke_all_tokens(session: Session, user_id: int) -> int:
    """Revoke every live API token of a person (their account was recovered, or they asked); returns how many."""
    return session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def revoke_api_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of a person's own tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(gettext("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token
