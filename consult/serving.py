"""The production server: gunicorn, one worker per process, Flask-SocketIO in the mode that worker needs.

`consult web` and `consult serve` replace themselves with gunicorn (`os.execv`), so nothing of consult is
imported before the worker starts: a gevent worker monkey-patches the standard library first, and psycopg
and redis, imported after it, wait on sockets through gevent's hub. Gunicorn's listening socket has
TCP_NODELAY set, which the accepted connections inherit on Linux: a response or a pushed frame leaves at
once, not after the peer's delayed ACK.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The worker classes measured by bench/live.py; the first is the default (docs/performance.md).
WORKERS = ("gevent", "gthread")


def worker_class(environ: dict[str, str] | None = None) -> str:
    """The gunicorn worker class to run: CONSULT_SERVER_WORKER if set, else the measured default."""
    chosen = (os.environ if environ is None else environ).get("CONSULT_SERVER_WORKER") or WORKERS[0]
    if chosen not in WORKERS:
        raise ValueError(f"CONSULT_SERVER_WORKER must be one of {', '.join(WORKERS)}, not {chosen!r}")
    return chosen


def connections(environ: dict[str, str] | None = None) -> int:
    """How many connections (sockets and requests at once) one process takes: CONSULT_SERVER_CONNECTIONS."""
    return int((os.environ if environ is None else environ).get("CONSULT_SERVER_CONNECTIONS") or 2000)


def gunicorn_argv(target: str, host: str, port: int, environ: dict[str, str] | None = None) -> list[str]:
    """The command line of a gunicorn process serving `target` ("module:callable" or "module:factory()")."""
    worker = worker_class(environ)
    capacity = connections(environ)
    # gunicorn puts its working directory first on the import path: started from a folder that holds a
    # folder named consult (a service manager in the checkout's parent), that folder would shadow the
    # installed package. -P keeps the directory off the path of gunicorn itself, and --pythonpath puts the
    # package's own folder before it when the application loads.
    package_home = str(Path(__file__).resolve().parent.parent)
    argv = [sys.executable, "-P", "-m", "gunicorn", "--pythonpath", package_home,
            "--bind", f"{host}:{port}", "--workers", "1",
            "--worker-class", worker, "--worker-connections", str(capacity),
            # A worker busy with a burst must not be taken for a hung one; SIGTERM drains for 5 s at most.
            "--timeout", "120", "--graceful-timeout", "5", "--keep-alive", "5",
            "--log-level", os.environ.get("CONSULT_SERVER_LOG_LEVEL", "warning"), "--no-control-socket"]
    if worker == "gthread":
        # Each WebSocket holds one of the worker's threads for its whole life.
        argv += ["--threads", str(capacity)]
    return [*argv, target]


def exec_gunicorn(target: str, host: str, port: int) -> None:
    """Replace this process with gunicorn serving `target` (the same pid, so signals reach the server)."""
    argv = gunicorn_argv(target, host, port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # noqa: S606 (a fixed argv, no shell)


def _prepared(app):
    import gc

    # Everything built so far lives as long as the process: keep it out of the collector's full passes,
    # which otherwise walk the whole application on every one (measured: 180 ms pauses under live load).
    gc.freeze()
    return app


def web_app():
    """The WSGI application of one `consult web` process (a gunicorn factory)."""
    from consult import create_app  # late: the worker has patched the standard library by now (see above)

    return _prepared(create_app())


def serve_app():
    """The WSGI application of `consult serve`: the web process with the scheduler running inside it."""
    # Late, as in web_app: the worker has patched the standard library by now (see the module's docstring).
    from consult import create_app
    from consult.scheduler.runner import Scheduler

    app = create_app()
    Scheduler(app).start()
    return _prepared(app)
