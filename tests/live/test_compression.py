"""WebSockets are served without permessage-deflate unless it is asked for (a deflate per follower per push)."""

from __future__ import annotations

import base64
import os
import socket

import pytest

from consult.migrate import upgrade
from tests.processes import consult_environment, free_port, start_web, stop


def _handshake(port: int) -> str:
    """The server's answer to a WebSocket upgrade that offers permessage-deflate, as a browser sends it."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
               "\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n\r\n", 1)[0].decode().lower()


@pytest.mark.parametrize("setting, deflate", [(None, False), ("true", True)])
def test_the_websocket_handshake_agrees_compression_only_when_it_is_turned_on(tmp_path, setting, deflate):
    url = f"sqlite:///{tmp_path / 'consult.sqlite3'}"
    upgrade(url)
    extra = {"CONSULT_LIVE_COMPRESSION": setting} if setting else {}
    port = free_port()
    process = start_web(port, consult_environment(url, tmp_path / "instance", **extra))
    try:
        answer = _handshake(port)
    finally:
        stop([process])
    assert answer.startswith("http/1.1 101")
    assert ("permessage-deflate" in answer) is deflate
