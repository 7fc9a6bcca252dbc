"""CPU time of a process tree, read from /proc: what the benchmarks charge a server with (its workers included)."""

from __future__ import annotations

import os
from pathlib import Path


def tree_times(pid: int) -> tuple[float, float]:
    """User and system CPU seconds used so far by a process and all its descendants still running."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    user = system = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            user, system = user + int(stats[current][11]), system + int(stats[current][12])
        todo.extend(children.get(current, []))
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by a process and all its descendants still running."""
    return sum(tree_times(pid))
