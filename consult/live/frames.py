"""A push is framed for the WebSocket once, and the same bytes go to every socket of its audience.

python-socketio encodes an emit to a room once, and Engine.IO caches the packet's text, so the 300 sockets
of a room share one string. Each socket's writer then framed it again through simple-websocket and wsproto:
a message object, the text encoded to UTF-8, a frame header, the bytes joined, about 2 KB copied twice, for
every follower of every push (a sixth of a delivery's work). Here a writer finds the frame already made by
the first socket that sent the same string, and writes it as it is.

A writer that fell behind (the process busy with a burst) also sends everything queued for its socket in
one write: one system call instead of one a message, so catching up costs less than falling behind did.

Frames are unmasked and uncompressed, as RFC 6455 has a server send them: a socket that agreed on
permessage-deflate may still receive an uncompressed frame, but such a socket is left to wsproto, so that
`LIVE_COMPRESSION` keeps its meaning. Order is kept: a socket's packets leave in the order they were queued,
whether one by one or joined.
"""

from __future__ import annotations

import struct

#: Frames made lately, by the identity of the string framed (kept with it, so the identity is not reused).
_recent: dict[int, tuple[object, bytes]] = {}
_RECENT_MAX = 64


class Frames(bytes):
    """WebSocket frames ready for the wire: a socket's queued packets, framed and joined (`packets`: them)."""

    packets: list


class _Joined:
    """Stands for several queued packets in a writer's batch: encodes to their frames, joined."""

    def __init__(self, packets: list) -> None:
        self.frames = Frames(b"".join(framed(packet.encode()) for packet in packets))
        self.frames.packets = packets

    def encode(self, b64: bool = False) -> Frames:
        """The joined frames (Engine.IO's writer sends what a packet encodes to)."""
        return self.frames


def frame(message: str | bytes) -> bytes:
    """One final, unmasked WebSocket frame of a text (str) or binary (bytes) message."""
    if isinstance(message, str):
        payload, first = message.encode(), 0x81
    else:
        payload, first = bytes(message), 0x82
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", first, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", first, 126, size)
    else:
        header = struct.pack("!BBQ", first, 127, size)
    return header + payload


def framed(message: str | bytes) -> bytes:
    """The frame of a message, made once for the same string however many sockets send it."""
    known = _recent.get(id(message))
    if known is not None and known[0] is message:
        return known[1]
    made = frame(message)
    if len(_recent) >= _RECENT_MAX:
        _recent.clear()
    _recent[id(message)] = (message, made)
    return made


def _plain(ws) -> bool:
    """Whether a simple-websocket connection agreed on no extension (no compression): frames go as made."""
    plain = getattr(ws, "_consult_plain", None)
    if plain is None:
        try:
            plain = not ws.ws.connection._proto.extensions
        except AttributeError:  # another wsproto: leave the socket to it
            plain = False
        ws._consult_plain = plain
    return plain


def install() -> None:
    """Frame once and join queued packets, in Engine.IO's WebSocket writer (once per process)."""
    from engineio.async_drivers import _websocket_wsgi
    from engineio.socket import Socket

    driver = _websocket_wsgi.SimpleWebSocketWSGI
    if getattr(driver.send, "consult_framed", False):
        return
    send, poll = driver.send, Socket.poll

    def framed_send(self, message):
        ws = self.ws
        if not _plain(ws):  # compressed by wsproto, message by message
            for packet in message.packets if isinstance(message, Frames) else ():
                send(self, packet.encode())
            if not isinstance(message, Frames):
                send(self, message)
            return
        if not ws.connected:
            raise OSError("the WebSocket is closed")
        ws.sock.sendall(message if isinstance(message, Frames) else framed(message))

    def joining_poll(self):
        packets = poll(self)
        if len(packets) > 1 and self.upgraded:  # only the WebSocket writer polls an upgraded socket
            return [_Joined(packets)]
        return packets

    framed_send.consult_framed = True
    driver.send = framed_send
    Socket.poll = joining_poll
