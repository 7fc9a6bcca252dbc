"""The database: typed declarative base, engine and sessions, with SQLite tuned for concurrent writers."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.types import TypeDecorator

from consult.cooperative import serialise_sqlite_writers

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every consult model; constraint names are fixed so migrations stay stable."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        return value if value.tzinfo is UTC else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo in _UTC_ZONES:  # psycopg gives the session's zone: Etc/UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Zones that are UTC under another name (ZoneInfo keeps one object per key): a reading in one is relabelled.
_UTC_ZONES = frozenset({UTC, ZoneInfo("UTC"), ZoneInfo("Etc/UTC")})


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


#: Set by an entry point that is about to write, so SQLite takes the write lock up front.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
#: Set by a web request: the seconds its transactions wait for another writer's lock before failing (503).
#: Unset (CLI, scheduler, workers), SQLite waits its busy timeout and PostgreSQL as long as it takes.
lock_wait: contextvars.ContextVar[float | None] = contextvars.ContextVar("lock_wait", default=None)
#: The execution option of a connection that only reads, each statement what is committed when it runs, with no
#: transaction around them (consult/live/gate.py's socket handlers): on SQLite no BEGIN is sent, and each
#: statement is its own transaction, as PostgreSQL's autocommit reads are.
READS_COMMITTED = "consult_reads_committed"
#: Set while a socket handler holds its turn at the database (consult/live/gate.py): a session the thread makes
#: then is bound to the turn's connection, so loading objects takes no second connection from the pool.
turn_connection: contextvars.ContextVar[Connection | None] = contextvars.ContextVar("turn_connection", default=None)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever spelling of the URL was given."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int | None = None, pool_timeout: float | None = None,
                busy_timeout: float = 30.0, usual_lock_wait: float | None = None, **options: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and explicit transactions.

    With `pool_size`, the pool holds exactly that many connections (no overflow) and a caller waits at most
    `pool_timeout` seconds for one: the pool is the bound on work in flight, and beyond it callers hear
    `sqlalchemy.exc.TimeoutError` at once (the web answers 503) instead of queueing for half a minute.
    A transaction begun with `lock_wait` set waits at most that long for another writer's lock (SQLite's
    busy timeout, PostgreSQL's lock_timeout); otherwise SQLite waits `busy_timeout`, PostgreSQL as long as
    it takes. `usual_lock_wait`: the wait most transactions ask for (a web process's requests), which
    PostgreSQL's connections are opened with, so that only the others pay a statement to change it.
    """
    url = normalise_url(url)
    if pool_size is not None and not _in_memory(url):
        options.setdefault("pool_size", pool_size)
        options.setdefault("max_overflow", 0)
    if pool_timeout is not None and not _in_memory(url):
        options.setdefault("pool_timeout", pool_timeout)
    if not url.startswith("sqlite"):
        return _postgres_engine(url, usual_lock_wait, options)
    engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False}, **options)
    serialise_sqlite_writers(engine, write_intent, lock_wait, busy_timeout)  # first: its "begin" runs before ours

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling defers BEGIN; we emit it ourselves (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READS_COMMITTED):
            return  # pysqlite runs each statement in its own transaction (isolation_level None)
        wait = lock_wait.get()
        busy_ms = int((busy_timeout if wait is None else wait) * 1000)
        if connection.info.get("consult.busy_ms") != busy_ms:  # a PRAGMA, not transactional: set when it changes
            connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
            connection.info["consult.busy_ms"] = busy_ms
        # A writer must hold the lock from its first read: upgrading a WAL reader fails at once when
        # another writer committed in between, whatever the busy timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")

    return engine


#: A pooled PostgreSQL connection idle longer than this is asked whether it still answers before it is
#: handed out; one returned more recently is not (a round trip saved on nearly every checkout under load).
#: A connection that died meanwhile fails its request (503), and the pool then drops all of them.
PING_IDLE_SECONDS = 2.0


def _postgres_engine(url: str, usual_lock_wait: float | None, options: dict[str, Any]) -> Engine:
    """A PostgreSQL engine whose transactions set lock_timeout only when it is not the connection's own."""
    usual_ms = None if usual_lock_wait is None else int(usual_lock_wait * 1000)
    if usual_ms is not None:
        options.setdefault("connect_args", {})["options"] = f"-c lock_timeout={usual_ms}"
    if "poolclass" not in options:
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "begin")
    def _bound_lock_wait(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            # Outside a transaction SET LOCAL does nothing but warn, and costs a round trip: the socket
            # handlers' reads (consult/live/gate.py) take no lock to wait for.
            return
        wait = lock_wait.get()
        wanted = None if wait is None else int(wait * 1000)
        if wanted != usual_ms:  # None: the server's own (0, no limit)
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {wanted or 0}")

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["consult.returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _still_answers(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        returned = record.info.get("consult.returned_at")
        if returned is None or time.monotonic() - returned <= PING_IDLE_SECONDS:
            return  # just opened, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the pooled connection no longer answers") from error  # the pool reconnects

    return engine


def _in_memory(url: str) -> bool:
    return url.startswith("sqlite") and (url.rstrip("/").endswith(":memory:") or url in {"sqlite://", "sqlite:///"})


_TRANSACTION_CACHE = "consult.transaction_cache"


def transaction_cache(session: Session) -> dict[Any, Any]:
    """A dict that lives as long as the session's current transaction: what was read once need not be read again."""
    return cast(dict[Any, Any], session.info.setdefault(_TRANSACTION_CACHE, {}))


def _forget_transaction_cache(session: Session, *_args: object) -> None:
    session.info.pop(_TRANSACTION_CACHE, None)


class Database:
    """One engine and one thread-scoped session factory for an application or a worker process."""

    def __init__(self, url: str, *, info: dict[str, Any] | None = None, **engine_options: Any) -> None:
        self.url = normalise_url(url)
        self.engine_options = engine_options
        self._dedicated: list[Engine] = []
        self.on_dispose: list[Callable[[], object]] = []  # callables run by dispose (the live push thread stops)
        self.engine = make_engine(self.url, **engine_options)
        # `info` reaches every session (services read the loaded workflows there, with no Flask import).
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False, info=info or {})
        # scoped_session calls any session factory, though its stubs name only a sessionmaker.
        self.session: scoped_session[Session] = scoped_session(cast("sessionmaker[Session]", self._thread_session))
        for end in ("after_commit", "after_rollback", "after_soft_rollback"):
            event.listen(self.factory, end, _forget_transaction_cache)
        # The event dispatcher (consult/events/dispatcher.py) hooks into `factory` when the composition root
        # attaches it: the kernel knows nothing of events, and a bare Database (a migration, a check) has none.
        self.dispatcher: Any = None

    def _thread_session(self) -> Session:
        connection = turn_connection.get()
        return self.factory() if connection is None else self.factory(bind=connection)

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite default."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work for CLI commands and scheduler ticks: commits once at the end, or rolls back."""
        token = write_intent.set(write)
        session = self.factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            write_intent.reset(token)

    def dedicated_factory(self) -> sessionmaker[Session]:
        """Sessions on an engine of their own with one connection, outside the request pool (the live push).

        Nothing that runs there waits for a request's connection, and no request waits for it.
        """
        options = {**self.engine_options, "pool_size": 1, "pool_timeout": 30.0, "usual_lock_wait": None}
        engine = make_engine(self.url, **options)
        self._dedicated.append(engine)
        return sessionmaker(bind=engine, expire_on_commit=False, info=dict(self.factory.kw.get("info") or {}))

    def dispose(self) -> None:
        """Stop what uses the database here and close every pooled connection."""
        for stop in self.on_dispose:
            stop()
        self.session.remove()
        self.engine.dispose()
        for engine in self._dedicated:
            engine.dispose()


#: Search structures made by migrations in each database's own dialect, which the models do not describe.
UNMODELLED_PREFIXES = ("registry_fts", "search_vector", "ix_registry_entries_search_vector")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """For Alembic's comparisons: leave out the dialect-specific search objects."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)
