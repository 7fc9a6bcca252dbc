"""The test world: real databases (a SQLite file, and PostgreSQL when it answers), a real app, real data.

- `database_url`: a migrated, empty database; every test that uses it runs once per backend.
- `app`, `client`, `db`: the application on that database, a test client, its Database.
- `make`: factories that create organisations, people, tokens and rounds through the services, committed.
- `api`: a JSON client that sends one person's API token.
- `world_database`: a copy of `tests/browser/crawl.py`'s full world (built once per worker); a module whose
  tests crawl it overrides `database_url` with it, and reads the world's people and rounds from
  `full_world_snapshot["world"]`.
  `tests/browser/conftest.py` has the same for the world where every page form appears.
"""

from __future__ import annotations

import importlib
import os
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from jinja2 import BytecodeCache

from consult import bootstrap, create_app
from consult.migrate import upgrade
from consult.paths import ROOT
from consult.web.catalogues import compile_catalogues
from tests.databases import empty_postgres
from tests.factories import ApiClient, Factory
from tests.live.served import serve

# How the suite runs (the fast tier, no silent skip in CI, the test processes' cheaper password hashing and
# shared URL builders): tests/suite.py.
pytest_plugins = ("tests.suite",)

PG_SERVER = os.environ.get("CONSULT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_answers() -> bool:
    try:
        with psycopg.connect(PG_SERVER, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


POSTGRES = _postgres_answers()
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES, reason=f"PostgreSQL does not answer at {PG_SERVER}"))]


@pytest.fixture(scope="session")
def postgres_factory():
    """Creates throw-away PostgreSQL databases and drops them when the session ends."""
    created: list[str] = []

    def create() -> str:
        name = f"consult_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_SERVER, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
            # A commit returns without waiting for its WAL to reach the disk, as SQLite's WAL with
            # synchronous=NORMAL (consult/db.py) does: 0.2-0.6 ms a commit instead of 5-7 ms on these machines, a
            # third of a PostgreSQL test's time. Only a crash of the server itself could lose a commit, and no test
            # crashes it (the fault scenarios stop it in "fast" mode, which writes the WAL out first).
            connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        created.append(name)
        return PG_SERVER.rsplit("/", 1)[0] + f"/{name}"

    yield create
    with psycopg.connect(PG_SERVER, autocommit=True) as connection:
        for name in created:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "consult.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database(postgres_factory):
    """One migrated PostgreSQL database for the session, emptied before each test."""
    url = postgres_factory()
    upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The database backend under test; a test marked `one_database(backend, why)` runs on that one only."""
    marker = request.node.get_closest_marker("one_database")
    if marker is not None and request.param != marker.args[0]:
        pytest.skip(f"by design: {marker.args[1]}")
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    """A migrated, empty database of the backend under test."""
    if backend == "sqlite":
        path = tmp_path / "consult.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept in memory for the whole session: each test's app would otherwise compile them anew.

    Jinja checks each entry against the template's source (a checksum), so a changed template is compiled again.
    """

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


@pytest.fixture(scope="session")
def compiled_catalogues(tmp_path_factory) -> Path:
    """The .po catalogues compiled once; each test's instance gets a copy (the app then finds them up to date)."""
    return compile_catalogues(tmp_path_factory.mktemp("catalogues"))


def _settings(database_url: str, instance: Path) -> dict:
    return {
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret",
        "TESTING": True, "COMMENT_RATE": "10000/minute",
        "LOGIN_RATE": "10000/minute", "LOGIN_ADDRESS_RATE": "10000/minute",
    }


@pytest.fixture
def app(database_url, tmp_path, compiled_catalogues):
    """The application on the test database."""
    shutil.copytree(compiled_catalogues, tmp_path / "instance" / "translations", dirs_exist_ok=True)
    application = create_app(_settings(database_url, tmp_path / "instance"))
    application.jinja_env.bytecode_cache = _BYTECODE
    yield application
    application.extensions["consult.db"].dispose()


def _snapshot(folder: Path, sqlite_template: Path, catalogues: Path, build) -> dict:
    """`build(app)`'s world on a SQLite copy in `folder`: {"world", "database", "instance"}, for tests to copy."""
    import sqlite3

    database, instance = folder / "consult.sqlite3", folder / "instance"
    shutil.copy(sqlite_template, database)
    shutil.copytree(catalogues, instance / "translations")
    application = create_app(_settings(f"sqlite:///{database}", instance))
    application.jinja_env.bytecode_cache = _BYTECODE
    world = build(application)
    application.extensions["consult.db"].dispose()
    with sqlite3.connect(database) as connection:  # everything in the main file, so that a copy of it is whole
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"world": world, "database": database, "instance": instance}


def _copy_of(snapshot: dict, tmp_path: Path) -> str:
    """A copy of a snapshot's database and instance folder for one test, as its `database_url`."""
    shutil.copy(snapshot["database"], tmp_path / "consult.sqlite3")
    shutil.copytree(snapshot["instance"], tmp_path / "instance")
    return f"sqlite:///{tmp_path / 'consult.sqlite3'}"


@pytest.fixture(scope="session")
def full_world_snapshot(tmp_path_factory, sqlite_template, compiled_catalogues) -> dict:
    """`tests/browser/crawl.py`'s full world, built once per worker on SQLite: {"world", "database", "instance"}.

    Building it (four people, two rounds, a signed outcome) takes longer than crawling it: the crawls copy this
    database file and instance folder (signing key, compiled catalogues) instead of building their own.
    """
    from tests.browser.crawl import full_world

    def build(application) -> dict:
        make = Factory(application)
        clients: dict[int, ApiClient] = {}

        def api(user) -> ApiClient:
            if user.id not in clients:
                clients[user.id] = ApiClient(application.test_client(), make.token(user))
            return clients[user.id]

        return full_world(make, api)

    return _snapshot(tmp_path_factory.mktemp("full-world"), sqlite_template, compiled_catalogues, build)


@pytest.fixture
def world_database(tmp_path, full_world_snapshot) -> str:
    """A copy of the full world's database and instance folder for this test; use it as `database_url`."""
    return _copy_of(full_world_snapshot, tmp_path)


@pytest.fixture
def db(app):
    """The application's Database."""
    return app.extensions["consult.db"]


@pytest.fixture
def client(app):
    """A browser-like test client (cookies kept)."""
    return app.test_client()


@pytest.fixture
def make(app) -> Factory:
    """Factories that create real, committed data through the services."""
    return Factory(app)


@pytest.fixture
def api(app, make):
    """`api(user)`: a JSON client authenticated with an API token of that person (one per person)."""
    clients: dict[int, ApiClient] = {}

    def client_of(user) -> ApiClient:
        if user.id not in clients:
            clients[user.id] = ApiClient(app.test_client(), make.token(user))
        return clients[user.id]

    return client_of


@pytest.fixture
def live_server(app):
    """The app served over real HTTP and WebSocket on a free port, in this process (threaded)."""
    server = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def pytest_addoption(parser):
    """`--long`: the resilience suite's full-size runs (300 sockets for 60 s) instead of the short ones.
    `--without-wiring=module.function`: every `app` built with that registration left out of consult/bootstrap.py's
    table, to see the test that guards it fail (tests/test_wiring.py names one per registration)."""
    parser.addoption("--long", action="store_true", default=False,
                     help="run the resilience scenarios at full size (slow)")
    parser.addoption("--without-wiring", default=None, metavar="MODULE.FUNCTION",
                     help="build the test apps without this registration of consult/bootstrap.py")


def pytest_configure(config):
    """`--without-wiring`: every application of the run is built without that registration."""
    name = config.getoption("--without-wiring")
    if name:
        module, _, function = name.rpartition(".")
        bootstrap.WIRING = bootstrap.WIRING.without(getattr(importlib.import_module(module), function))


# The resilience report: tests that prove a guarantee describe their scenario with the `scenario` fixture; one
# line each goes to resilience-report.md at the end of the run (an artifact, not committed).
_LINES: dict[str, dict] = {}


@pytest.fixture
def scenario(request):
    """`scenario(done=..., checked=..., figure=...)` describes the running test's line in the report."""
    entry = {"name": request.node.name, "done": "", "checked": "", "figure": ""}

    def describe(*, done: str, checked: str, figure: str = "") -> None:
        entry.update(done=done, checked=checked, figure=figure)

    _LINES[request.node.nodeid] = entry
    return lambda **kwargs: describe(**kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    entry = _LINES.get(item.nodeid)
    if entry is not None and (report.when == "call" or report.failed or report.skipped):
        if report.when == "call" or "result" not in entry:
            entry["result"] = "skipped" if report.skipped else ("pass" if report.passed else "FAIL")


def pytest_sessionfinish(session, exitstatus):
    if not _LINES:
        return
    rows = ["# Resilience report", "", "| scenario | what was done | what was checked | figure | result |",
            "|---|---|---|---|---|"]
    for entry in _LINES.values():
        cells = [entry["name"], entry["done"], entry["checked"], entry["figure"], entry.get("result", "not run")]
        rows.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    Path(ROOT / "resilience-report.md").write_text("\n".join(rows) + "\n")
