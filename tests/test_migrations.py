"""The schema is built by migrations alone, both ways, and matches the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from consult.db import Base, include_object, make_engine
from consult.migrate import downgrade, upgrade
from consult.models import import_all_models
from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path):
    """An empty database of each backend, never migrated."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return request.getfixturevalue("postgres_factory")()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_then_downgrade_to_base_leaves_an_empty_database(fresh_url):
    import_all_models()
    upgrade(fresh_url)
    assert {t.name for t in Base.metadata.sorted_tables} <= _tables(fresh_url)
    downgrade(fresh_url, "base")
    assert _tables(fresh_url) <= {"alembic_version"}
    upgrade(fresh_url)
    assert "comments" in _tables(fresh_url)


def test_models_match_the_migrations(fresh_url):
    import_all_models()
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                  "include_object": include_object})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
