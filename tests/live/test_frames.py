"""A push is framed once for all its sockets, and a socket's queued packets leave in one write, in order."""

from __future__ import annotations

import engineio
import pytest
from engineio import packet
from engineio.socket import Socket
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, TextMessage

from consult.live import frames


def _wsproto_frame(message: str | bytes) -> bytes:
    """What simple-websocket's wsproto makes of a message on a server's connection without extensions."""
    connection = Connection(ConnectionType.SERVER)
    event = TextMessage(data=message) if isinstance(message, str) else BytesMessage(data=message)
    return connection.send(event)


@pytest.mark.parametrize("message", ["", "4" + "x" * 124, "4" + "x" * 125, "4" + "é" * 40_000, "4" + "y" * 65_535,
                                     b"\x00\x01" * 40, b"z" * 70_000])
def test_a_frame_is_the_one_wsproto_makes_of_the_same_message(message):
    assert frames.frame(message) == _wsproto_frame(message)


def test_a_push_is_framed_once_however_many_sockets_send_it():
    push = packet.Packet(packet.MESSAGE, data='2["event",{"seq":1}]').encode()
    first = frames.framed(push)
    assert all(frames.framed(push) is first for _socket in range(300))
    other = packet.Packet(packet.MESSAGE, data='2["event",{"seq":2}]').encode()
    assert frames.framed(other) == frames.frame(other) != first


def test_queued_packets_leave_a_websocket_in_one_write_in_their_order():
    frames.install()
    server = engineio.Server(async_mode="threading")
    socket = Socket(server, "sid")
    socket.upgraded = True  # its writer is the WebSocket's
    queued = [packet.Packet(packet.MESSAGE, data=f'2["event",{{"seq":{seq}}}]') for seq in range(1, 4)]
    for pkt in queued:
        socket.queue.put(pkt)
    batch = socket.poll()
    assert len(batch) == 1
    assert batch[0].encode() == b"".join(frames.frame(pkt.encode()) for pkt in queued)


def test_a_socket_still_polling_gets_its_packets_one_by_one():
    frames.install()
    server = engineio.Server(async_mode="threading")
    socket = Socket(server, "sid")
    queued = [packet.Packet(packet.MESSAGE, data=f"{seq}") for seq in ("a", "b")]
    for pkt in queued:
        socket.queue.put(pkt)
    assert socket.poll() == queued


def test_the_writer_is_replaced_only_on_the_releases_it_was_tested_with(monkeypatch):
    # The installed releases are the tested ones (a dependency bumped without this module tested again fails
    # here); any other release keeps Engine.IO's own writer.
    assert frames.tested_here()
    monkeypatch.setattr(frames, "TESTED", {"python-engineio": "3.", "simple-websocket": "1.1."})
    assert not frames.tested_here()
    monkeypatch.setattr(frames, "TESTED", {"python-engineio": "4.15.", "not-a-package-here": "1."})
    assert not frames.tested_here()
