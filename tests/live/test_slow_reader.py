"""A follower that stops reading still gets every push whole and in order once it reads again (gevent server).

Pushes to a socket whose writer is idle are written at once, without waiting; what its full buffer does not
take is queued, and the writer sends it before anything after it (consult/live/frames.py). A raw WebSocket
client with a small receive buffer stops reading while large comments are posted, so most writes stop half
way, then reads everything back.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct

import requests

from consult import create_app
from consult.migrate import upgrade
from tests.factories import Factory, tripartite
from tests.processes import consult_environment, free_port, start_web, stop

COMMENTS = 260  # of about 19 KB each: more than a loopback socket buffers (4 MB at most)


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        assert chunk, "the server closed the socket"
        data += chunk
    return data


def _message(connection: socket.socket) -> str:
    """The next WebSocket message from the server (unmasked, unfragmented text)."""
    first, second = _read_exactly(connection, 2)
    assert first == 0x81, f"unexpected frame {first:#x}"
    size = second & 0x7F
    if size == 126:
        size = struct.unpack("!H", _read_exactly(connection, 2))[0]
    elif size == 127:
        size = struct.unpack("!Q", _read_exactly(connection, 8))[0]
    return _read_exactly(connection, size).decode()


def _send(connection: socket.socket, text: str) -> None:
    """A masked text frame, as a client sends it."""
    payload, mask = text.encode(), os.urandom(4)
    header = struct.pack("!BB", 0x81, 0x80 | len(payload)) if len(payload) < 126 else \
        struct.pack("!BBH", 0x81, 0x80 | 126, len(payload))
    connection.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def _follow(port: int, token: str, round_id: int) -> socket.socket:
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.settimeout(30)
    connection.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    connection.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        f"Sec-WebSocket-Key: {key}\r\n\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += connection.recv(1)
    assert answer.startswith(b"HTTP/1.1 101")
    assert _message(connection).startswith("0")  # Engine.IO's open
    _send(connection, "40" + json.dumps({"token": token}))
    assert _message(connection).startswith("40")
    _send(connection, "420" + json.dumps(["join", {"round_id": round_id}]))
    while not _message(connection).startswith("430"):  # its answer, after any presence
        pass
    return connection


def test_a_follower_that_stops_reading_gets_every_push_whole_and_in_order(tmp_path):
    url = f"sqlite:///{tmp_path / 'consult.sqlite3'}"
    upgrade(url)
    make = Factory(create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "setup"), "SECRET_KEY": "s"}))
    world = tripartite(make)
    round_id, poster = world["round"].id, make.token(world["employer"])
    port = free_port()
    process = start_web(port, consult_environment(url, tmp_path / "instance", CONSULT_COMMENT_RATE="100000/minute",
                                                  CONSULT_LIVE_HEARTBEAT="3600"))
    try:
        follower = _follow(port, make.token(world["government"]), round_id)
        for number in range(COMMENTS):  # beyond the 4 MB a loopback socket buffers at most
            answer = requests.post(f"http://127.0.0.1:{port}/api/v1/rounds/{round_id}/comments", timeout=30,
                                   json={"section": "privacy", "body": f"slow {number} " + "x" * 19_000},
                                   headers={"Authorization": f"Bearer {poster}"})
            assert answer.status_code == 201, answer.text
        numbers, seqs = [], []
        while len(numbers) < COMMENTS:
            text = _message(follower)
            if text.startswith('42["event"'):
                push = json.loads(text[2:])[1]
                seqs.append(push["seq"])
                numbers.append(int(push["event"]["comment"]["body"].split()[1]))
        follower.close()
    finally:
        stop([process])
    assert numbers == list(range(COMMENTS))
    assert seqs == list(range(seqs[0], seqs[0] + COMMENTS))
