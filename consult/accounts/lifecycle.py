"""A person's account from invitation to deactivation: set-your-password links, resets, profile, status.

Links are single use and expiring; only the SHA-256 of their secret is stored. Every mail goes through the
outbox in the caller's transaction, so a refused or rolled-back change sends nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from consult.accounts import services
from consult.accounts.mails import queue_account_mail
from consult.accounts.models import AccountLink, Constituency, Organisation, User
from consult.accounts.passwords import MIN_LENGTH, check_new_password
from consult.db import utcnow
from consult.errors import Conflict, Invalid, NotFound
from consult.rounds.governance import is_concluded
from consult.rounds.models import Participant, Round
from consult.wiring import wiring_of

INVITE, RESET = "invite", "reset"
#: The refusal of a link that is unknown, used, expired or whose person was deactivated: one answer for all.
LINK_REFUSED = "This link is not valid any more: it was used already, it has expired or it was replaced."


def _min_length(session: Session) -> int:
    return int(session.info.get("password_min_length", MIN_LENGTH))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _close_links(session: Session, user_id: int, purpose: str | None = None) -> None:
    """Make a person's outstanding links unusable (a newer one replaces them, or the account changed)."""
    statement = update(AccountLink).where(AccountLink.user_id == user_id, AccountLink.used_at.is_(None))
    if purpose:
        statement = statement.where(AccountLink.purpose == purpose)
    session.execute(statement.values(used_at=utcnow()))


def issue_link(session: Session, user: User, purpose: str, lifetime: timedelta) -> str:
    """A fresh link secret for a person (returned once, stored hashed); older ones of the purpose close."""
    _close_links(session, user.id, purpose)
    secret = secrets.token_urlsafe(32)
    session.add(AccountLink(user_id=user.id, purpose=purpose, token_hash=_digest(secret),
                            expires_at=utcnow() + lifetime))
    session.flush()
    return secret


def invite_person(session: Session, data: dict, *, lifetime: timedelta) -> User:
    """Add a person to an organisation and mail them a link to choose their password.

    Until they follow it the account has a random password nobody knows, so nobody can log in as them.
    """
    user = services.create_user(session, email=data["email"], display_name=data["display_name"],
                                password=secrets.token_urlsafe(32), organisation_id=data["organisation_id"],
                                role_title=data.get("role_title"), language=data.get("language", "en"))
    send_invitation(session, user, lifetime=lifetime)
    return user


def send_invitation(session: Session, user: User, *, lifetime: timedelta) -> User:
    """Mail a person a new invitation link (the earlier ones stop working)."""
    if not user.is_active:
        raise Conflict("This person is deactivated: reactivate them first.")
    secret = issue_link(session, user, INVITE, lifetime)
    queue_account_mail(session, user, "invitation", secret, lifetime)
    return user


def request_password_reset(session: Session, email: str, *, lifetime: timedelta) -> None:
    """Mail a reset link to the active person with this address; for any other address, do nothing.

    The caller answers the same either way, so the answer tells nobody whether an address has an account.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return
    secret = issue_link(session, user, RESET, lifetime)
    queue_account_mail(session, user, "reset", secret, lifetime)


def link_for(session: Session, secret: str) -> AccountLink | None:
    """The usable link with this secret, or None (unknown, used, expired, or its person deactivated)."""
    if not secret or len(secret) > 100:
        return None
    link = session.scalar(select(AccountLink).where(AccountLink.token_hash == _digest(secret)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.is_active:
        return None
    return link


def set_password_with_link(session: Session, secret: str, password: str) -> User:
    """Choose a password through a mailed link; the link is spent, every other session of the person ends and
    every API token is revoked: whoever holds the new password starts clean (the caller cuts every socket)."""
    link = link_for(session, secret)
    if link is None:
        raise Invalid(LINK_REFUSED, fields={"token": [LINK_REFUSED]})
    user = link.user
    check_new_password(password, email=user.email, min_length=_min_length(session))
    # Compare-and-set: of two requests with the same link, exactly one spends it.
    spent = session.execute(update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
                            .values(used_at=utcnow()))
    if spent.rowcount != 1:
        raise Invalid(LINK_REFUSED, fields={"token": [LINK_REFUSED]})
    _close_links(session, user.id)
    user.password_hash = services.hash_password(password)
    services.end_sessions(user)
    services.revoke_all_tokens(session, user.id)
    return user


def change_password(session: Session, user: User, current: str, new: str, *, everywhere: bool = False) -> User:
    """Change one's own password, knowing the current one; other log-in sessions end, and with `everywhere`
    every API token is revoked too (the caller cuts the sockets)."""
    person = session.get(User, user.id)
    if not services.check_password(person, current):
        raise Invalid("The current password is not right.", fields={"current_password": ["Not your password."]})
    check_new_password(new, email=person.email, field="new_password", min_length=_min_length(session))
    person.password_hash = services.hash_password(new)
    _close_links(session, person.id, RESET)
    services.end_sessions(person)
    if everywhere:
        services.revoke_all_tokens(session, person.id)
    return person


def update_profile(session: Session, user: User, data: dict) -> User:
    """Change one's own name, role title or language (only the fields given)."""
    person = session.get(User, user.id)
    for field in ("display_name", "role_title", "language"):
        if field in data:
            setattr(person, field, data[field] or None if field == "role_title" else data[field])
    return person


def _person(session: Session, user_id: int) -> User:
    person = session.get(User, user_id)
    if person is None:
        raise NotFound("No such person.")
    return person


def _round_it_would_leave(session: Session, person: User) -> Round | None:
    """A round under way its organisation would be pushed out of if this, its last active person, were deactivated.

    The rule table lets nobody remove the employer whose plan a round is about, nor the last organisation of a
    constituency that signs (nor a round's only secretariat); deactivating that organisation's last person would
    do the same by another door, so it is refused until the organisation has another active person.
    """
    others = session.scalar(select(func.count(User.id)).where(
        User.organisation_id == person.organisation_id, User.is_active.is_(True), User.id != person.id))
    if others:
        return None
    organisation = person.organisation
    taking_part = session.scalars(select(Round).join(Participant, Participant.round_id == Round.id).where(
        Participant.organisation_id == organisation.id, Participant.removed_at.is_(None)).order_by(Round.id)).all()
    for round in taking_part:
        if is_concluded(session, round):
            continue
        if round.employer_id == organisation.id:
            return round
        if organisation.constituency.value in round.required_constituencies \
                or organisation.constituency == Constituency.SECRETARIAT:
            alongside = session.scalar(select(func.count(Participant.id)).join(Organisation).where(
                Participant.round_id == round.id, Participant.removed_at.is_(None),
                Participant.organisation_id != organisation.id,
                Organisation.constituency == organisation.constituency))
            if not alongside:
                return round
    return None


def deactivate_person(session: Session, actor: User, user_id: int) -> User:
    """Stop a person from working in consult: sessions, API tokens and pending links end now.

    The caller cuts their sockets after the commit. Nobody deactivates themselves, and the last active
    secretariat person is kept, so the secretariat is never locked out.
    """
    person = _person(session, user_id)
    if person.id == actor.id:
        raise Conflict("You cannot deactivate yourself.")
    if person.is_secretariat and person.is_active:
        others = session.scalar(select(func.count(User.id)).join(Organisation).where(
            Organisation.constituency == Constituency.SECRETARIAT, User.is_active.is_(True), User.id != person.id))
        if not others:
            raise Conflict("This is the last active secretariat person.")
    if person.is_active and (round := _round_it_would_leave(session, person)) is not None:
        raise Conflict(f"{person.display_name} is the last active person of {person.organisation.name}, which "
                       f"cannot be pushed out of the round “{round.title}”: invite another of its people first.")
    person.is_active = False
    services.end_sessions(person)
    services.revoke_all_tokens(session, person.id)
    _close_links(session, person.id)
    for hook in wiring_of(session).deactivation_hooks:  # e.g. their expert appointments end (consult/bootstrap.py)
        hook(session, actor, person)
    return person


def reactivate_person(session: Session, user_id: int) -> User:
    """Let a deactivated person log in again (with their password, or after a reset); old tokens stay revoked."""
    person = _person(session, user_id)
    person.is_active = True
    return person
