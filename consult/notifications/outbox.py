"""Putting mail in the outbox, inside the writer's transaction: a rolled-back change sends nothing.

Every message passes `MessageSchema` first: a malformed or non-ASCII address, a character in a header (the
name, the subject) that `consult.api.fields.one_line` refuses (CR, LF, NUL, any other control, U+2028,
a bidi override) or an over-long subject is refused with a `ValidationError` and nothing is queued.
"""

from __future__ import annotations

import secrets
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.api.fields import ascii_address, one_line
from consult.db import utcnow
from consult.errors import Invalid
from consult.notifications.models import OutboxMessage
from consult.vocabulary import LANGUAGES

_ENQUEUED = "consult.outbox_enqueued"
#: Longest subject a message may have (RFC 5322 recommends lines under 78 characters; this is the column).
SUBJECT_MAX = 200


class _Content(Schema):
    """What kind of message, in what language, under what subject: the same for everyone a text goes to."""

    kind = fields.String(required=True, validate=[validate.Length(min=1, max=40),
                                                  validate.Regexp(r"^[a-z][a-z0-9_.-]*$")])
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))
    subject = fields.String(required=True, validate=[validate.Length(min=1, max=SUBJECT_MAX), one_line])


class _Recipient(Schema):
    """Who it goes to."""

    to_address = fields.Email(required=True, validate=[validate.Length(max=254), one_line, ascii_address])
    to_name = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=120), one_line])

    @validates("to_name")
    def _name(self, value: str | None, **_kwargs) -> None:
        if value is not None and not value.strip():
            raise ValidationError("Must not be blank.")


class _Headers(Schema):
    """Extra headers (the unsubscribe link): the same for one person and kind of mail."""

    headers = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9-]*$")),
                          values=fields.String(validate=[validate.Length(max=2000), one_line]),
                          load_default=dict)


class _Body(Schema):
    """The text and its HTML: different in each mail (they name the person)."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=200_000))
    html = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400_000))


class MessageSchema(_Content, _Recipient, _Headers, _Body):
    """One outgoing message: who, what kind, and its text. `outbox_values` checks it part by part, each part
    once per distinct value: the clock queues thousands of mails of one subject to a few thousand people."""


#: Made once: a schema costs more to build than to load one message with.
_PARTS = (_Content(), _Recipient(), _Headers())
_BODY = _Body()
#: Parts already checked, by their values (cleared when full); a part that failed is never kept.
_CHECKED: dict[tuple, dict[str, Any]] = {}
_CHECKED_MAX = 4096


def _checked(raw: dict[str, Any]) -> dict[str, Any]:
    """`raw` loaded by `MessageSchema`; raises `ValidationError` with every field's messages."""
    values, errors = {}, {}
    for schema in _PARTS:
        part = {name: raw[name] for name in schema.fields}
        key = _key(schema, part)
        loaded = _CHECKED.get(key) if key is not None else None
        if loaded is None:
            try:
                loaded = schema.load(part)
            except ValidationError as error:
                errors.update(error.messages)
                continue
            if key is not None:
                if len(_CHECKED) >= _CHECKED_MAX:
                    _CHECKED.clear()
                _CHECKED[key] = loaded
        values.update(loaded)
    try:
        values.update(_BODY.load({"text": raw["text"], "html": raw["html"]}))
    except ValidationError as error:
        errors.update(error.messages)
    if errors:
        raise ValidationError(errors)
    return {**values, "headers": dict(values["headers"])}  # a row's own dict, never the one kept


def _key(schema: Schema, part: dict[str, Any]) -> tuple | None:
    """A part's values as a key of `_CHECKED` (None: not hashable, checked every time)."""
    try:
        key = (type(schema), *((name, tuple(sorted(value.items())) if isinstance(value, dict) else value)
                               for name, value in part.items()))
        hash(key)
    except TypeError:
        return None
    return key


class InvalidMessage(Invalid):
    """A message that cannot be sent as given (nothing is queued)."""


def message_id(domain: str) -> str:
    """A fresh Message-ID, kept with the row so that every attempt carries the same one."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def outbox_values(*, session_domain: str, kind: str, subject: str, text: str, html: str | None = None,
                  to_user: User | None = None, to_address: str | None = None, to_name: str | None = None,
                  language: str | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The columns of one outbox row, checked by `MessageSchema`; raises `InvalidMessage` for bad input."""
    if to_user is not None:
        to_address = to_address or to_user.email
        to_name = to_name if to_name is not None else to_user.display_name
        language = language or to_user.language
    raw: dict[str, Any] = {"to_address": to_address, "to_name": to_name, "kind": kind,
                           "language": language if language in LANGUAGES else "en",
                           "subject": subject, "text": text, "html": html, "headers": headers or {}}
    try:
        values = _checked(raw)
    except ValidationError as error:
        raise InvalidMessage("This message cannot be sent as given.", fields=error.messages) from error
    now = utcnow()
    return {**values, "to_user_id": to_user.id if to_user is not None else None,
            "message_id": message_id(session_domain), "status": "pending", "attempts": 0, "next_attempt_at": now,
            "lease_token": None, "lease_until": None, "sent_at": None, "last_error": None, "created_at": now}


def enqueue(session: Session, *, kind: str, subject: str, text: str, html: str | None = None,
            to_user: User | None = None, to_address: str | None = None, to_name: str | None = None,
            language: str | None = None, headers: dict[str, str] | None = None) -> OutboxMessage:
    """Queue one message in the caller's transaction; it is sent after the commit, at least once.

    Give `to_user` (their address, name and language are used unless given) or `to_address`.
    Raises `InvalidMessage` (with the schema's field messages) and queues nothing for bad input.
    """
    values = outbox_values(session_domain=session.info.get("mail_domain", "localhost"), kind=kind, subject=subject,
                           text=text, html=html, to_user=to_user, to_address=to_address, to_name=to_name,
                           language=language, headers=headers)
    row = OutboxMessage(**values)
    session.add(row)
    mark_enqueued(session)
    return row


def mark_enqueued(session: Session) -> None:
    """Note that the session's transaction queued mail, so the sender is woken once it commits."""
    session.info[_ENQUEUED] = True


def enqueued_in(session: Session) -> bool:
    """Whether the session's transaction queued mail (the sender is woken after it commits)."""
    return bool(session.info.pop(_ENQUEUED, False))
