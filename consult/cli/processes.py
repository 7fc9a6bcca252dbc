"""`consult serve`, `web`, `scheduler` and `mailer`: the processes a deployment runs.

`serve` runs everything in one server; a deployment with several web processes runs `web`, `scheduler` and
`mailer` apart (docs/deployment.md).
"""

from __future__ import annotations

import os
import sys

import click

from consult import create_app
from consult.serving import exec_gunicorn


def _follow_served_address(host: str, port: int) -> None:
    """Without CONSULT_BASE_URL, links (mail, signed PDFs) and the allowed Socket.IO origin name this server."""
    from consult.config import served_base_url

    if not os.environ.get("CONSULT_BASE_URL"):
        # The environment, so the gunicorn process this one becomes (and its render children) read it too.
        os.environ["CONSULT_BASE_URL"] = served_base_url(host, port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load the demo round (once) and print its log-ins.")
def serve(host: str, port: int, demo: bool) -> None:
    """Run everything in one server: web pages, API, live updates and the scheduler (gunicorn, one worker)."""
    from consult.migrate import upgrade

    _follow_served_address(host, port)
    app = create_app()
    db = app.extensions["consult.db"]
    if db.is_sqlite:
        upgrade(db.url)
    if demo:
        from consult.demo import load_demo

        click.echo(load_demo(app))
    db.dispose()
    click.echo(f"consult is serving at http://{host}:{port}/  (Ctrl+C stops it)")
    exec_gunicorn("consult.serving:serve_app()", host, port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def web(host: str, port: int) -> None:
    """Run one web process (gunicorn, one worker) for a deployment with several; needs CONSULT_REDIS_URL."""
    from consult.config import load_config

    _follow_served_address(host, port)
    if not load_config()["REDIS_URL"]:
        click.echo("warning: without CONSULT_REDIS_URL, pushes do not reach clients of other processes", err=True)
    click.echo(f"consult web process {os.getpid()} at http://{host}:{port}/")
    exec_gunicorn("consult.serving:web_app()", host, port)


@click.command()
def scheduler() -> None:
    """Run the scheduler as its own process (for deployments with several web processes; several may run)."""
    import logging
    import signal
    import threading

    from consult.scheduler.runner import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    if not app.config["REDIS_URL"]:
        click.echo("warning: without CONSULT_REDIS_URL, a deadline changed elsewhere is seen within 30 s and "
                   "pushes from this process do not reach browsers", err=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runner = Scheduler(app)
    runner.start()
    click.echo(f"consult scheduler {os.getpid()} running", err=True)
    stop.wait()
    runner.shutdown()


@click.command()
@click.option("--once", is_flag=True, help="Send what is due now, print what happened, and exit.")
def mailer(once: bool) -> None:
    """Run a mail sender as its own process (several may run: leases keep them from sending a row twice)."""
    import logging
    import signal
    import threading

    from consult.notifications.mailer import Mailer, send_now

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    if not app.config["SMTP_URL"]:
        click.echo("error: set CONSULT_SMTP_URL (smtp://host:port or smtps://user:password@host)", err=True)
        sys.exit(1)
    if once:
        report = send_now(app)
        click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sender = Mailer(app).start()
    click.echo(f"consult mailer {os.getpid()} running", err=True)
    stop.wait()
    sender.stop()

