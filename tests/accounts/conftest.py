"""The account tests' world: a real SMTP server (aiosmtpd on 127.0.0.1) and an app that mails to it."""

from __future__ import annotations

import re

import pytest

from consult import create_app
from consult.notifications.mailer import send_now
from tests.notifications.smtpserver import SmtpServer


@pytest.fixture
def smtp():
    """A running aiosmtpd server; `smtp.inbox` holds what it accepted."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(database_url, tmp_path, smtp):
    """The application on the test database, mailing to the test's SMTP server."""
    application = create_app({
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test-secret",
        "TESTING": True, "COMMENT_RATE": "10000/minute", "LOGIN_RATE": "10000/minute",
        "LOGIN_ADDRESS_RATE": "10000/minute", "PASSWORD_RESET_RATE": "1000/hour",
        "SMTP_URL": smtp.url, "MAIL_FROM": "consult <noreply@consult.test>", "MAIL_RETRY_SECONDS": 0.2,
        "MAIL_RETRY_MAX_SECONDS": 1, "BASE_URL": "http://consult.test",
    })
    yield application
    application.extensions["consult.db"].dispose()


@pytest.fixture
def deliver(app, smtp):
    """Send what the outbox holds now; returns the messages the SMTP server accepted for an address."""

    def deliver_to(address: str) -> list:
        send_now(app)
        return smtp.inbox.to(address)

    return deliver_to


def link_in(message, base: str = "http://consult.test") -> str:
    """The path of the set-your-password link in a mail's plain text (checked to be on the base URL)."""
    text = message.get_body(("plain",)).get_content()
    return re.search(re.escape(base) + r"(/password/(?:set|reset)/[A-Za-z0-9_-]+)", text).group(1)


def csrf_of(client, path: str) -> str:
    """The CSRF token of the form on a page."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
