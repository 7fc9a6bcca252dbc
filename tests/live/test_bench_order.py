"""The live benchmark counts order per audience, as consult's page does, not in the order pushes arrive."""

from __future__ import annotations

import time

import pytest

from consult.live.rooms import room_of
from tests.factories import tripartite
from tests.openloop import OpenLoad, node_missing

pytestmark = pytest.mark.skipif(node_missing() is not None, reason=node_missing() or "")


def _push(app, round_id: int, seq: int, number: int) -> None:
    """A comment's push as consult sends it, numbered `seq` in the plenary's audience."""
    body = f"bench {number} text"
    event = {"round_id": round_id, "audience": "participants", "seq": seq, "type": "comment.posted",
             "comment": {"body": body}}
    app.extensions["socketio"].emit("event", {"round_id": round_id, "audience": "participants", "seq": seq,
                                              "event": event}, to=room_of(round_id, "employers"))


def test_pushes_arriving_out_of_their_audience_order_are_counted_as_the_page_applies_them(app, make, live_server):
    world = tripartite(make)
    round_id = world["round"].id
    load = OpenLoad([live_server], [make.token(world["employer"])], round_id, marker="bench")
    try:
        load.follow(1)
        assert load.joined == 1
        head = app.extensions["consult.db"].session.get(type(world["round"]), round_id).audience_heads["participants"]
        # The later number first, as two processes publishing through Redis may deliver them.
        _push(app, round_id, head + 2, 1)
        time.sleep(0.3)
        _push(app, round_id, head + 1, 0)
        load.posted = {"results": [{"number": n, "sent": int(time.time() * 1000), "status": 201, "ms": 1,
                                    "retryAfter": None} for n in (0, 1)], "peakInFlight": 1}
        deadline = time.monotonic() + 10
        while sum(node.got for node in load.nodes) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        figures = load.figures()
    finally:
        load.close()
    assert figures["out_of_order"] == 0
    assert figures["reordered_on_wire"] == 1
    assert figures["delivered"] == 2 and figures["lost"] == 0 and figures["duplicates"] == 0
    arrivals = load.followers[0]["arrivals"]
    assert [number for number, _at in arrivals] == [0, 1]  # applied in the audience's order
