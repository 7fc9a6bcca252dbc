"""Each app's Socket.IO server: created by `create_app`, with consult's handlers registered on it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

import socketio
from flask import Flask
from flask_socketio import SocketIO
from socketio.packet import Packet

from consult.cooperative import gevent_patched
from consult.live import frames, sockets


def async_mode() -> str:
    """Flask-SocketIO's mode: gevent inside a monkey-patched gevent worker, threads everywhere else."""
    return "gevent" if gevent_patched() else "threading"


def make_socketio(app: Flask) -> SocketIO:
    """A Socket.IO server for this app (Redis as message queue when configured), handlers attached."""
    redis_url = app.config["REDIS_URL"]
    manager = (_counted(socketio.RedisManager)(redis_url, channel=app.config["REDIS_CHANNEL"]) if redis_url
               else _counted(socketio.Manager)())
    server = SocketIO(app, async_mode=async_mode(), message_queue=redis_url, client_manager=manager,
                      cors_allowed_origins=origin_check(app.config),
                      max_http_buffer_size=app.config["SOCKET_MAX_PAYLOAD"], manage_session=False,
                      serializer=JsonPacket)
    sockets.register(server)
    _tolerate_closed_sockets()
    if not app.config["LIVE_COMPRESSION"]:
        app.wsgi_app = without_compression(app.wsgi_app)
        frames.install()
    return server


class CountsDeliveries:
    """A Socket.IO manager that counts, per round, the messages this process delivered to the round's rooms.

    A join reads its heads with its admission, before its socket enters the room (consult/live/sockets.py): a
    message delivered to the round's rooms in between may have missed it, and a count that moved since just
    before the read says so (the join then reads the heads again). Every local delivery, sent from this
    process or received from the message queue, asks the manager for the room's participants first: that is
    where it is counted, before the participants are listed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deliveries: Counter[str] = Counter()

    def get_participants(self, namespace, room):
        for name in (room,) if isinstance(room, str) or room is None else room:
            if name is not None and name.startswith("round:"):
                self.deliveries[name.rsplit(":", 1)[0]] += 1
        return super().get_participants(namespace, room)


def _counted(manager_class: type) -> type:
    return type(f"Counted{manager_class.__name__}", (CountsDeliveries, manager_class), {})


class JsonPacket(Packet):
    """A Socket.IO packet of consult's: its data is what a schema dumped, JSON through and through.

    Socket.IO looks for bytes to send as attachments by walking the whole of a packet's data, item by item:
    for a join's answer (its replay, a few kilobytes of events) that walk cost twice as much as encoding it.
    consult sends no bytes; the arguments themselves are still looked at, and bytes deeper down fail the
    JSON encoding loudly rather than go out as attachments.
    """

    @classmethod
    def data_is_binary(cls, data) -> bool:
        if isinstance(data, list):
            return any(isinstance(item, (bytes, bytearray)) for item in data)
        return isinstance(data, (bytes, bytearray))


def _tolerate_closed_sockets() -> None:
    """Closing a WebSocket whose connection is already gone is not an error.

    Under gthread, Engine.IO's writer thread closes the WebSocket when its socket ends; when the peer has
    already gone, the closing frame meets a closed descriptor and the thread dies with a traceback
    (OSError: Bad file descriptor; simple-websocket#37), though nothing was lost: the socket was closed.
    """
    from engineio.async_drivers import _websocket_wsgi

    driver = _websocket_wsgi.SimpleWebSocketWSGI
    if getattr(driver.close, "consult_tolerant", False):
        return
    close = driver.close

    def tolerant_close(self):
        try:
            close(self)
        except OSError:
            pass
    tolerant_close.consult_tolerant = True
    driver.close = tolerant_close


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
def origin_of(url: str) -> str:
    """The origin (scheme://host[:port]) of an address, as a browser sends it in its Origin header."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def allowed_origins(config: dict) -> set[str]:
    """The origins allowed besides the server's own: the base URL's, and CONSULT_ALLOWED_ORIGINS."""
    extra = config.get("ALLOWED_ORIGINS") or ()
    listed = extra.split(",") if isinstance(extra, str) else list(extra)
    return {origin for origin in (origin_of(config["BASE_URL"]), *map(origin_of, listed)) if origin}


def origin_check(config: dict) -> Callable[[str | None, dict], bool]:
    """Engine.IO's origin test: the server's own origin (the Host the browser asked for) or an allowed one."""
    allowed = allowed_origins(config)

    def accepts(origin: str | None, environ: dict | None = None) -> bool:
        if not origin:
            return True  # not a browser: no cross-site request to refuse
        environ = environ or {}
        scheme, host = environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", "")
        own = {f"{scheme}://{host}"}
        if "HTTP_X_FORWARDED_PROTO" in environ or "HTTP_X_FORWARDED_HOST" in environ:  # as Engine.IO's default
            forwarded = environ.get("HTTP_X_FORWARDED_PROTO", scheme).split(",")[0].strip()
            own.add(f"{forwarded}://{environ.get('HTTP_X_FORWARDED_HOST', host).split(',')[0].strip()}")
        return origin.lower() in allowed | {o.lower() for o in own}

    return accepts
