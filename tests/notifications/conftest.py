"""The notification tests' world: a real SMTP server and an app that sends to it."""

from __future__ import annotations

import pytest

from consult import create_app
from tests.notifications.smtpserver import SmtpServer, mail_settings


@pytest.fixture
def smtp():
    """A running aiosmtpd server on 127.0.0.1; `smtp.inbox` holds what it accepted."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(database_url, tmp_path, smtp):
    """The application on the test database, sending mail to the test's SMTP server."""
    application = create_app(mail_settings(database_url, tmp_path / "instance", smtp))
    yield application
    application.extensions["consult.db"].dispose()
