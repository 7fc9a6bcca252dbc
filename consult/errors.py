"""Errors a service or entry point raises; each becomes one JSON error shape with the right status."""

from __future__ import annotations

from typing import Any


class ConsultError(Exception):
    """Base of the errors a user can be shown: a code, a message and optional per-field messages."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, Any] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        """The documented shape: {"error": {"code", "message", "fields"}} plus any extra keys."""
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields, **self.extra}}


class BadRequest(ConsultError):
    """The request could not be read (malformed JSON, wrong content type)."""

    status, code = 400, "bad_request"


class Unauthorized(ConsultError):
    """No valid session or token."""

    status, code = 401, "unauthorized"


class Forbidden(ConsultError):
    """Authenticated, but this person may not do this."""

    status, code = 403, "forbidden"


class NotFound(ConsultError):
    """No such thing, or not one this person may see."""

    status, code = 404, "not_found"


class Conflict(ConsultError):
    """The request clashes with the current state (already done, stale version, stage closed)."""

    status, code = 409, "conflict"


class PayloadTooLarge(ConsultError):
    """The request body is larger than the server accepts."""

    status, code = 413, "payload_too_large"


class Invalid(ConsultError):
    """The input was read but fails validation; `fields` says what is wrong with each field."""

    status, code = 422, "invalid"


class RateLimited(ConsultError):
    """Too many requests."""

    status, code = 429, "rate_limited"


class Unavailable(ConsultError):
    """A service consult depends on is down; the request changed nothing."""

    status, code = 503, "unavailable"
