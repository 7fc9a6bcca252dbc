"""The application factory: configuration, extensions, the URL tables, error handling."""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path

from flask import Flask, g, jsonify, redirect, request, url_for
from flask_babel import Babel, gettext
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

from consult import bootstrap
from consult.accounts.auth import authenticate_request, csrf, login_manager, requester
from consult.comments import fragments, threads
from consult.config import flask_config, load_settings
from consult.db import Database, lock_wait, write_intent
from consult.errors import Unavailable
from consult.events.dispatcher import Dispatcher
from consult.live.push import LivePusher
from consult.live.registry import make_registry
from consult.live.server import make_socketio
from consult.rounds import cards, participation
from consult.settings import EXTENSION as SETTINGS
from consult.settings import Settings, settings_of
from consult.web.catalogues import compile_catalogues
from consult.web.converters import IdConverter
from consult.web.dates import register_date_filters
from consult.web.errors import register_error_handlers
from consult.web.headers import add_security_headers
from consult.web.labels import register_label_filters
from consult.web.locale import install_template_gettext, select_locale
from consult.wiring import Wiring
from consult.workflow.definitions import load_workflows

#: Modules whose import declares routes on the API and page blueprints.
ROUTE_MODULES = (
    "consult.accounts.api", "consult.rounds.api", "consult.comments.api", "consult.events.api",
    "consult.timeline.api", "consult.outcomes.api", "consult.outcomes.records",
    "consult.registry.api", "consult.outcomes.followup_api", "consult.package.api", "consult.questions.api",
    "consult.opinions.api", "consult.informing.api", "consult.opinions.clock_api",
    "consult.accounts.pages", "consult.rounds.pages", "consult.outcomes.pages", "consult.outcomes.round_pages",
    "consult.accounts.language_pages",
    "consult.comments.pages",
    "consult.rounds.setup_pages", "consult.timeline.pages", "consult.comments.moderation_pages",
    "consult.rounds.people_pages",
    "consult.accounts.admin_pages", "consult.notifications.pages", "consult.accounts.lifecycle_api",
    "consult.accounts.password_pages", "consult.accounts.profile_pages", "consult.package.pages",
    "consult.questions.pages", "consult.opinions.pages", "consult.informing.pages",
    "consult.outcomes.commitment_pages", "consult.notifications.failed_routes",
)

babel = Babel()
#: Pages, styles, scripts and JSON go out gzipped to clients that accept it (the round page is about a tenth
#: of its size so); streamed bodies (exports, downloads) as they are. The session cookie is SameSite=Lax, so a
#: cross-site page cannot make a logged-in browser fetch compressed pages to guess a secret from their size.
compress = Compress()
COMPRESSED = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
              "image/svg+xml"]
log = logging.getLogger(__name__)


def database_bounds(settings: Settings) -> dict:
    """The connection pool and lock waits of a process, from its settings (docs/deployment.md says how to size them)."""
    return {"pool_size": settings.db_pool_size, "pool_timeout": settings.db_pool_timeout,
            "usual_lock_wait": None if settings.db_behind_pooler else settings.db_lock_wait}


def package_settings(settings: Settings):
    """The information package's store and limits, from the settings."""
    from consult.package.services import PackageSettings
    from consult.package.storage import FolderStore

    return PackageSettings(FolderStore(settings.documents_path), settings.document_max_bytes,
                           settings.document_max_unzipped_bytes)


def create_app(config: dict | None = None, wiring: Wiring | None = None) -> Flask:
    """Build a consult application; `config` overrides CONSULT_* variables and the defaults. `wiring`: what the
    clock and the event log call (consult/bootstrap.py's table; a test may remove one registration)."""
    settings = load_settings(config)  # checked once, here: a bad value stops the start, naming its variable
    app = Flask("consult", instance_path=settings.instance_path, template_folder=settings.templates_path,
                static_folder="web/static", static_url_path="/static")
    app.config.update(flask_config(settings, config))
    app.extensions[SETTINGS] = settings
    if settings.trusted_proxies:  # the client's address as the proxies saw it, not the proxy's own
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    # The committed .po catalogues are compiled into the instance folder (generated files stay out of the repo).
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compile_catalogues(Path(app.instance_path) / "translations"))

    workflows = load_workflows(settings.workflows_path)
    db = Database(settings.database_url, info={"workflows": workflows, "package": package_settings(settings),
                                               **bootstrap.database_info(wiring)},
                  **database_bounds(settings))
    db.dispatcher = Dispatcher(db.factory)  # committed events to their subscribers (registered below)
    app.extensions["consult.db"] = db
    app.extensions["consult.workflows"] = workflows

    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    app.config.setdefault("COMPRESS_ALGORITHM", "gzip")
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)

    @app.after_request  # runs before Compress's own (Flask runs these last-registered first)
    def static_files_in_memory(response):
        """The static files are small: read them whole, so they go out gzipped like the pages."""
        if request.endpoint == "static" and response.status_code == 200 and response.direct_passthrough:
            response.direct_passthrough = False
            response.make_sequence()
        return response
    app.extensions["consult.live"] = make_registry(app.config["REDIS_URL"], app.config["REDIS_CHANNEL"])
    app.extensions["consult.pusher"] = LivePusher(app, db, make_socketio(app))
    from consult.comments.limits import PostingLimiter
    from consult.outcomes.exports import ExportRunner
    from consult.web.ratelimit import RateLimiter

    app.extensions["consult.posting_limiter"] = PostingLimiter(app)
    app.extensions["consult.login_limiter"] = RateLimiter(
        app, "LOGIN_RATE", "login", "Too many failed log-ins: wait a few minutes and try again.")
    app.extensions["consult.login_address_limiter"] = RateLimiter(
        app, "LOGIN_ADDRESS_RATE", "login-address",
        "Too many failed log-ins from your network: wait a few minutes and try again.")
    app.extensions["consult.reset_limiters"] = (
        RateLimiter(app, "PASSWORD_RESET_RATE", "reset-address",
                    "Too many password reset requests from your network: wait and try again."),
        RateLimiter(app, "PASSWORD_RESET_RATE", "reset-email",
                    "Too many password reset requests for this address: wait and try again."))

    from email.utils import parseaddr

    from consult.notifications.wakeup import install_wakeup

    install_wakeup(db, app.config)
    db.factory.kw["info"]["password_min_length"] = settings.password_min_length
    domain = parseaddr(app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    db.factory.kw["info"]["mail_domain"] = app.extensions["consult.mail_domain"] = domain

    app.extensions["consult.exports"] = ExportRunner(app)
    bootstrap.wire(app, db)  # every dispatcher subscriber, from the composition root's table

    for module in ROUTE_MODULES:
        importlib.import_module(module)
    from consult.api.openapi import openapi_document
    from consult.api.routing import api_v1
    from consult.web import pages

    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(api_v1)
    app.register_blueprint(pages)
    app.add_url_rule("/api/v1/openapi.json", "openapi", lambda: jsonify(openapi_document()))
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    app.add_url_rule("/favicon.ico", "favicon", lambda: redirect(url_for("static", filename="favicon.svg"), 301))

    request_lock_wait = settings.db_lock_wait

    # Admission in front: at most DB_POOL_SIZE requests work at once, the rest 503 after DB_POOL_TIMEOUT.
    # The pool alone bounds only the time a connection is held; under gevent the rest of a request's work
    # (parsing, rendering, the posting-rate check) would otherwise pile up without bound in the one loop.
    admission = threading.BoundedSemaphore(settings.db_pool_size)  # gevent's, once patched
    admission_wait = settings.db_pool_timeout

    @app.before_request
    def _begin() -> None:
        if not admission.acquire(timeout=admission_wait):
            raise Unavailable(gettext("The server is busy; nothing was saved. Try again in a moment."))
        g.consult_admitted = True
        if getattr(app.view_functions.get(request.endpoint or ""), "accepts_uploads", False):
            # Documents are larger than any other body; only the upload routes take them.
            request.max_content_length = settings_of(app).document_max_bytes + 64 * 1024
        lock_wait.set(request_lock_wait)
        # On SQLite, who is asking is read in a transaction of its own, ended before the request's work: a
        # writer holds the one write lock from its transaction's first read, and must not hold it through
        # what comes before its first write (the posting-rate check waits on Redis, or under gevent lets
        # other requests run), or writers pass one at a time (bench/live.py: 3 comments a second).
        # PostgreSQL's readers lock nothing: the request goes on in the same transaction and connection.
        write_intent.set(False)
        authenticate_request()
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            requester()  # a browser session's person, which Flask-Login would load later
            if db.is_sqlite:
                db.session.commit()
            write_intent.set(True)

    @app.teardown_request
    def _end(_error) -> None:
        if g.pop("consult_admitted", False):
            admission.release()
        write_intent.set(False)
        lock_wait.set(None)

    @app.teardown_appcontext
    def _close(_error) -> None:
        db.session.remove()

    from flask_babel import get_locale

    from consult.live.replay import live_cursor

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["live_cursor"] = live_cursor
    register_date_filters(app)
    register_label_filters(app)
    fragments.init_app(app)
    threads.init_app(app)
    participation.init_app(app)
    cards.init_app(app)
    app.after_request(add_security_headers)
    register_error_handlers(app)
    return app
