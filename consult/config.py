"""Configuration: defaults, overridden by CONSULT_* environment variables, overridden by create_app's dict."""

import os
import secrets
from pathlib import Path

from consult.paths import ROOT

#: Environment variables read at start-up, and the setting each one fills.
ENVIRONMENT = {
    "CONSULT_DATABASE_URL": "DATABASE_URL",
    "CONSULT_SECRET_KEY": "SECRET_KEY",
    "CONSULT_INSTANCE_PATH": "INSTANCE_PATH",
    "CONSULT_REDIS_URL": "REDIS_URL",
    "CONSULT_REDIS_CHANNEL": "REDIS_CHANNEL",
    "CONSULT_BASE_URL": "BASE_URL",
    "CONSULT_SECURE_COOKIES": "SESSION_COOKIE_SECURE",
    "CONSULT_ALLOWED_ORIGINS": "ALLOWED_ORIGINS",
    "CONSULT_WORKFLOWS_PATH": "WORKFLOWS_PATH",
    "CONSULT_SIGNING_KEY": "SIGNING_KEY",
    "CONSULT_COMMENT_RATE": "COMMENT_RATE",
    "CONSULT_LOGIN_RATE": "LOGIN_RATE",
    "CONSULT_LOGIN_ADDRESS_RATE": "LOGIN_ADDRESS_RATE",
    "CONSULT_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "CONSULT_EXPORTS_PATH": "EXPORTS_PATH",
    "CONSULT_EXPORT_TIMEOUT": "EXPORT_TIMEOUT",
    "CONSULT_EXPORT_MEMORY_MB": "EXPORT_MEMORY_MB",
    "CONSULT_EXPORT_LEASE_SECONDS": "EXPORT_LEASE_SECONDS",
    "CONSULT_SIGNING_CERT": "SIGNING_CERT",
    "CONSULT_SIGNING_PASSPHRASE": "SIGNING_PASSPHRASE",
    "CONSULT_DB_POOL_SIZE": "DB_POOL_SIZE",
    "CONSULT_DB_POOL_TIMEOUT": "DB_POOL_TIMEOUT",
    "CONSULT_DB_LOCK_WAIT": "DB_LOCK_WAIT",
    "CONSULT_DB_BEHIND_POOLER": "DB_BEHIND_POOLER",
    "CONSULT_LIVE_HEARTBEAT": "LIVE_HEARTBEAT",
    "CONSULT_LIVE_TURN_WAIT": "LIVE_TURN_WAIT",
    "CONSULT_LIVE_COMPRESSION": "LIVE_COMPRESSION",
    "CONSULT_TSA_URL": "TSA_URL",
    "CONSULT_TSA_TRUST": "TSA_TRUST",
    "CONSULT_TSA_TIMEOUT": "TSA_TIMEOUT",
    "CONSULT_SMTP_URL": "SMTP_URL",
    "CONSULT_MAIL_FROM": "MAIL_FROM",
    "CONSULT_MAIL_LEASE_SECONDS": "MAIL_LEASE_SECONDS",
    "CONSULT_MAIL_RETRY_SECONDS": "MAIL_RETRY_SECONDS",
    "CONSULT_MAIL_RETRY_MAX_SECONDS": "MAIL_RETRY_MAX_SECONDS",
    "CONSULT_MAIL_MAX_ATTEMPTS": "MAIL_MAX_ATTEMPTS",
    "CONSULT_MAIL_BATCH": "MAIL_BATCH",
    "CONSULT_MAIL_POLL_SECONDS": "MAIL_POLL_SECONDS",
    "CONSULT_DIGEST_HOUR": "DIGEST_HOUR",
    "CONSULT_INVITATION_DAYS": "INVITATION_DAYS",
    "CONSULT_RESET_LINK_MINUTES": "RESET_LINK_MINUTES",
    "CONSULT_PASSWORD_RESET_RATE": "PASSWORD_RESET_RATE",
    "CONSULT_PASSWORD_MIN_LENGTH": "PASSWORD_MIN_LENGTH",
    "CONSULT_DOCUMENTS_PATH": "DOCUMENTS_PATH",
    "CONSULT_DOCUMENT_MAX_BYTES": "DOCUMENT_MAX_BYTES",
    "CONSULT_DOCUMENT_MAX_UNZIPPED_BYTES": "DOCUMENT_MAX_UNZIPPED_BYTES",
}

#: The base URL when neither CONSULT_BASE_URL nor a served address (`consult serve --port`) says otherwise.
FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def served_base_url(host: str, port: int) -> str:
    """The base URL of a server bound to host:port (a wildcard address is named by the machine's name)."""
    import socket

    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (naming the bind address, not binding)
        host = socket.getfqdn()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


DEFAULTS = {
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "SECRET_KEY": None,  # None: a key kept in the instance folder
    "REDIS_URL": None,
    "REDIS_CHANNEL": "consult",  # one per deployment sharing a Redis server
    # None: the address `consult serve` / `consult web` was given (--host, --port), else http://127.0.0.1:5000.
    "BASE_URL": None,
    # The PDF signing key and certificate (PEM); unset: a self-signed pair made once in instance/keys/.
    "SIGNING_KEY": None,
    "SIGNING_CERT": None,
    "SIGNING_PASSPHRASE": None,
    # An RFC 3161 time-stamping authority (http(s) URL) for signed PDFs; none: the signing time is the platform's.
    "TSA_URL": None,
    # PEM file of certificates trusted for timestamps besides the system's roots (a private TSA's root).
    "TSA_TRUST": None,
    "TSA_TIMEOUT": 10,
    "EXPORT_TIMEOUT": 120,
    # Mail (see the README's Notifications section). No SMTP URL: mail waits in the outbox, nothing is sent.
    "SMTP_URL": None,
    "MAIL_FROM": "consult <noreply@localhost>",
    # A claimed message not marked sent this long after the claim is sent again (its sender died). Must
    # exceed the SMTP timeout (?timeout= in the URL, 30 s by default).
    "MAIL_LEASE_SECONDS": 120,
    "MAIL_RETRY_SECONDS": 15,  # the first back-off after a failure; it doubles up to MAIL_RETRY_MAX_SECONDS
    "MAIL_RETRY_MAX_SECONDS": 600,
    "MAIL_MAX_ATTEMPTS": 100,  # then the message is marked failed (about 16 hours of trying, at the defaults)
    "MAIL_BATCH": 100,  # messages claimed at once, sent over one connection
    "MAIL_POLL_SECONDS": 5,  # how often a sender looks for mail queued by other processes
    "DIGEST_HOUR": 7,  # the hour (UTC) at which daily digests go out; weekly ones on Mondays at that hour
    # How long a mailed invitation link works (days), and a password reset link (minutes); both work once.
    "INVITATION_DAYS": 7,
    "RESET_LINK_MINUTES": 120,
    # Password reset requests per client network, and per e-mail address, before 429 (mail bombing).
    "PASSWORD_RESET_RATE": "5/hour",
    "PASSWORD_MIN_LENGTH": 10,
    # Comments and edits one person may post (limits notation: "20/minute", "100/hour").
    "COMMENT_RATE": "20/minute",
    # Failed log-ins allowed per address and e-mail before 429 (brute force).
    "LOGIN_RATE": "10/15 minutes",
    # Failed log-ins allowed per address, whatever the e-mails, before 429 (password spraying). An office
    # behind one address shares it: 30 in 15 minutes is more than a building of people mistyping.
    "LOGIN_ADDRESS_RATE": "30/15 minutes",
    "EXPORT_MEMORY_MB": 1024,
    # A render not finished this long after it was claimed is taken again (its worker died).
    "EXPORT_LEASE_SECONDS": 600,
    # Reverse proxies in front of consult that append X-Forwarded-For (0: none, the client connects directly).
    # The log-in limits count per client address, which behind a proxy is only known from that header.
    "TRUSTED_PROXIES": 0,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "ALLOWED_ORIGINS": None,  # comma-separated extra origins for Socket.IO; none: same origin only
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "COMMENT_MAX_LENGTH": 20_000,
    "PAGE_SIZE_MAX": 200,
    # Database connections per process: the most requests and socket events working at once (the rest wait
    # DB_POOL_TIMEOUT seconds for one, then answer 503). On PostgreSQL, processes x (DB_POOL_SIZE + 2) must
    # stay under max_connections (the 2: each process's live push connection and a spare).
    "DB_POOL_SIZE": 10,
    "DB_POOL_TIMEOUT": 0.5,
    # How long a request's write waits for another writer's lock (SQLite's busy timeout, PostgreSQL's
    # lock_timeout) before it answers 503; CLI commands, the scheduler and workers wait longer.
    "DB_LOCK_WAIT": 1.0,
    # PostgreSQL reached through PgBouncer in transaction mode: a connection's own settings do not survive
    # there, so each transaction sets its lock wait itself (otherwise connections open with DB_LOCK_WAIT).
    "DB_BEHIND_POOLER": False,
    # How long a socket handler (connect, join) waits for its turn at the database before it answers 503 and
    # its client retries with back-off: joins queue in memory for a moment, never for long (consult/live/gate.py).
    "LIVE_TURN_WAIT": 2.0,
    "LIVE_HEARTBEAT": 5.0,  # seconds between the heartbeats telling followers each round's latest sequence
    "LIVE_COMPRESSION": False,  # permessage-deflate on WebSockets: a deflate per follower per push
    "LIVE_REPLAY_LIMIT": 5000,  # a client further behind than this is told to reload the page
    "SOCKET_MAX_PAYLOAD": 64 * 1024,
    "WTF_CSRF_CHECK_DEFAULT": False,  # checked in one before_request hook, which knows about API tokens
    "WTF_CSRF_TIME_LIMIT": None,
    "WORKFLOWS_PATH": str(ROOT / "workflows"),
    "TEMPLATES_PATH": str(ROOT / "templates"),
    "EXPORTS_PATH": str(ROOT / "exports"),
    "MIGRATIONS_PATH": str(ROOT / "migrations"),
    # The information package: where its files are kept (None: documents/ in the instance folder), the largest
    # file accepted, and the most an ODF or OOXML archive may expand to (a zip bomb is refused beyond it).
    "DOCUMENTS_PATH": None,
    "DOCUMENT_MAX_BYTES": 20 * 1024 * 1024,
    "DOCUMENT_MAX_UNZIPPED_BYTES": 100 * 1024 * 1024,
}


def _coerce(value: str):
    """Read 'true'/'false' as booleans; leave everything else as text."""
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    return value


def load_config(overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Merge defaults, CONSULT_* variables and explicit overrides into one settings dict."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    settings["INSTANCE_PATH"] = str(Path.cwd() / "instance")
    for variable, key in ENVIRONMENT.items():
        if environ.get(variable):
            settings[key] = _coerce(environ[variable])
    settings.update(overrides or {})
    if not settings["BASE_URL"]:
        settings["BASE_URL"] = FALLBACK_BASE_URL
    instance = Path(settings["INSTANCE_PATH"]).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    settings["INSTANCE_PATH"] = str(instance)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{instance / 'consult.sqlite3'}"
    if not settings["DOCUMENTS_PATH"]:
        settings["DOCUMENTS_PATH"] = str(instance / "documents")
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _instance_secret(instance)
    return settings


def _instance_secret(instance: Path) -> str:
    """Keep one random secret key per instance folder, so sessions survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
