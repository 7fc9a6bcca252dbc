"""One error shape for the API, a plain page for people; a failed database answers 503, never a trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
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


def _answer(error: ConsultError):
    if _wants_json():
        return jsonify(error.to_dict()), error.status
    return render_template("error.html", error=error), error.status


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
        consult_error = ConsultError(error.description or error.name)
        consult_error.status = error.code or 500
        consult_error.code = HTTP_CODES.get(consult_error.status, "error")
        return _answer(consult_error)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        rollback()
        log.info("integrity error: %s", error.orig)
        return _answer(Conflict("This clashes with something saved at the same moment; nothing was saved."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database(error: OperationalError | InterfaceError):
        log.warning("database unavailable: %s", error.orig)
        try:
            rollback()
        except Exception:  # the connection may be gone; the transaction died with it
            log.debug("rollback after database failure failed", exc_info=True)
        return _answer(Unavailable("The database is not answering; nothing was saved. Try again shortly."))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error")
        rollback()
        failure = ConsultError("Something went wrong on our side; nothing was saved.")
        failure.status, failure.code = 500, "server_error"
        return _answer(failure)
