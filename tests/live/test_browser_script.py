"""The browser script's ordering and de-duplication, run by Node.js on the very file the pages load."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from consult import ROOT

NODE = shutil.which("node")
SCRIPT = ROOT / "consult" / "web" / "static" / "live.js"

SCENARIO = """
const { Sequencer } = require(%s);
const applied = [];
const s = new Sequencer(2, (e) => applied.push(e.seq));
s.offer(4, {seq: 4});            // early: waits for 3
s.offer(3, {seq: 3});            // fills the gap: 3 then 4
s.offer(4, {seq: 4});            // a duplicate push
s.offer(5, null);                // a caucus event this viewer may not see: counted, not applied
s.offer(7, {seq: 7});            // gap at 6
const gapSeen = s.gapSince !== null;
s.settle({events: [{seq: 6}, {seq: 7}, {seq: 3}], through: 8});   // replay after reconnect overlaps the pushes
s.offer(8, {seq: 8});            // the push of something the replay already accounted for
s.offer(9, {seq: 9});
const far = new Sequencer(0, () => {});
far.settle({reload: true, through: 99999});
console.log(JSON.stringify({applied, last: s.lastSeq, gapSeen, pending: s.pending.size, reload: far.mustReload}));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_applies_each_event_once_in_order_across_pushes_gaps_and_replays():
    result = subprocess.run([NODE, "-e", SCENARIO % json.dumps(str(SCRIPT))], capture_output=True, text=True,
                            timeout=30, check=True)
    outcome = json.loads(result.stdout)
    assert outcome == {"applied": [3, 4, 6, 7, 9], "last": 9, "gapSeen": True, "pending": 0, "reload": True}


def test_the_round_page_loads_the_live_script_and_socket_io_from_consult_itself(make, client):
    from tests.factories import log_in, tripartite

    world = tripartite(make)
    log_in(client, world["worker"])
    page = client.get(f"/rounds/{world['round'].id}").get_data(as_text=True)
    assert '<script src="/static/vendor/socket.io.min.js" defer></script>' in page
    assert '<script src="/static/live.js" defer></script>' in page
    assert "<script>" not in page  # no inline script: the Content-Security-Policy forbids it
    vendored = client.get("/static/vendor/socket.io.min.js")
    assert vendored.status_code == 200 and b"Socket.IO v4" in vendored.data
    assert client.get("/static/live.js").status_code == 200
