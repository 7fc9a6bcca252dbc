"""A push is framed for the WebSocket once, and the same bytes go to every socket of its audience.

python-socketio encodes an emit to a room once, and Engine.IO caches the packet's text, so the 300 sockets
of a room share one string. Each socket's writer then framed it again through simple-websocket and wsproto:
a message object, the text encoded to UTF-8, a frame header, the bytes joined, about 2 KB copied twice, for
every follower of every push (a sixth of a delivery's work). Here a writer finds the frame already made by
the first socket that sent the same string, and writes it as it is.

Under gevent a push to a socket whose writer is idle (waiting, nothing queued) is written at once by the
emitting greenlet, without blocking: the writer is not woken, which was half of a delivery's work (the
queue's hand-over, two switches, its timer). What the socket does not take at once (its buffer is full) is
queued whole or in part, and the writer sends it before anything queued after it. A writer that fell
behind sends everything queued for its socket in one write: one system call instead of one a message.

Frames are unmasked and uncompressed, as RFC 6455 has a server send them: a socket that agreed on
permessage-deflate may still receive an uncompressed frame, but such a socket is left to wsproto, so that
`LIVE_COMPRESSION` keeps its meaning. Order is kept: a socket's packets leave in the order they were queued,
whether one by one or joined.
"""

from __future__ import annotations

import logging
import struct

from consult.cooperative import gevent_patched

log = logging.getLogger(__name__)

#: Frames made lately, by the identity of the string framed (kept with it, so the identity is not reused).
_recent: dict[int, tuple[object, bytes]] = {}
_RECENT_MAX = 64


class Frames(bytes):
    """WebSocket frames ready for the wire: a socket's queued packets, framed and joined (`packets`: them)."""

    packets: list


class _Joined:
    """Stands for frames in a socket's queue or a writer's batch: encodes to them (the writer sends that)."""

    def __init__(self, packets: list, frames: bytes | None = None) -> None:
        self.frames = Frames(b"".join(_wire(packet) for packet in packets) if frames is None else frames)
        self.frames.packets = packets

    def encode(self, b64: bool = False) -> Frames:
        """The frames (Engine.IO's writer sends what a packet encodes to)."""
        return self.frames


def _wire(packet) -> bytes:
    data = packet.encode()
    return data if isinstance(data, Frames) else framed(data)


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


def _direct(socket, pkt) -> bool:
    """Write a packet at once to an idle gevent WebSocket, queueing what it does not take; False: not here."""
    ws = getattr(socket, "consult_ws", None)
    if ws is None or not socket.consult_idle or socket.queue.qsize() or not socket.upgraded or socket.upgrading:
        return False
    raw = getattr(ws.ws.sock, "_sock", None)  # the non-blocking socket inside gevent's
    if raw is None or not _plain(ws.ws) or not ws.ws.connected:
        return False
    if not socket.check_ping_timeout():
        return True  # closed for want of pongs, as Engine.IO's own send would
    data = _wire(pkt)
    try:
        sent = raw.send(data)  # never waits
    except BlockingIOError:
        sent = 0
    except OSError:
        sent = 0  # the writer meets the broken socket and ends it
    if sent < len(data):
        socket.queue.put(_Joined([pkt], data[sent:]))
    socket.consult_direct += 1
    return True


#: The Engine.IO and simple-websocket releases whose writer this module replaces (tests/live/test_frames.py,
#: test_slow_reader.py): with any other, sockets keep Engine.IO's own writer, slower and unchanged.
TESTED = {"python-engineio": "4.15.", "simple-websocket": "1.1."}


def tested_here() -> bool:
    """Whether the installed Engine.IO and simple-websocket are the releases this module was tested with."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return all(version(name).startswith(prefix) for name, prefix in TESTED.items())
    except PackageNotFoundError:
        return False


def install() -> None:
    """Frame once, write at once to idle sockets, join queued packets (once per process), where Engine.IO is a
    release this was tested with."""
    if not tested_here():
        log.warning("python-engineio or simple-websocket is not a release consult's writer was tested with "
                    "(%s): pushes go through Engine.IO's own writer", TESTED)
        return
    from engineio import exceptions
    from engineio.async_drivers import _websocket_wsgi
    from engineio.socket import Socket

    driver = _websocket_wsgi.SimpleWebSocketWSGI
    if getattr(driver.send, "consult_framed", False):
        return
    send, queue_send, handler = driver.send, Socket.send, Socket._websocket_handler
    direct = gevent_patched()

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

    def handled(self, ws):
        self.consult_ws = ws if direct else None
        try:
            return handler(self, ws)
        finally:
            self.consult_ws = None

    def sent(self, pkt):
        try:
            done = _direct(self, pkt)
        except exceptions.SocketIsClosedError:
            raise  # as Engine.IO's own send
        except Exception:  # never lose a push to the rest of a room: this socket's writer sends it
            log.exception("writing a push at once failed; it is queued")
            done = False
        if not done:
            queue_send(self, pkt)

    def joining_poll(self):
        """Engine.IO's poll: wait for a packet, take all that are queued (joined, on a WebSocket)."""
        queue, empty = self.queue, self.server.get_queue_empty_exception()
        while True:
            self.consult_direct, self.consult_idle = 0, self.upgraded
            try:
                first = queue.get(timeout=self.server.ping_interval + self.server.ping_timeout)
                break
            except empty:
                if not self.consult_direct:  # nothing went out for that long, directly either
                    raise exceptions.QueueEmpty() from None
            finally:
                self.consult_idle = False
        queue.task_done()
        if first is None:
            return []
        packets = [first]
        while queue.qsize():
            pkt = queue.get(block=False)
            queue.task_done()
            if pkt is None:
                queue.put(None)
                break
            packets.append(pkt)
        if len(packets) > 1 and self.upgraded:  # only the WebSocket writer polls an upgraded socket
            return [_Joined(packets)]
        return packets

    framed_send.consult_framed = True
    driver.send = framed_send
    Socket.consult_ws, Socket.consult_idle, Socket.consult_direct = None, False, 0
    Socket._websocket_handler, Socket.send, Socket.poll = handled, sent, joining_poll
