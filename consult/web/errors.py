"""One error shape for the API, a plain page for people; a failed or busy database answers 503, never a trace.

A busy database (no pooled connection free within DB_POOL_TIMEOUT, another writer's lock held past the
busy or lock timeout) answers like a failed one: 503 with Retry-After, nothing saved.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from consult.errors import Conflict, ConsultError, Unavailable

log = logging.getLogger(__name__)

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
              422: "invalid", 429: "rate_limited"}


def _wants_json() -> bool:
    """API paths, scripts sending a token (on any path: downloads, CSV), and clients asking for JSON."""
    if request.path.startswith("/api/") or "Authorization" in request.headers:
        return True
    return request.accept_mimetypes.best == "application/json"


#: What a page says for an HTTP error of Werkzeug's (its own descriptions are English).
HTTP_MESSAGES = {
    400: _l("The request could not be read. Go back, reload the page and try again."),
    403: _l("You may not see this page."),
    404: _l("There is no page at this address. Check it, or start again from the home page."),
    405: _l("This address does not take that kind of request."),
    413: _l("What was sent is too large."),
    429: _l("Too many requests: wait a moment and try again."),
    500: _l("Something went wrong on our side; nothing was saved."),
}


def http_message(status: int) -> str | None:
    """The page's sentence for an HTTP error, in the reader's language (None: keep the error's own)."""
    return str(HTTP_MESSAGES[status]) if status in HTTP_MESSAGES else None


#: Seconds a client is told to wait before it tries again after a 503.
RETRY_AFTER = "2"


def _answer(error: ConsultError):
    headers = {"Retry-After": RETRY_AFTER} if error.status == 503 else {}
    if _wants_json():
        return jsonify(error.to_dict()), error.status, headers
    try:
        page = render_template("error.html", error=error)
    except (OperationalError, InterfaceError, PoolTimeout):  # the page's layout needed the busy database
        page = f"<!doctype html><title>{error.status}</title><p>{escape(error.message)}</p>"
    return page, error.status, headers


def register_error_handlers(app: Flask) -> None:
    """Turn every failure into the documented shape, rolling back whatever the request had begun."""

    def rollback() -> None:
        app.extensions["consult.db"].session.rollback()

    @app.errorhandler(ConsultError)
    def _consult(error: ConsultError):
        rollback()
        return _answer(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        rollback()
        # Werkzeug's own descriptions are English: a page says it in the reader's language instead.
        own = error.description != type(error).description  # a sentence the app gave, already translated
        told = None if _wants_json() or own else http_message(error.code or 500)
        consult_error = ConsultError(told or error.description or error.name)
        consult_error.status = error.code or 500
        consult_error.code = HTTP_CODES.get(consult_error.status, "error")
        return _answer(consult_error)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        rollback()
        log.info("integrity error: %s", error.orig)
        return _answer(Conflict(gettext("This clashes with something saved at the same moment; nothing was saved.")))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database(error: OperationalError | InterfaceError):
        log.warning("database unavailable: %s", error.orig)
        try:
            rollback()
        except Exception:  # the connection may be gone; the transaction died with it
            log.debug("rollback after database failure failed", exc_info=True)
        return _answer(Unavailable(gettext("The database is not answering; nothing was saved. Try again shortly.")))

    @app.errorhandler(PoolTimeout)
    def _busy(error: PoolTimeout):
        log.warning("overloaded, refused: %s", error)
        rollback()
        return _answer(Unavailable(gettext("The server is busy; nothing was saved. Try again in a moment.")))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error")
        rollback()
        failure = ConsultError(gettext("Something went wrong on our side; nothing was saved."))
        failure.status, failure.code = 500, "server_error"
        return _answer(failure)
