"""Socket.IO handlers: authenticate on connect, join a round's room after the policy says so, catch up.

Every handler answers through its acknowledgement with either a result or the API's error shape, also
when the database is busy or down (503 `unavailable`: the client retries) or something unexpected broke.
A handler holds one pooled connection while it runs and gives it back when it returns.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request
from flask_babel import gettext
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from marshmallow import Schema, fields, validate
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from consult.accounts.auth import cookies_may_log_in
from consult.accounts.services import live_token_ids
from consult.api.fields import ID_MAX, Id
from consult.api.routing import load_input
from consult.api.session import db_session
from consult.errors import ConsultError, NotFound, Unavailable
from consult.events.cursor import AUDIENCE, Cursor, missing
from consult.live.admission import admitted_view
from consult.live.gate import database_turn
from consult.live.presence import PresenceAnnouncer
from consult.live.registry import Connection as Socket
from consult.live.replay import ReplayCache, lens_key, replayed, room_audiences
from consult.live.rooms import current_socketio, deliveries_to_round, room_of, user_room
from consult.rounds.models import Round
from consult.vocabulary import LANGUAGES
from consult.web.locale import requested_locale

_HEADS = select(Round.audience_heads).where(Round.id == bindparam("round_id"))
log = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)


class JoinIn(Schema):
    """Join a round's live feed, saying what is already held: the cursor, each audience's last number (none:
    nothing held). `last_seq` is the old form of "nothing held", 0, and nothing else."""

    round_id = Id(required=True)
    cursor = fields.Dict(keys=fields.String(validate=validate.Regexp(AUDIENCE)),
                         values=fields.Integer(strict=True, validate=validate.Range(min=0, max=ID_MAX)),
                         load_default=dict, validate=validate.Length(max=16))
    last_seq = fields.Integer(load_default=0, strict=True, validate=validate.Equal(0))


class RoundIn(Schema):
    """Name a round."""

    round_id = Id(required=True)


#: Built once: a schema costs more to build than a join's input to load, and hundreds join at once.
_JOIN_IN, _ROUND_IN = JoinIn(), RoundIn()


def _registry():
    return current_app.extensions["consult.live"]


def _handled(handler):
    """Answer a ConsultError through the acknowledgement in the API's error shape."""

    def wrapper(data=None):
        try:
            with database_turn() as connection:  # its end rolls back whatever a failure left
                return handler(connection, data)
        except ConsultError as error:
            return error.to_dict()
        except DATABASE_ERRORS as error:
            log.warning("socket %s answered 503: %s", handler.__name__, error)
            return Unavailable(gettext("The server is busy; try again in a moment."), retry_after=2).to_dict()
        except Exception:
            log.exception("socket %s failed", handler.__name__)
            failure = ConsultError(gettext("Something went wrong on our side; try again."))
            failure.code = "server_error"
            return failure.to_dict()

    wrapper.__name__ = handler.__name__
    return wrapper


def on_connect(auth: Any = None) -> None:
    """Accept a socket from a logged-in browser (its session cookie) or a script (`auth={"token": ...}`)."""
    user_id, session_token, token_id = None, None, None
    try:
        with database_turn() as connection:
            if isinstance(auth, dict) and isinstance(auth.get("token"), str):
                token_id, user_id = live_token_ids(connection, auth["token"]) or (None, None)
            elif current_user.is_authenticated:
                user_id, session_token = current_user.id, current_user.session_token
    except DATABASE_ERRORS as error:
        log.warning("socket connection refused, database busy: %s", error)
        busy = Unavailable(gettext("The server is busy; try again in a moment."))
        raise ConnectionRefusedError(busy.to_dict()) from None
    if user_id is None:
        raise ConnectionRefusedError("unauthorized")
    fixed = session_token is not None or not cookies_may_log_in()
    _registry().connect(Socket(request.sid, user_id, session_token, token_id, requested_locale() if fixed else None))
    join_room(user_room(user_id))


def on_disconnect(*_args) -> None:
    """Forget the socket and update presence in its rounds."""
    for round_id in _registry().disconnect(request.sid):
        _announce_presence(round_id)


@_handled
def on_join(connection: Connection, data: Any) -> dict:
    """Join a round: the room of the viewer's constituency, then everything missed past the cursor."""
    payload = load_input(_JOIN_IN, data)
    registry, round_id = _registry(), payload["round_id"]
    socket = registry.get(request.sid)
    # The heads are read with the admission, before the socket enters the room: what committed before that
    # read is in the answer. What commits after it is pushed after its commit: the round counts as followed
    # from before the read (a round nobody follows is not pushed), and a push delivered to its rooms here
    # before the socket was in them moved the count, so the heads are read again, the socket now in. The
    # client drops what it receives twice.
    with registry.arriving(request.sid, round_id):
        delivered = deliveries_to_round(round_id)
        view, language, heads = admitted_view(connection, socket, round_id)
        constituency = view.constituency.value
        join_room(room_of(round_id, constituency))
        registry.join(request.sid, round_id, constituency)
    if deliveries_to_round(round_id) != delivered:
        heads = connection.scalar(_HEADS, {"round_id": round_id}) or {}
    answer = _replay(view, heads, payload["cursor"], _locale(socket, language))
    _announce_presence(round_id)
    current_app.extensions["consult.pusher"].start()  # its heartbeats reach this socket
    return answer


@_handled
def on_catch_up(connection: Connection, data: Any) -> dict:
    """Resend what the client missed past its cursor (it saw a gap that did not fill)."""
    payload = load_input(_JOIN_IN, data)
    socket = _registry().get(request.sid)
    view, language, heads = admitted_view(connection, socket, payload["round_id"])
    # The socket is in the room already: what commits after the heads' read is pushed to it.
    return _replay(view, heads, payload["cursor"], _locale(socket, language))


@_handled
def on_leave(_connection: Connection, data: Any) -> dict:
    """Leave a round's live feed."""
    payload = load_input(_ROUND_IN, data)
    constituency = _registry().rounds.get(request.sid, {}).get(payload["round_id"])
    if constituency is None:
        raise NotFound(gettext("Not in that round."))
    leave_room(room_of(payload["round_id"], constituency))
    _registry().leave(request.sid, payload["round_id"])
    _announce_presence(payload["round_id"])
    return {"ok": True}


def _locale(socket: Socket, language: str | None) -> str | None:
    """`select_locale`'s answer for an admitted socket, without loading its person again (None: ask it).

    A log-in session's socket is its person's (the admission checked their session), whose choice was read with
    the admission; a socket whose cookies can name nobody is anonymous to Flask-Login, so its handshake's
    request decides. Only a token's socket that also carries a log-in cookie is left to Flask-Babel."""
    if socket.requested_locale is None:
        return None
    if socket.session_token is not None and language in LANGUAGES:
        return language
    return socket.requested_locale


def _replay(view, counts: dict, held: Cursor, locale: str | None = None) -> dict:
    """The visible events past the cursor `held` up to the round's `counts`, and `heads`: every number up to
    them is accounted for.

    The live feed carries the audiences of the viewer's constituency (the room's); what is addressed to one
    person comes as a notice, and the API's replay lists it."""
    round_id = view.round.id
    audiences = room_audiences(view)
    held = {audience: held.get(audience, 0) for audience in audiences}
    # The handler reads outside a transaction (consult/live/gate.py): a replay's events are read after the
    # counts, and every number up to them is committed. The round is not read again: what else a replay
    # depends on is its key's.
    key = lens_key(view, held, locale)
    heads = {audience: int(counts.get(audience, 0)) for audience in audiences}
    limit = current_app.config["LIVE_REPLAY_LIMIT"]
    if missing(held, heads) > limit:
        return {"round_id": round_id, "reload": True, "heads": heads}
    if not missing(held, heads):
        return {"round_id": round_id, "events": [], "heads": heads}
    shown = replayed(db_session(), _replays(), view, (*key, tuple(sorted(heads.items()))), held, heads, limit)
    return {"round_id": round_id, "events": shown, "heads": heads}


def _replays() -> ReplayCache:
    cache = current_app.extensions.get("consult.replays")
    if cache is None:
        cache = current_app.extensions.setdefault("consult.replays", ReplayCache())
    return cache


def _announce_presence(round_id: int) -> None:
    announcer = current_app.extensions.get("consult.presence")
    if announcer is None:
        announcer = PresenceAnnouncer(current_app._get_current_object(), current_socketio())
        current_app.extensions["consult.presence"] = announcer
    announcer.announce(round_id)


def register(server) -> None:
    """Attach the handlers to one app's Socket.IO server."""
    server.on("connect")(on_connect)
    server.on("disconnect")(on_disconnect)
    server.on("join")(on_join)
    server.on("catch_up")(on_catch_up)
    server.on("leave")(on_leave)
