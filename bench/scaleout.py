"""bench/live.py's scale-out mode: K server processes behind Debian's nginx, with Redis between them.

consult runs as the README's production configuration: K `consult web` processes on PostgreSQL, Redis as
Socket.IO's message queue and the live registry, nginx in front (sticky by client address, WebSocket
upgrade: tests/processes.py's configuration). The bare server runs the same way: K gunicorn processes of
bench/bare_server.py on the same Redis, behind the same nginx. Followers and writers come from 40 loopback
addresses, so nginx spreads them over the processes. CPU counts every server process and nginx.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from consult.serving import gunicorn_argv
from tests.processes import REDIS_URL, free_port, start_nginx

#: Clients come from these loopback addresses, so nginx's hash spreads them over the processes.
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 42)]


def start_cluster(kind: str, processes: int, environment: dict, consult_command: list[str], workdir: Path,
                  wait_for) -> tuple[list[subprocess.Popen], str]:
    """K servers of `kind` behind nginx, ready; returns every process (nginx last) and nginx's address."""
    channel = f"bench-{uuid.uuid4().hex[:8]}"
    environment = {**environment, "CONSULT_REDIS_URL": REDIS_URL, "CONSULT_REDIS_CHANNEL": channel,
                   "BARE_REDIS_URL": REDIS_URL, "BARE_REDIS_CHANNEL": channel}
    started: list[subprocess.Popen] = []
    ports = [free_port() for _ in range(processes)]
    workdir.mkdir(parents=True, exist_ok=True)
    for index, port in enumerate(ports):
        if kind == "bare":
            command = gunicorn_argv("bench.bare_server:app", "127.0.0.1", port, environment)
        else:
            command = [*consult_command, "--port", str(port)]
        with (workdir / f"server-{index}.log").open("w") as log:
            started.append(subprocess.Popen(command, env=environment, cwd=Path(__file__).resolve().parents[1],
                                            stdout=log, stderr=log, start_new_session=True))
    for port, process in zip(ports, started, strict=True):
        wait_for(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling", process)
    proxy = free_port()
    started.append(start_nginx(proxy, ports, workdir / "nginx"))
    return started, f"http://127.0.0.1:{proxy}"


def pids(processes: list[subprocess.Popen]) -> list[int]:
    """The process ids whose trees' CPU a run counts."""
    return [process.pid for process in processes if process.poll() is None and os.path.exists(f"/proc/{process.pid}")]
