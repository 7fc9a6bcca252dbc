"""Writing many rows of one table at once, as the clock's batches do (events, notifications, mail, marks).

On PostgreSQL the rows go in by COPY: one statement, parsed once, the rows streamed in one round trip and
inserted without a plan per row; an `executemany` of the same INSERT, even pipelined, binds and executes
each row apart, on the client and on the server, and was a quarter of the clock's catch-up there. Each value
passes its column type's bind processor first, exactly as an INSERT's would. Elsewhere (SQLite, whose
executemany is one C loop already) and for a few rows, it is an INSERT.

`update_many` is the same for an UPDATE of many rows by their keys: on PostgreSQL one statement joins the
table to the rows given as arrays (`unnest`), instead of an UPDATE bound and executed per row. On SQLite
both give the DB-API's executemany values processed once: SQLAlchemy's own executemany builds a statement's
parameters for every row, which was a tenth of the catch-up there.
"""

from __future__ import annotations

from typing import Any, cast

import psycopg
from psycopg import sql
from sqlalchemy import Table, and_, bindparam, insert, text, update
from sqlalchemy.engine import CursorResult, Dialect
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
    if len(rows) < COPY_FROM or defaulted:
        session.execute(insert(table), rows)
        return
    values = _processed(table, dialect, rows, names)
    if dialect.name == "postgresql":
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names))
        driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)  # on PostgreSQL, psycopg's
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    else:  # the DB-API's executemany on values processed once, without a statement's parameters per row
        quote = dialect.identifier_preparer.quote
        connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) "  # noqa: S608
                                   f"VALUES ({', '.join('?' * len(names))})", values)


def _processed(table: Table, dialect: Dialect, rows: list[dict[str, Any]], keys: list[str],
               names: list[str] | None = None) -> list[tuple[Any, ...]]:
    """Each row's values under `keys` for the columns `names` (the keys themselves if not given), each through
    its column type's bind processor, as a statement's parameters would be."""
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names or keys]
    values = []
    for row in rows:
        if len(row) != len(keys) and names is None:
            raise ValueError(f"rows for {table.name} differ in their keys: {sorted(row)} and {keys}")
        values.append(tuple(process(row[key]) if process is not None else row[key]
                            for key, process in zip(keys, processors, strict=True)))
    return values


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
    if len(rows) < COPY_FROM:
        statement = (update(table).where(and_(*(table.c[name] == bindparam(key) for name, key in match.items())))
                     .values({name: bindparam(key) for name, key in values.items()}))
        return cast(CursorResult[Any], session.execute(statement, rows)).rowcount  # an UPDATE's result has one
    pairs = [*values.items(), *match.items()]  # the order of the parameters: SET first, then WHERE
    given = _processed(table, dialect, rows, [key for _name, key in pairs], [name for name, _key in pairs])
    quote = dialect.identifier_preparer.quote
    if dialect.name != "postgresql":  # the DB-API's executemany; its rowcount adds up the rows matched
        assignments = ", ".join(f"{quote(name)} = ?" for name in values)
        conditions = " AND ".join(f"{quote(name)} = ?" for name in match)
        return connection.exec_driver_sql(f"UPDATE {quote(table.name)} SET {assignments} WHERE {conditions}",  # noqa: S608
                                          given).rowcount
    arrays = [f"CAST(:a{number} AS {table.c[name].type.compile(dialect)}[])" for number, (name, _key)
              in enumerate(pairs)]
    parameters = {f"a{number}": [row[number] for row in given] for number in range(len(pairs))}
    assignments = ", ".join(f"{quote(name)} = given.v{number}" for number, name in enumerate(values))
    conditions = " AND ".join(f"target.{quote(name)} = given.v{number + len(values)}"
                              for number, name in enumerate(match))
    names = ", ".join(f"v{number}" for number in range(len(pairs)))
    # Every name comes from the table's metadata, quoted; every value is a bound parameter.
    joined = text(f"UPDATE {quote(table.name)} AS target SET {assignments} "  # noqa: S608
                  f"FROM unnest({', '.join(arrays)}) AS given({names}) WHERE {conditions}")
    return cast(CursorResult[Any], session.execute(joined, parameters)).rowcount
