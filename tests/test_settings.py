"""The settings are read once, at start-up: every variable has a declared setting, a bad value stops the start
naming its variable, and a value given in the environment reaches the code that uses it."""

from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import select

from consult import create_app
from consult.config import ENVIRONMENT, load_settings
from consult.documents.timestamps import TimestampClient, http_timestamp_client
from consult.notifications.mailer import send_now
from consult.notifications.models import OutboxMessage
from consult.notifications.outbox import enqueue
from consult.notifications.smtp import MailTransport, SmtpTransport, parse_smtp_url
from consult.settings import FIELDS, Settings, SettingsError, markdown_table, settings_of
from tests.factories import ApiClient, tripartite

#: The variables consult read before the settings were declared in one place (none may be lost).
READ_BEFORE = """DATABASE_URL SECRET_KEY INSTANCE_PATH REDIS_URL REDIS_CHANNEL BASE_URL SECURE_COOKIES ALLOWED_ORIGINS
WORKFLOWS_PATH SIGNING_KEY COMMENT_RATE LOGIN_RATE LOGIN_ADDRESS_RATE TRUSTED_PROXIES EXPORTS_PATH EXPORT_TIMEOUT
EXPORT_MEMORY_MB EXPORT_LEASE_SECONDS SIGNING_CERT SIGNING_PASSPHRASE DB_POOL_SIZE DB_POOL_TIMEOUT DB_LOCK_WAIT
DB_BEHIND_POOLER LIVE_HEARTBEAT LIVE_TURN_WAIT LIVE_COMPRESSION TSA_URL TSA_TRUST TSA_TIMEOUT SMTP_URL MAIL_FROM
MAIL_LEASE_SECONDS MAIL_RETRY_SECONDS MAIL_RETRY_MAX_SECONDS MAIL_MAX_ATTEMPTS MAIL_BATCH MAIL_POLL_SECONDS
DIGEST_HOUR INVITATION_DAYS RESET_LINK_MINUTES PASSWORD_RESET_RATE PASSWORD_MIN_LENGTH DOCUMENTS_PATH
DOCUMENT_MAX_BYTES DOCUMENT_MAX_UNZIPPED_BYTES""".split()


def test_every_environment_variable_fills_a_declared_and_documented_setting():
    assert {f"CONSULT_{name}" for name in READ_BEFORE} <= set(ENVIRONMENT)
    declared = {item.name.upper(): item for item in FIELDS}
    table = markdown_table()
    for variable, name in ENVIRONMENT.items():
        assert name in declared, variable
        assert declared[name].metadata["meaning"] and declared[name].metadata["kind"], variable
        assert f"| `{variable}` |" in table
    assert ENVIRONMENT["CONSULT_SECURE_COOKIES"] == "SESSION_COOKIE_SECURE"


@pytest.mark.parametrize("variable, value", [
    ("CONSULT_MAIL_MAX_ATTEMPTS", "lots"),  # not a number
    ("CONSULT_DB_POOL_TIMEOUT", "half a second"),
    ("CONSULT_EXPORT_MEMORY_MB", "1.5"),  # not a whole number
    ("CONSULT_MAIL_BATCH", "-1"),  # negative where it means nothing
    ("CONSULT_TRUSTED_PROXIES", "-2"),
    ("CONSULT_TSA_TIMEOUT", "0"),
    ("CONSULT_DIGEST_HOUR", "24"),
    ("CONSULT_SECURE_COOKIES", "maybe"),  # an unknown yes/no
    ("CONSULT_DB_BEHIND_POOLER", "2"),
    ("CONSULT_COMMENT_RATE", "often"),  # not a rate
    ("CONSULT_TSA_URL", "tsa.example.org"),  # not an http(s) URL
    ("CONSULT_SMTP_URL", "mail.example.org:25"),
])
def test_a_bad_value_stops_the_start_naming_its_variable(tmp_path, variable, value):
    with pytest.raises(SettingsError, match=f"{variable}={value!r}"):
        load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={variable: value})


def test_a_bad_value_stops_create_app_before_it_opens_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULT_MAIL_MAX_ATTEMPTS", "ten")
    with pytest.raises(SettingsError, match="CONSULT_MAIL_MAX_ATTEMPTS='ten': Not a valid integer"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s"})
    with pytest.raises(SettingsError, match="MAIL_BATCH=0"):  # a bad override is named by its key
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s", "MAIL_BATCH": 0})


def test_values_are_read_in_their_kind_and_overrides_beat_the_environment(tmp_path):
    environ = {"CONSULT_MAIL_MAX_ATTEMPTS": " 7 ", "CONSULT_SECURE_COOKIES": "Yes", "CONSULT_DB_LOCK_WAIT": "0.25",
               "CONSULT_LIVE_COMPRESSION": "off", "CONSULT_MAIL_BATCH": "5", "CONSULT_REDIS_URL": ""}
    settings = load_settings({"INSTANCE_PATH": str(tmp_path), "MAIL_BATCH": 9}, environ=environ)
    assert (settings.mail_max_attempts, settings.session_cookie_secure, settings.db_lock_wait,
            settings.live_compression, settings.mail_batch, settings.redis_url) == (7, True, 0.25, False, 9, None)
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'consult.sqlite3'}"
    assert load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={}).mail_max_attempts == Settings().mail_max_attempts


def _env_app(database_url, tmp_path, monkeypatch, **variables):
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    return create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "env"), "SECRET_KEY": "s"})


class _Refusing:
    """A mail transport whose server always answers 451 (try again later)."""

    def __init__(self) -> None:
        self.tries = 0

    def __enter__(self) -> _Refusing:
        return self

    def send(self, message: bytes, sender: str, recipient: str) -> None:
        self.tries += 1
        raise smtplib.SMTPResponseException(451, b"busy")

    def __exit__(self, *_exc: object) -> None:
        pass


def test_mail_max_attempts_from_the_environment_is_how_often_the_sender_tries(database_url, tmp_path, monkeypatch):
    app = _env_app(database_url, tmp_path, monkeypatch, CONSULT_MAIL_MAX_ATTEMPTS="2",
                   CONSULT_MAIL_RETRY_SECONDS="0")
    db = app.extensions["consult.db"]
    try:
        assert settings_of(app).mail_max_attempts == 2 and app.config["MAIL_MAX_ATTEMPTS"] == 2
        with db.transaction() as session:
            enqueue(session, to_address="held@example.org", kind="test.settings", subject="Hi", text="Body")
        transport = _Refusing()
        report = send_now(app, transport_factory=lambda: transport)
        with db.transaction(write=False) as session:
            row = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "held@example.org")).one()
            assert (row.status, row.attempts, transport.tries, report.failed) == ("failed", 2, 2, 1)
    finally:
        db.dispose()


def test_comment_rate_from_the_environment_limits_posting(database_url, tmp_path, monkeypatch, make):
    app = _env_app(database_url, tmp_path, monkeypatch, CONSULT_COMMENT_RATE="2/minute")
    try:
        world = tripartite(make)
        worker = ApiClient(app.test_client(), make.token(world["worker"]))
        path = f"/rounds/{world['round'].id}/comments"
        statuses = [worker.post(path, json={"section": "system", "body": f"Point {n}"}).status_code for n in range(3)]
        assert statuses == [201, 201, 429]
    finally:
        app.extensions["consult.db"].dispose()


def test_the_pool_size_and_heartbeat_from_the_environment_reach_the_pool_and_the_live_push(database_url, tmp_path,
                                                                                         monkeypatch):
    app = _env_app(database_url, tmp_path, monkeypatch, CONSULT_DB_POOL_SIZE="4", CONSULT_LIVE_HEARTBEAT="2.5")
    try:
        assert app.extensions["consult.db"].engine.pool.size() == 4
        assert app.extensions["consult.pusher"].heartbeat == 2.5
    finally:
        app.extensions["consult.db"].dispose()


def test_the_real_mail_transport_and_time_stamping_client_are_their_interfaces():
    assert isinstance(SmtpTransport(parse_smtp_url("smtp://mail.example.org:25")), MailTransport)
    assert isinstance(_Refusing(), MailTransport)
    assert isinstance(http_timestamp_client("http://tsa.example.org/", 5), TimestampClient)
