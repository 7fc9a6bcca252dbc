"""The individual-information tests' world: a real SMTP server (aiosmtpd) and an app that sends to it."""

from __future__ import annotations

import shutil

import pytest

from consult import create_app
from tests.notifications import conftest as mail_world
from tests.notifications.smtpserver import mail_settings

#: The same aiosmtpd server as the notification tests'.
smtp = mail_world.smtp


@pytest.fixture
def app(database_url, tmp_path, smtp, compiled_catalogues):
    """The application on the test database, sending mail to the test's SMTP server."""
    shutil.copytree(compiled_catalogues, tmp_path / "instance" / "translations", dirs_exist_ok=True)
    application = create_app(mail_settings(database_url, tmp_path / "instance", smtp))
    yield application
    application.extensions["consult.db"].dispose()
