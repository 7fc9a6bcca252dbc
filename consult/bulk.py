"""Writing many rows of one table at once, as the clock's batches do (events, notifications, mail, marks).

On PostgreSQL the rows go in by COPY: one statement, parsed once, the rows streamed in one round trip and
inserted without a plan per row; an `executemany` of the same INSERT, even pipelined, binds and executes
each row apart, on the client and on the server, and was a quarter of the clock's catch-up there. Each value
passes its column type's bind processor first, exactly as an INSERT's would. Elsewhere (SQLite, whose
executemany is one C loop already), and for a few rows, it is the INSERT.

`update_many` is the same for an UPDATE of many rows by their keys: on PostgreSQL one statement joins the
table to the rows given as arrays (`unnest`), instead of an UPDATE bound and executed per row.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from sqlalchemy import Table, and_, bindparam, insert, text, update
from sqlalchemy.orm import Session

#: Below this many rows an INSERT costs no more than setting up a COPY.
COPY_FROM = 20


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (every row with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    defaulted = any(column.default is not None and column.name not in names for column in table.c)
    if dialect.name != "postgresql" or len(rows) < COPY_FROM or defaulted:
        session.execute(insert(table), rows)
        return
    processors = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names))
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if len(row) != len(names):
                raise ValueError(f"rows for {table.name} differ in their keys: {sorted(row)} and {names}")
            copy.write_row([process(row[name]) if process is not None else row[name]
                            for name, process in processors])


def update_many(session: Session, table: Table, rows: list[dict[str, Any]], *, match: dict[str, str],
                values: dict[str, str]) -> int:
    """Update the row of `table` matching each of `rows` and write its values; how many rows matched.

    `match` and `values` map a column's name to the key of `rows` that holds it: a row of the table is
    updated where every `match` column equals the given value (a NULL given matches nothing). The keys of
    `rows` must differ from the names of the columns set."""
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or len(rows) < COPY_FROM:
        statement = (update(table).where(and_(*(table.c[name] == bindparam(key) for name, key in match.items())))
                     .values({name: bindparam(key) for name, key in values.items()}))
        return session.execute(statement, rows).rowcount
    pairs = [*match.items(), *values.items()]
    arrays, parameters = [], {}
    for number, (name, key) in enumerate(pairs):
        column = table.c[name]
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        parameters[f"a{number}"] = [process(row[key]) if process is not None else row[key] for row in rows]
        arrays.append(f"CAST(:a{number} AS {column.type.compile(dialect)}[])")
    quote = dialect.identifier_preparer.quote
    given = ", ".join(f"v{number}" for number in range(len(pairs)))
    assignments = ", ".join(f"{quote(name)} = given.v{number}"
                            for number, (name, _key) in enumerate(pairs) if number >= len(match))
    conditions = " AND ".join(f"target.{quote(name)} = given.v{number}"
                              for number, (name, _key) in enumerate(pairs) if number < len(match))
    # Every name comes from the table's metadata, quoted; every value is a bound parameter.
    statement = text(f"UPDATE {quote(table.name)} AS target SET {assignments} "  # noqa: S608
                     f"FROM unnest({', '.join(arrays)}) AS given({given}) WHERE {conditions}")
    return session.execute(statement, parameters).rowcount
