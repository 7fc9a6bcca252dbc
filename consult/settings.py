"""The settings: each declared once, with its environment variable, type, default and meaning.

`Settings` is read once, at start-up (consult/config.py merges the defaults declared here, the CONSULT_*
environment variables and create_app's dict, in that order), through one marshmallow schema built from the
declarations below: a bad value stops the start with an error naming its variable, rather than a crash the
first time some code converts it. The result is frozen and held on the application
(`app.extensions["consult.settings"]`, read with `settings_of(app)`); Flask's `app.config` carries the same
checked values under the same names, for Flask, its extensions and the code that has not moved yet.
`markdown_table()` renders the declarations for the documentation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Flask
from limits import parse as parse_rate
from marshmallow import Schema, ValidationError, fields, validate

from consult.paths import ROOT

#: Where the settings object lives on an application.
EXTENSION = "consult.settings"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names each bad one by its variable."""


class _Flag(fields.Boolean):
    """A yes/no setting: true/false, yes/no, on/off, 1/0 in any case; anything else is refused."""

    truthy = {True, "1", "true", "yes", "on"}
    falsy = {False, "0", "false", "no", "off"}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        return super()._deserialize(value.strip().lower() if isinstance(value, str) else value, attr, data, **kwargs)


def _is_rate(value: str) -> None:
    try:
        parse_rate(value)
    except ValueError as error:
        raise ValidationError(f"not a rate such as 20/minute or 10/15 minutes ({error})") from error


def _url_with(*schemes: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.hostname:
            raise ValidationError(f"must be a {' or '.join(f'{s}://' for s in schemes)} URL naming a host")
    return check


_KINDS: dict[str, Callable[[Any, bool], fields.Field[Any]]] = {
    "text": lambda check, optional: fields.String(allow_none=optional, validate=check),
    "integer": lambda check, optional: fields.Integer(strict=False, allow_none=optional, validate=check),
    "number": lambda check, optional: fields.Float(allow_none=optional, validate=check),
    "yes/no": lambda check, optional: _Flag(allow_none=optional),
    "rate": lambda check, optional: fields.String(allow_none=optional, validate=_is_rate),
}


def _setting(default: Any, env: str | None, meaning: str, kind: str = "text", *,
             check: Callable[[Any], Any] | None = None,
             shown: str | None = None) -> Any:
    """Declare one setting: its default, its CONSULT_* variable (None: create_app's dict only), what it is
    for, its kind (text, integer, number, yes/no, rate) and an extra check; `shown`: the default as documented."""
    return dataclasses.field(default=default, metadata={
        "env": env, "meaning": meaning, "kind": kind, "check": check, "shown": shown})


def _at_least(minimum: float) -> validate.Range:
    return validate.Range(min=minimum)


def _above(minimum: float) -> validate.Range:
    return validate.Range(min=minimum, min_inclusive=False)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every setting of a consult process, checked; the attribute is the setting's name in lower case."""

    database_url: str = _setting("", "CONSULT_DATABASE_URL", "SQLAlchemy URL of the database",
                                 shown="SQLite at instance/consult.sqlite3")
    secret_key: str = _setting("", "CONSULT_SECRET_KEY", "session signing key",
                               shown="a random key kept in the instance folder")
    instance_path: str = _setting("", "CONSULT_INSTANCE_PATH", "folder for the database, keys, generated files",
                                  shown="./instance")
    redis_url: str | None = _setting(None, "CONSULT_REDIS_URL", "Redis, for Socket.IO and limits across processes")
    redis_channel: str = _setting("consult", "CONSULT_REDIS_CHANNEL",
                                  "the namespace on Redis; one per deployment sharing a Redis server")
    base_url: str = _setting("", "CONSULT_BASE_URL", "the public address: links in mail and signed PDFs",
                             shown="the served address, else http://127.0.0.1:5000")
    session_cookie_secure: bool = _setting(False, "CONSULT_SECURE_COOKIES", "cookies only over HTTPS", "yes/no")
    allowed_origins: str | None = _setting(None, "CONSULT_ALLOWED_ORIGINS",
                                           "comma-separated further origins allowed to open Socket.IO connections")
    workflows_path: str = _setting(str(ROOT / "workflows"), "CONSULT_WORKFLOWS_PATH",
                                   "folder of workflow definitions", shown="workflows/")
    signing_key: str | None = _setting(None, "CONSULT_SIGNING_KEY", "PEM key that signs exported PDFs",
                                       shown="made once in instance/keys/")
    signing_cert: str | None = _setting(None, "CONSULT_SIGNING_CERT", "PEM certificate of the signing key",
                                        shown="made once in instance/keys/")
    signing_passphrase: str | None = _setting(None, "CONSULT_SIGNING_PASSPHRASE", "passphrase of the signing key")
    comment_rate: str = _setting("20/minute", "CONSULT_COMMENT_RATE", "comments and edits one person may post",
                                 "rate")
    login_rate: str = _setting("10/15 minutes", "CONSULT_LOGIN_RATE",
                               "failed log-ins per address and e-mail before 429", "rate")
    login_address_rate: str = _setting("30/15 minutes", "CONSULT_LOGIN_ADDRESS_RATE",
                                       "failed log-ins per address, whatever the e-mails, before 429", "rate")
    trusted_proxies: int = _setting(0, "CONSULT_TRUSTED_PROXIES",
                                    "reverse proxies in front that append X-Forwarded-For", "integer",
                                    check=_at_least(0))
    exports_path: str = _setting(str(ROOT / "exports"), "CONSULT_EXPORTS_PATH",
                                 "the PDF templates, print style and fonts", shown="exports/")
    export_timeout: float = _setting(120.0, "CONSULT_EXPORT_TIMEOUT", "seconds one PDF render may take", "number",
                                     check=_above(0))
    export_memory_mb: int = _setting(1024, "CONSULT_EXPORT_MEMORY_MB", "MB of address space one PDF render may use",
                                     "integer", check=_at_least(1))
    export_lease_seconds: int = _setting(600, "CONSULT_EXPORT_LEASE_SECONDS",
                                         "a render not finished this long after its claim is taken again",
                                         "integer", check=_at_least(1))
    db_pool_size: int = _setting(10, "CONSULT_DB_POOL_SIZE", "database connections (requests at work) per process",
                                 "integer", check=_at_least(1))
    db_pool_timeout: float = _setting(0.5, "CONSULT_DB_POOL_TIMEOUT",
                                      "seconds a request waits for a connection before 503", "number",
                                      check=_at_least(0))
    db_lock_wait: float = _setting(1.0, "CONSULT_DB_LOCK_WAIT",
                                   "seconds a request's write waits for another writer's lock before 503", "number",
                                   check=_at_least(0))
    db_behind_pooler: bool = _setting(False, "CONSULT_DB_BEHIND_POOLER",
                                      "PostgreSQL through PgBouncer in transaction mode", "yes/no")
    live_heartbeat: float = _setting(5.0, "CONSULT_LIVE_HEARTBEAT", "seconds between live heartbeats", "number",
                                     check=_above(0))
    live_turn_wait: float = _setting(2.0, "CONSULT_LIVE_TURN_WAIT",
                                     "seconds a socket handler waits for the database before 503", "number",
                                     check=_at_least(0))
    live_compression: bool = _setting(False, "CONSULT_LIVE_COMPRESSION", "permessage-deflate on WebSockets",
                                      "yes/no")
    live_replay_limit: int = _setting(5000, None, "a live client further behind than this reloads the page",
                                      "integer", check=_at_least(0))
    socket_max_payload: int = _setting(64 * 1024, None, "largest Socket.IO message accepted (bytes)", "integer",
                                       check=_at_least(1))
    tsa_url: str | None = _setting(None, "CONSULT_TSA_URL", "an RFC 3161 time-stamping authority for signed PDFs",
                                   check=_url_with("http", "https"), shown="none: the platform's own time")
    tsa_trust: str | None = _setting(None, "CONSULT_TSA_TRUST", "PEM file of extra roots trusted for timestamps")
    tsa_timeout: float = _setting(10.0, "CONSULT_TSA_TIMEOUT", "seconds to wait for the time-stamping authority",
                                  "number", check=_above(0))
    smtp_url: str | None = _setting(None, "CONSULT_SMTP_URL", "the SMTP server mail goes through",
                                    check=_url_with("smtp", "smtps"), shown="none: mail waits in the outbox")
    mail_from: str = _setting("consult <noreply@localhost>", "CONSULT_MAIL_FROM", "the From of every mail",
                              check=validate.Length(min=1))
    mail_lease_seconds: float = _setting(120.0, "CONSULT_MAIL_LEASE_SECONDS",
                                         "a claimed message not marked sent this long after is sent again",
                                         "number", check=_above(0))
    mail_retry_seconds: float = _setting(15.0, "CONSULT_MAIL_RETRY_SECONDS", "the first back-off after a failure",
                                         "number", check=_at_least(0))
    mail_retry_max_seconds: float = _setting(600.0, "CONSULT_MAIL_RETRY_MAX_SECONDS", "the longest back-off",
                                             "number", check=_at_least(0))
    mail_max_attempts: int = _setting(100, "CONSULT_MAIL_MAX_ATTEMPTS", "attempts before a message is marked failed",
                                      "integer", check=_at_least(1))
    mail_batch: int = _setting(100, "CONSULT_MAIL_BATCH", "messages claimed at once, sent over one connection",
                               "integer", check=_at_least(1))
    mail_poll_seconds: float = _setting(5.0, "CONSULT_MAIL_POLL_SECONDS",
                                        "how often a sender looks for mail queued by other processes", "number",
                                        check=_above(0))
    digest_hour: int = _setting(7, "CONSULT_DIGEST_HOUR", "the hour (UTC) daily and weekly digests go out",
                                "integer", check=validate.Range(min=0, max=23))
    invitation_days: float = _setting(7.0, "CONSULT_INVITATION_DAYS", "days an invitation link works (once)",
                                      "number", check=_above(0))
    reset_link_minutes: float = _setting(120.0, "CONSULT_RESET_LINK_MINUTES",
                                         "minutes a password reset link works (once)", "number", check=_above(0))
    password_reset_rate: str = _setting("5/hour", "CONSULT_PASSWORD_RESET_RATE",
                                        "reset requests per network and per e-mail before 429", "rate")
    password_min_length: int = _setting(10, "CONSULT_PASSWORD_MIN_LENGTH", "shortest password accepted", "integer",
                                        check=_at_least(1))
    documents_path: str = _setting("", "CONSULT_DOCUMENTS_PATH", "where the information package's files are kept",
                                   shown="instance/documents/")
    document_max_bytes: int = _setting(20 * 1024 * 1024, "CONSULT_DOCUMENT_MAX_BYTES",
                                       "the largest document accepted (413 beyond)", "integer", check=_at_least(1))
    document_max_unzipped_bytes: int = _setting(100 * 1024 * 1024, "CONSULT_DOCUMENT_MAX_UNZIPPED_BYTES",
                                                "the most an ODF or OOXML file may expand to", "integer",
                                                check=_at_least(1))
    templates_path: str = _setting(str(ROOT / "templates"), None, "folder of the page templates", shown="templates/")
    migrations_path: str = _setting(str(ROOT / "migrations"), None, "folder of the database migrations",
                                    shown="migrations/")

    def as_config(self) -> dict[str, Any]:
        """The settings under their names in Flask's `app.config` (DATABASE_URL...)."""
        return {item.name.upper(): getattr(self, item.name) for item in dataclasses.fields(self)}


#: The declarations, in order.
FIELDS = dataclasses.fields(Settings)
#: Environment variable -> setting name (what config.py reads).
ENVIRONMENT = {item.metadata["env"]: item.name.upper() for item in FIELDS if item.metadata["env"]}
_SCHEMA = Schema.from_dict({
    item.name: _KINDS[item.metadata["kind"]](item.metadata["check"], "None" in str(item.type))
    for item in FIELDS}, name="SettingsSchema")()


def parse_settings(values: Mapping[str, Any], given_by: Mapping[str, str] | None = None) -> Settings:
    """Settings from `values` (setting name -> value, text or typed; missing or None: the default), checked
    through the schema; SettingsError names each bad one by `given_by[name]` (its variable) or its name."""
    given_by = given_by or {}
    known = {item.name.upper() for item in FIELDS}
    data = {name.lower(): value for name, value in values.items() if name in known and value is not None}
    try:
        loaded = _SCHEMA.load(data)
    except ValidationError as error:
        problems = []
        for field_name, messages in sorted(error.normalized_messages().items()):
            name = field_name.upper()
            shown = "; ".join(messages) if isinstance(messages, list) else str(messages)
            problems.append(f"{given_by.get(name, name)}={data.get(field_name)!r}: {shown}")
        raise SettingsError("bad setting: " + " | ".join(problems)) from None
    return Settings(**loaded)


def settings_of(app: Flask) -> Settings:
    """The settings an application was started with."""
    return cast(Settings, app.extensions[EXTENSION])


def replace_settings(app: Flask, **changes: Any) -> Settings:
    """Change some settings of a running application, checked as at start-up (for tests: production reads
    them once). `app.config` follows."""
    settings = parse_settings({**settings_of(app).as_config(), **changes})
    app.extensions[EXTENSION] = settings
    app.config.update(settings.as_config())
    return settings


def markdown_table() -> str:
    """The settings as a Markdown table: variable, type, default, meaning (for the documentation)."""
    lines = ["| Variable | Type | Default | Meaning |", "|---|---|---|---|"]
    for item in FIELDS:
        meta = item.metadata
        variable = f"`{meta['env']}`" if meta["env"] else f"`{item.name.upper()}` (create_app only)"
        default = meta["shown"] or ("none" if item.default in (None, "") else f"`{item.default}`")
        lines.append(f"| {variable} | {meta['kind']} | {default} | {meta['meaning']} |")
    return "\n".join(lines) + "\n"
