"""Open-loop load with socket.io-client (npm): Node processes of bench/clients.js, and the figures of a run.

Used by bench/live.py and tests/resilience/test_load.py: followers are many sockets per Node process, posts
leave at their planned times whatever the earlier answers, and every arrival is matched to its POST.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ROOT / "bench" / "clients.js"
PER_NODE = 250  # followers per Node process


def node_missing() -> str | None:
    """Why the Node clients cannot run here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (ROOT / "node_modules" / "socket.io-client" / "package.json").exists():
        return "socket.io-client is not installed (npm ci)"
    return None


class Node:
    """One Node process of bench/clients.js, its output lines read as they come."""

    def __init__(self, mode: str, config: dict) -> None:
        self.process = subprocess.Popen(["node", str(CLIENTS), mode, json.dumps(config)], cwd=ROOT, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.ready: dict | None = None
        self.report = None
        self.got = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            kind, _, rest = line.partition(" ")
            if kind == "ready":
                self.ready = json.loads(rest)
            elif kind == "report":
                self.report = json.loads(rest)
            elif kind == "got":
                self.got = int(rest)

    def finish(self, timeout: float = 120) -> object:
        """Ask for the report (followers) or wait for it (poster), and return it."""
        if self.process.stdin:
            self.process.stdin.close()
        self.reader.join(timeout)
        self.process.wait(timeout=10)
        return self.report


class OpenLoad:
    """Followers of one round on some servers, and comments posted to them at a fixed rate."""

    def __init__(self, urls: list[str], tokens: list, round_id: int, *, marker: str,
                 local_addresses: list[str] | None = None) -> None:
        self.urls, self.tokens, self.round_id, self.marker = urls, tokens, round_id, marker
        self.local_addresses = local_addresses
        self.nodes: list[Node] = []
        self.wanted, self.joined, self.join_ms = 0, 0, 0
        self.posted: dict = {}
        self.followers: list[dict] = []

    def follow(self, count: int, timeout: float = 180) -> None:
        """Connect and join `count` followers; returns once all have joined or failed."""
        self.wanted = count
        processes = max(1, -(-count // PER_NODE))
        for index in range(processes):
            share = count // processes + (index < count % processes)
            self.nodes.append(Node("follow", {
                "urls": self.urls, "count": share, "tokens": self.tokens, "event": "event", "marker": self.marker,
                "join": {"round_id": self.round_id, "last_seq": 0}, "parallel": 50,
                "localAddresses": self.local_addresses}))
        deadline = time.monotonic() + timeout
        while any(n.ready is None for n in self.nodes) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.joined = sum((n.ready or {}).get("joined", 0) for n in self.nodes)
        self.join_ms = max((n.ready or {}).get("ms", timeout * 1000) for n in self.nodes)

    def post(self, rate: float, seconds: float, *, section: str, padding: int = 0, settle: float = 60) -> None:
        """Post open-loop, then wait until every delivery is in or none has come for 3 s (`settle` s at most)."""
        poster = Node("post", {"urls": self.urls, "path": f"/api/v1/rounds/{self.round_id}/comments",
                               "tokens": self.tokens, "rate": rate, "seconds": seconds, "marker": self.marker,
                               "section": section, "padding": padding, "timeoutMs": 60000,
                               "localAddresses": self.local_addresses})
        self.posted = poster.finish(timeout=seconds + 120)
        expected = sum(r["status"] == 201 for r in self.posted["results"]) * self.joined
        last, quiet_since, limit = -1, time.monotonic(), time.monotonic() + settle
        while time.monotonic() < limit and time.monotonic() - quiet_since < 3:
            time.sleep(0.2)
            total = sum(n.got for n in self.nodes)
            if total != last:
                last, quiet_since = total, time.monotonic()
            if total >= expected:
                break

    def figures(self, cpu: float = 0.0) -> dict:
        """The figures of the run (see `measure`); the followers stop."""
        self.followers = [f for node in self.nodes for f in (node.finish() or [])]
        figures = measure(self.posted, self.followers, cpu, self.join_ms, self.joined, self.wanted)
        figures["join_retries"] = sum((node.ready or {}).get("retries", 0) for node in self.nodes)
        figures["join_errors"] = [e for node in self.nodes for e in (node.ready or {}).get("errors", [])][:5]
        return figures

    def close(self) -> None:
        """Stop any Node process still running."""
        for node in self.nodes:
            if node.process.poll() is None:
                node.process.kill()


def measure(posted: dict, followers: list[dict], cpu: float, join_ms: float, joined: int, wanted: int) -> dict:
    """The figures of one run from the poster's answers and the followers' arrivals."""
    sent = {r["number"]: r["sent"] for r in posted["results"]}
    status = {r["number"]: r["status"] for r in posted["results"]}
    accepted = {n for n, s in status.items() if s == 201}
    refused = {n for n, s in status.items() if s == 503}
    latencies, duplicates, refused_delivered, lost = [], 0, 0, 0
    for follower in followers:
        if not follower["joined"]:
            continue
        seen: set[int] = set()
        for number, at in follower["arrivals"]:
            if number in seen:
                duplicates += 1
                continue
            seen.add(number)
            refused_delivered += number in refused
            latencies.append(at - sent[number])
        lost += len(accepted - seen)
        duplicates += follower.get("pushedTwice", 0)  # consult's: the page drops them, but they were sent twice
    latencies.sort()
    answers = sorted(r["ms"] for r in posted["results"])
    delivered = len(latencies)
    return {"followers": wanted, "joined": joined, "join_ms": join_ms, "posted": len(status),
            "http_201": len(accepted), "http_503": len(refused),
            "http_5xx": sum(1 for s in status.values() if s >= 500 and s != 503),
            "no_answer": sum(1 for s in status.values() if s == 0),
            "retry_after_missing": sum(1 for r in posted["results"] if r["status"] == 503 and not r["retryAfter"]),
            "expected": len(accepted) * joined, "delivered": delivered, "lost": lost, "duplicates": duplicates,
            "out_of_order": sum(f["outOfOrder"] for f in followers),
            "reordered_on_wire": sum(f.get("reordered", 0) for f in followers),
            "refused_but_delivered": refused_delivered,
            "p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99),
            "answer_p99_ms": percentile(answers, 0.99), "peak_in_flight": posted["peakInFlight"],
            "cpu_ms_per_1000": round(cpu / max(delivered, 1) * 1e6, 1)}


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the sorted values lie."""
    return round(float(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]), 1) if ordered else None
