"""What a join costs the socket server beyond its reads (bench/join_cost.py, bench/live.py's join time).

When a plenary opens, hundreds of sockets connect and join within a second, and each piece of a join's work is
paid hundreds of times: a join's answer (its replay) is not walked item by item for bytes that consult never
sends.
"""

from __future__ import annotations

import json

import pytest

from consult.live.server import JsonPacket


def test_a_packets_arguments_are_looked_at_for_bytes_and_nothing_deeper():
    assert JsonPacket(data=["event", b"raw"]).packet_type != JsonPacket(data=["event", {"a": 1}]).packet_type
    deep = JsonPacket(data=["event", {"events": [{"body": b"never sent by consult"}]}])
    assert deep.attachment_count == 0
    with pytest.raises(TypeError):  # fails loudly, never goes out as an attachment
        deep.encode()
    plain = JsonPacket(data=["event", {"events": [{"body": "text"}]}]).encode()
    assert json.loads(plain[1:]) == ["event", {"events": [{"body": "text"}]}]
