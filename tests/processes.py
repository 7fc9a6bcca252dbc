"""consult in other processes, for tests that need real ones: free ports, their environment, start and stop."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import redis
import requests

REDIS_URL = os.environ.get("CONSULT_TEST_REDIS", "redis://127.0.0.1:6379/0")
CONSULT = Path(sys.executable).with_name("consult")


def redis_answers() -> bool:
    """Whether the test Redis is up."""
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def consult_environment(database_url: str, instance: Path, *, redis_url: str = "", **extra: str) -> dict[str, str]:
    """The CONSULT_* environment of a child process on this database (a channel of its own on Redis)."""
    return {**os.environ, "CONSULT_DATABASE_URL": database_url, "CONSULT_SECRET_KEY": "s",
            "CONSULT_INSTANCE_PATH": str(instance), "CONSULT_REDIS_URL": redis_url,
            "CONSULT_REDIS_CHANNEL": f"test-{uuid.uuid4().hex[:8]}", **extra}


def start_web(port: int, environment: dict[str, str]) -> subprocess.Popen:
    """A `consult web` process, ready when its port answers."""
    process = subprocess.Popen([str(CONSULT), "web", "--port", str(port)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return process
        except (requests.ConnectionError, requests.Timeout):  # not yet listening, or loading
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"consult web did not start on {port}")


def start_scheduler(environment: dict[str, str]) -> subprocess.Popen:
    """A `consult scheduler` process."""
    return subprocess.Popen([str(CONSULT), "scheduler"], env=environment, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def start_mailer(environment: dict[str, str]) -> subprocess.Popen:
    """A `consult mailer` process."""
    return subprocess.Popen([str(CONSULT), "mailer"], env=environment, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(processes: list[subprocess.Popen], timeout: float = 30) -> None:
    """SIGTERM each process group still running, and wait for it."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

NGINX_CONF = """
daemon off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
{user}
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    # Sticky: each client address always reaches the same web process (Engine.IO's polling needs it);
    # the whole address, where ip_hash would take only its first three octets.
    upstream consult {{
        hash $remote_addr consistent;
{servers}
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://consult;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 1h;
        }}
    }}
}}
"""


def start_nginx(port: int, backends: list[int], root: Path) -> subprocess.Popen:
    """Debian's nginx in front of `backends` (sticky by client address, WebSocket upgrade), ready on `port`."""
    root.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{backend};" for backend in backends)
    user = "user root;" if os.geteuid() == 0 else ""  # its workers must reach the temporary folders
    (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, port=port, servers=servers, user=user))
    process = subprocess.Popen([NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {(root / 'error.log').read_text()[-2000:]}")
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return process
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"nginx did not start on {port}")
