"""The adversary's world: the notification tests' real SMTP server (aiosmtpd) and an app that sends to it."""

from __future__ import annotations

from tests.informing import conftest as informing_world

#: The same aiosmtpd server and mail-sending app as the individual-information tests'.
smtp = informing_world.smtp
app = informing_world.app
