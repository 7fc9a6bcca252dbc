"""Each app's Socket.IO server: created by `create_app`, with consult's handlers registered on it."""

from __future__ import annotations

from flask import Flask, current_app
from flask_socketio import SocketIO

from consult.cooperative import gevent_patched


def async_mode() -> str:
    """Flask-SocketIO's mode: gevent inside a monkey-patched gevent worker, threads everywhere else."""
    return "gevent" if gevent_patched() else "threading"


def make_socketio(app: Flask) -> SocketIO:
    """A Socket.IO server for this app (Redis as message queue when configured), handlers attached."""
    from consult.live import sockets

    # No origin list: Engine.IO accepts only the server's own origin (the Host the browser asked for).
    origins = app.config["ALLOWED_ORIGINS"]
    server = SocketIO(app, async_mode=async_mode(), message_queue=app.config["REDIS_URL"],
                      channel=app.config["REDIS_CHANNEL"],
                      cors_allowed_origins=origins.split(",") if isinstance(origins, str) else origins,
                      max_http_buffer_size=app.config["SOCKET_MAX_PAYLOAD"], manage_session=False)
    sockets.register(server)
    if not app.config["LIVE_COMPRESSION"]:
        app.wsgi_app = without_compression(app.wsgi_app)
    return server


def without_compression(wsgi_app):
    """WebSockets without permessage-deflate: the offer is dropped before the handshake, so none is agreed.

    The compression is per socket, so a comment pushed to 300 followers is deflated 300 times: measured by
    bench/live.py, it was a quarter of the bare server's work. A push is about a kilobyte; plain frames cost
    more bytes and much less CPU (`LIVE_COMPRESSION` turns it back on).
    """
    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)
    return app


def current_socketio() -> SocketIO:
    """The Socket.IO server of the current app."""
    return current_app.extensions["socketio"]


def room_of(round_id: int, constituency: str) -> str:
    """The room of one constituency in one round."""
    return f"round:{round_id}:{constituency}"


def user_room(user_id: int) -> str:
    """The room of one person's sockets (notices that are not part of a round's sequence)."""
    return f"user:{user_id}"
