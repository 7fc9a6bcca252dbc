"""Alembic environment: the URL comes from consult's configuration (or the caller), never from an ini file."""

from alembic import context
from sqlalchemy import pool

from consult.db import Base, include_object, make_engine
from consult.models import import_all_models

import_all_models()
config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL for the URL without connecting."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a connection given by the caller, or one made from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one, which SQLite refuses while rows of other tables
            # point at it and foreign keys are on: they are off while migrating (a PRAGMA that only works
            # outside a transaction), and every row is checked once the migration is done.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        _run(connection)
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows whose foreign key points nowhere: {broken[:10]}")
        connection.commit()
    engine.dispose()


def _run(connection) -> None:
    # Batch mode lets SQLite alter tables by copying them, which it needs for most ALTERs.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
