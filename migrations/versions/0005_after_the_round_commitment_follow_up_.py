"""after the round: commitment follow-up, registry

Progress updates on commitments, follow-up rounds, and the public registry with full-text search.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 21:20:29.517828
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('registry_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('system_name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('sector', sa.String(length=80), nullable=True),
    sa.Column('functions', sa.JSON(), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('function_keys', sa.String(length=300), nullable=False),
    sa.Column('area_keys', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('published_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_registry_entries_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_entries')),
    sa.UniqueConstraint('round_id', name=op.f('uq_registry_entries_round_id'))
    )
    with op.batch_alter_table('registry_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_entries_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_entries_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_entries_sector'), ['sector'], unique=False)

    _create_search()
    op.create_table('commitment_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('completes', sa.Boolean(), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=False),
    sa.Column('posted_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_updates_commitment_id_commitments')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_commitment_updates_posted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_updates'))
    )
    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_updates_commitment_id'), ['commitment_id'], unique=False)

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_value', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('completed_at', consult.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_at', consult.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_of_round_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_of_commitment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_rounds_follow_up_of_round_id_rounds'), 'rounds', ['follow_up_of_round_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rounds_follow_up_of_round_id_rounds'), type_='foreignkey')
        batch_op.drop_column('follow_up_of_commitment_id')
        batch_op.drop_column('follow_up_of_round_id')

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_column('overdue_at')
        batch_op.drop_column('completed_at')
        batch_op.drop_column('latest_value')

    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_updates_commitment_id'))

    op.drop_table('commitment_updates')
    with op.batch_alter_table('registry_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_entries_sector'))
        batch_op.drop_index(batch_op.f('ix_registry_entries_published_at'))
        batch_op.drop_index(batch_op.f('ix_registry_entries_country'))

    _drop_search()
    op.drop_table('registry_entries')


SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE registry_fts USING fts5(title, text, content='registry_entries', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER registry_fts_insert AFTER INSERT ON registry_entries BEGIN "
    "INSERT INTO registry_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER registry_fts_delete AFTER DELETE ON registry_entries BEGIN "
    "INSERT INTO registry_fts(registry_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER registry_fts_update AFTER UPDATE ON registry_entries BEGIN "
    "INSERT INTO registry_fts(registry_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO registry_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
]
POSTGRES_SEARCH = [
    "ALTER TABLE registry_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple', unaccent_simple(coalesce(title, '') || ' ' || coalesce(text, '')))) STORED",
    "CREATE INDEX ix_registry_entries_search_vector ON registry_entries USING GIN (search_vector)",
]


def _create_search() -> None:
    """Full-text search in each database's own way: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    elif dialect == "postgresql":
        # An immutable wrapper, so the generated column may use it; accents fold with translate().
        op.execute("CREATE FUNCTION unaccent_simple(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ "
                   "SELECT lower(translate($1, 'ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëÌÍÎÏìíîïÒÓÔÕÖòóôõöÙÚÛÜùúûüÇçÑñ', "
                   "'AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuCcNn')) $$")
        for statement in POSTGRES_SEARCH:
            op.execute(statement)


def _drop_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("registry_fts_insert", "registry_fts_delete", "registry_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS registry_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registry_entries_search_vector")
        op.execute("ALTER TABLE registry_entries DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP FUNCTION IF EXISTS unaccent_simple(text)")
