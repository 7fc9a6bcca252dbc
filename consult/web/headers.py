"""Security headers on every answer: a strict Content-Security-Policy with no inline script, and no caching of
anything shown to a logged-in person."""

from flask import Response, g, request, session

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def is_personal() -> bool:
    """Whether this answer was made for someone logged in (a session or an API token): then no cache may keep
    it, neither a shared proxy nor the browser's back button on a shared computer."""
    if request.endpoint == "static":
        return False
    return getattr(g, "token_user", None) is not None or "_user_id" in session


def add_security_headers(response: Response) -> Response:
    """Set CSP, no sniffing, no framing, no referrer leaks; `no-store` on personal answers."""
    if is_personal():
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
