"""The individual-information tests' world: a real SMTP server (aiosmtpd) and an app that sends to it."""

from __future__ import annotations

import shutil

import pytest

from consult import create_app
from tests.notifications.smtpserver import SmtpServer


@pytest.fixture
def smtp():
    """A running aiosmtpd server on 127.0.0.1; `smtp.inbox` holds what it accepted."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(database_url, tmp_path, smtp, compiled_catalogues):
    """The application on the test database, sending mail to the test's SMTP server."""
    shutil.copytree(compiled_catalogues, tmp_path / "instance" / "translations", dirs_exist_ok=True)
    application = create_app({
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test-secret",
        "TESTING": True, "COMMENT_RATE": "10000/minute",
        "LOGIN_RATE": "10000/minute", "LOGIN_ADDRESS_RATE": "10000/minute",
        "SMTP_URL": smtp.url, "MAIL_FROM": "consult <noreply@consult.test>", "MAIL_RETRY_SECONDS": 0.2,
        "MAIL_RETRY_MAX_SECONDS": 1, "BASE_URL": "http://consult.test",
    })
    yield application
    application.extensions["consult.db"].dispose()
