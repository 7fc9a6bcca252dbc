"""The rooms of the current app's Socket.IO server: their names, what was delivered to them, cutting a socket.

Below the handlers (consult/live/sockets.py) and the push (consult/live/push.py), which both use it, and
below the server's construction (consult/live/server.py), which registers the handlers: nothing here imports
them back."""

from __future__ import annotations

from flask import current_app
from flask_socketio import SocketIO


def current_socketio() -> SocketIO:
    """The Socket.IO server of the current app."""
    return current_app.extensions["socketio"]


def deliveries_to_round(round_id: int) -> int:
    """How many messages this process has delivered to the rooms of a round so far (counted in server.py)."""
    return current_socketio().server.manager.deliveries[f"round:{round_id}"]


def room_of(round_id: int, constituency: str) -> str:
    """The room of one constituency in one round."""
    return f"round:{round_id}:{constituency}"


def user_room(user_id: int) -> str:
    """The room of one person's sockets (notices that are not part of a round's sequence)."""
    return f"user:{user_id}"


def disconnect(user_id: int, round_id: int | None = None, *, label: str | None = None, app=None) -> int:
    """Cut a person's sockets on every process: all of them, only those that joined `round_id` (their access
    to that round ended), or only those authenticated as `label` ("s" for log-in sessions, "t<id>" for one API
    token). Returns how many were cut. Call it after the commit that ended the access: a socket that
    reconnects is authenticated, and a round joined, against the committed state."""
    app = app or current_app._get_current_object()
    registry = app.extensions["consult.live"]
    sids = registry.sids_of_user(user_id, label) if round_id is None else registry.sids_in_round(user_id, round_id)
    if round_id is not None and label is not None:
        sids = [sid for sid in sids if sid in set(registry.sids_of_user(user_id, label))]
    for sid in sids:
        app.extensions["socketio"].server.disconnect(sid, namespace="/")
    return len(sids)


def disconnect_user(user_id: int, label: str | None = None, *, app=None) -> int:
    """Cut a person's sockets on every process, all of them or those authenticated as `label` (see
    `disconnect`)."""
    return disconnect(user_id, label=label, app=app)
