"""Under gevent (the default server), a log-in's password hashing stops no other request or socket."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
from gevent import monkey
monkey.patch_all()
import json, time
import gevent
from argon2 import PasswordHasher
from consult.cooperative import off_loop
import consult.cooperative as cooperative

if {direct}:
    cooperative.gevent_patched = lambda: False
hasher = PasswordHasher(time_cost=6, memory_cost=131072, parallelism=1)  # slow on purpose: hundreds of ms
ticks = []

def tick():
    while True:
        ticks.append(time.monotonic())
        gevent.sleep(0.005)

ticker = gevent.spawn(tick)
gevent.sleep(0.05)
began = time.monotonic()
off_loop(hasher.hash, "correct horse battery staple")
took = time.monotonic() - began
ticker.kill()
gaps = [b - a for a, b in zip(ticks, ticks[1:]) if b > began]
print(json.dumps({{"took": took, "longest_gap": max(gaps, default=took)}}))
"""


def _run(direct: bool) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(direct=direct)], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_password_hashing_under_gevent_lets_the_event_loop_run():
    figures = _run(direct=False)
    assert figures["took"] > 0.15, figures  # the hash was slow enough to be noticed if it stopped the loop
    assert figures["longest_gap"] < figures["took"] / 3, figures  # other greenlets kept running meanwhile


def test_without_the_native_thread_the_same_hash_stops_the_loop():
    """The control: called in the loop's own thread, the hash stops every greenlet for as long as it takes."""
    figures = _run(direct=True)
    assert figures["longest_gap"] >= figures["took"] * 0.9, figures
