"""Configuration: defaults, overridden by CONSULT_* environment variables, overridden by create_app's dict.

The settings themselves (their variables, kinds, defaults and meanings) are declared in consult/settings.py;
this module gathers their values from the environment and the instance folder, once, at start-up.
"""

import dataclasses
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from consult.settings import ENVIRONMENT as SETTINGS_ENVIRONMENT
from consult.settings import Settings, parse_settings

#: Environment variables read at start-up, and the setting each one fills (declared in consult/settings.py).
ENVIRONMENT = SETTINGS_ENVIRONMENT

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


#: Flask's own settings, and the settings declared in consult/settings.py with their defaults.
DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "COMMENT_MAX_LENGTH": 20_000,
    "PAGE_SIZE_MAX": 200,
    "WTF_CSRF_CHECK_DEFAULT": False,  # checked in one before_request hook, which knows about API tokens
    "WTF_CSRF_TIME_LIMIT": None,
    **Settings().as_config(),
}


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of a process: the declared defaults < CONSULT_* variables < `overrides`, checked once
    (SettingsError names a bad one's variable); the instance folder, database, documents folder, secret key and
    base URL left unset are filled in from the instance folder and the fallback address."""
    variables: Mapping[str, str] = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    given_by: dict[str, str] = {}
    for variable, key in ENVIRONMENT.items():
        if variables.get(variable, "").strip():
            values[key], given_by[key] = variables[variable].strip(), variable
    for key, value in (overrides or {}).items():  # None: the default, whatever the environment says
        values[key] = value
        given_by.pop(key, None)
    values["INSTANCE_PATH"] = values.get("INSTANCE_PATH") or str(Path.cwd() / "instance")
    settings = parse_settings(values, given_by)
    instance = Path(settings.instance_path).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(
        settings, instance_path=str(instance), base_url=settings.base_url or FALLBACK_BASE_URL,
        database_url=settings.database_url or f"sqlite:///{instance / 'consult.sqlite3'}",
        documents_path=settings.documents_path or str(instance / "documents"),
        secret_key=settings.secret_key or _instance_secret(instance))


def flask_config(settings: Settings, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """What `app.config` holds: Flask's defaults, create_app's dict, then the checked settings."""
    return {**DEFAULTS, **(overrides or {}), **settings.as_config()}


def load_config(overrides: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Merge defaults, CONSULT_* variables and explicit overrides into one settings dict, checked."""
    return flask_config(load_settings(overrides, environ), overrides)


def _instance_secret(instance: Path) -> str:
    """Keep one random secret key per instance folder, so sessions survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
