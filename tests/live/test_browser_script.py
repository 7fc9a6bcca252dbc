"""The browser script's ordering and de-duplication, run by Node.js on the very file the pages load."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from consult.paths import ROOT

NODE = shutil.which("node")
SCRIPT = ROOT / "consult" / "web" / "static" / "live.js"

SCENARIO = """
const { Sequencer } = require(%s);
const applied = [];
const P = "participants", C = "caucus:workers";
const s = new Sequencer({[P]: 2, [C]: 1}, (e) => applied.push(e.audience[0] + e.seq));
s.offer(P, 4, {audience: P, seq: 4});   // early: waits for 3
s.offer(C, 2, {audience: C, seq: 2});   // the caucus's next: its own count, applied at once
s.offer(P, 3, {audience: P, seq: 3});   // fills the gap: 3 then 4
s.offer(P, 4, {audience: P, seq: 4});   // a duplicate push
s.offer(P, 6, {audience: P, seq: 6});   // gap at 5
const gapSeen = s.gapSince !== null;
// A replay after reconnect overlaps the pushes, in the log's order across audiences.
s.settle({events: [{audience: P, seq: 3}, {audience: C, seq: 3}, {audience: P, seq: 5}, {audience: P, seq: 6}],
          heads: {[P]: 7, [C]: 3}});
s.offer(P, 7, {audience: P, seq: 7});   // the push of something the replay already accounted for
s.offer(P, 8, {audience: P, seq: 8});
const far = new Sequencer({}, () => {});
far.settle({reload: true, heads: {[P]: 99999}});
console.log(JSON.stringify({applied, cursor: s.cursor(), gapSeen, gapAfter: s.gapSince, reload: far.mustReload}));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_applies_each_event_once_in_order_across_pushes_gaps_and_replays():
    result = subprocess.run([NODE, "-e", SCENARIO % json.dumps(str(SCRIPT))], capture_output=True, text=True,
                            timeout=30, check=True)
    outcome = json.loads(result.stdout)
    # Each audience's events once, in order; the caucus's numbers are its own, so the plenary's have no hole
    # where a caucus event went, and a reader of only the plenary could not count the caucus's.
    assert outcome == {"applied": ["c2", "p3", "p4", "c3", "p5", "p6", "p8"],
                       "cursor": {"participants": 8, "caucus:workers": 3}, "gapSeen": True, "gapAfter": None,
                       "reload": True}


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


HELPERS = """
const live = require(%s);
console.log(JSON.stringify({
  tally: live.tallyText({agree: {workers: 2, employers: 1}, question: {government: 1}},
                        {agree: "D'accord", question: "Question"}),
  presence: live.presenceText({workers: 2, employers: 1}),
  filled: live.fill("New reply by {author} on {section}", {author: "Worker representative 3", section: "privacy"}),
}));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_writes_tallies_presence_and_announcements_as_the_page_does():
    result = subprocess.run([NODE, "-e", HELPERS % json.dumps(str(SCRIPT))], capture_output=True, text=True,
                            timeout=30, check=True)
    assert json.loads(result.stdout) == {
        "tally": "D'accord: workers 2, employers 1 · Question: government 1",
        "presence": "employers 1 · workers 2",
        "filled": "New reply by Worker representative 3 on privacy"}


#: The script run in a bare page: a live round marker but no #live-labels, no threads, no presence element.
BARE_PAGE = """
const fs = require("fs"), vm = require("vm");
const handlers = {}, dispatched = [];
const main = {getAttribute: (name) => name === "data-live-round" ? "7" : "0"};
const document = {
  querySelector: (selector) => selector === "[data-live-round]" ? main : null,
  querySelectorAll: () => [],
  getElementById: () => null,
  dispatchEvent: (event) => dispatched.push(event.detail.type),
};
const socket = {connected: true, on: (name, fn) => { handlers[name] = fn; }, emit: () => {}};
const window = {io: () => socket, setTimeout: () => 0, setInterval: () => 0};
class CustomEvent { constructor(type, init) { this.type = type; this.detail = init.detail; } }
vm.runInNewContext(fs.readFileSync(%s, "utf8"), {window, document, CustomEvent, globalThis: window});
const comment = {id: 5, section: "privacy", channel: "plenary", parent_id: 4,
                 author: {name: "A", constituency: "workers"}, body_html: "<p>x</p>"};
const push = (seq, type, payload) => handlers.event({round_id: 7, audience: "participants", seq,
                                                     event: {audience: "participants", seq, type, payload, comment}});
push(1, "comment.posted", {comment_id: 5});
push(2, "comment.edited", {comment_id: 5});
push(3, "comment.hidden", {comment_id: 5, reason: "r"});
push(4, "comment.reacted", {comment_id: 5, tally: {}});
handlers.presence({round_id: 7, counts: {workers: 1}});
console.log(JSON.stringify(dispatched));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_runs_on_a_page_without_labels_or_threads():
    result = subprocess.run([NODE, "-e", BARE_PAGE % json.dumps(str(SCRIPT))], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["comment.posted", "comment.edited", "comment.hidden", "comment.reacted"]


HEARTBEAT = """
const { Sequencer, backoff, RETRYABLE } = require(%s);
const applied = [];
const P = "participants";
const s = new Sequencer({[P]: 3}, (e) => applied.push(e.seq));
s.behind({[P]: 3});               // the round is where the page is: nothing missing
const quiet = s.gapSince === null;
s.behind({[P]: 5});               // the last pushes of a burst never came: a gap, though nothing is pending
const behind = s.gapSince !== null;
s.settle({events: [{audience: P, seq: 4}, {audience: P, seq: 5}], heads: {[P]: 5}});   // the catch-up fills it
const delays = [0, 1, 2, 3, 10].map((n) => backoff(n, 0.5));
console.log(JSON.stringify({quiet, behind, applied, after: s.gapSince, delays,
                            retry: Object.keys(RETRYABLE).sort()}));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_notices_from_the_heartbeat_that_it_missed_the_last_push_and_backs_off_joins():
    result = subprocess.run([NODE, "-e", HEARTBEAT % json.dumps(str(SCRIPT))], capture_output=True, text=True,
                            timeout=30, check=True)
    outcome = json.loads(result.stdout)
    assert outcome == {"quiet": True, "behind": True, "applied": [4, 5], "after": None,
                       "delays": [500, 1000, 2000, 4000, 30000],
                       "retry": ["server_error", "timeout", "unavailable"]}
