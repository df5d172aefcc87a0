"""Declarative base, the constraint naming convention and shared column types."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from itertools import chain
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

# Stable constraint names, so migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Indexes on an expression (lower(username)): SQLite's reflection cannot read them back, so autogenerate compares
# everything but them (migrations/env.py, tests/db/test_migrations.py) and a test proves each one holds.
EXPRESSION_INDEXES = frozenset({"ux_users_username_lower", "ux_users_email_lower"})


def compared_by_autogenerate(_obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
    """Alembic's include_object: every schema object but the expression indexes."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


class Base(DeclarativeBase):
    """Base of every model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# Rows in one multi-row INSERT on SQLite. The largest statement its parameter limit allows (744 cases) cost a process's
# first 10,000-case import 0.25 s more than the next ones, compiling it; with 100 rows the statement is compiled once
# and reused, and later imports are as fast (docs/performance.md).
ROWS_PER_STATEMENT = 100


def insert_rows(session: Session, table: sa.Table, rows: list[dict[str, object]]) -> None:
    """Write plain rows (each with the same keys) in bulk; nothing when there are none."""
    insert_returning(session, table, rows, ())


def insert_returning(
    session: Session, table: sa.Table, rows: list[dict[str, object]], returning: tuple[sa.Column, ...]
) -> list[tuple]:
    """Write plain rows (each with the same keys) in bulk; the `returning` columns of the new rows, converted as
    SQLAlchemy would, in no particular order.

    SQLite gets multi-row INSERTs of ROWS_PER_STATEMENT rows, not the driver's executemany, which it runs as a
    statement a row, each with its own journal for the constraints (half the time). PostgreSQL gets one INSERT ...
    SELECT FROM unnest() of one array a column: psycopg rewrites a statement's placeholders in Python, 5 us each,
    and does not cache a statement that long (a multi-row INSERT of 10,000 cases spent 2.9 s there)."""
    if not rows:
        return []
    head, columns, values = _bulk_parameters(session, table, rows)
    dialect = session.get_bind().dialect
    tail = " RETURNING " + ", ".join(dialect.identifier_preparer.quote(c.name) for c in returning) if returning else ""
    if dialect.name == "postgresql":
        # Names and types from the table's own metadata, quoted by the dialect; every value is a parameter.
        arrays = ", ".join(f"%s::{column.type.compile(dialect)}[]" for column in columns)
        statements = [(f"{head} SELECT * FROM unnest({arrays}){tail}", tuple(values))]  # nosec B608
    else:
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        one = f"({', '.join([marker] * len(columns))})"
        per_statement = max(1, min(ROWS_PER_STATEMENT, dialect.insertmanyvalues_max_parameters // len(columns)))
        params = list(zip(*values, strict=True))
        statements = [
            (f"{head} VALUES {', '.join([one] * len(chunk))}{tail}", tuple(chain.from_iterable(chunk)))
            for chunk in (params[start : start + per_statement] for start in range(0, len(params), per_statement))
        ]
    processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returning]
    found: list[tuple] = []
    connection = session.connection()
    for sql, parameters in statements:
        result = connection.exec_driver_sql(sql, parameters)
        if returning:
            found += [tuple(v if fix is None else fix(v) for fix, v in zip(processors, new, strict=True))
                      for new in result.cursor.fetchall()]
    return found


def _bind(column: sa.Column, dialect: sa.Dialect) -> Callable[[object], object] | None:
    """How the column's type turns a value into what the driver is given (None: as it is)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _converted(values: list[object], process: Callable[[object], object] | None) -> list[object]:
    """`values` through a type's converter (none: as they are), each distinct value once (a column of an import
    repeats a few codes and one moment thousands of times)."""
    if process is None:
        return values
    done: dict[object, object] = {None: None}
    try:
        return [done[value] if value in done else done.setdefault(value, process(value)) for value in values]
    except TypeError:  # a value that cannot be a key
        return [None if value is None else process(value) for value in values]


class _RowContext:
    """What a column default that reads its row (`context.get_current_parameters()`) is given by the bulk writers."""

    def __init__(self, row: dict[str, object]) -> None:
        self.row = row

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict[str, object]:
        return self.row


def _bulk_parameters(
    session: Session, table: sa.Table, rows: list[dict[str, object]]
) -> tuple[str, list[sa.Column], list[list[object]]]:
    """The INSERT of `rows` for the driver itself (up to its column list), the columns it writes, and each column's
    values, converted by its type (an enum to its code, a moment to UTC), Python-side defaults filled in, column by
    column. SQLAlchemy does the same row by row, which costs more than the database's own work on ten thousand
    rows."""
    dialect = session.get_bind().dialect
    keys = list(rows[0])
    columns = [table.c[key] for key in keys]
    filled = [
        column
        for column in table.columns
        if column.key not in rows[0] and column.default is not None and not column.primary_key
    ]
    if any(not (column.default.is_scalar or column.default.is_callable) for column in filled):
        raise ValueError(f"{table.name} has a default bulk writes cannot fill")
    # Rows of the first row's length that have each of its keys have the same keys.
    try:
        given = [list(map(itemgetter(key), rows)) for key in keys]
    except KeyError:
        given = []
    if not given or set(map(len, rows)) != {len(keys)}:
        raise ValueError(f"every row written to {table.name} must have the same columns")
    values = [_converted(written, _bind(column, dialect)) for column, written in zip(columns, given, strict=True)]
    for column in filled:
        if column.default.is_callable:
            made = [column.default.arg(_RowContext(row)) for row in rows]
        else:  # the same value in every row: converted once
            made = [column.default.arg]
        made = _converted(made, _bind(column, dialect))
        values.append(made if column.default.is_callable else made * len(rows))
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns + filled)
    return f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names})", columns + filled, values


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A point in time, stored in UTC and always returned timezone-aware.

    SQLite keeps no offset and PostgreSQL returns the session's zone; this type
    makes both behave the same, and refuses naive datetimes that would be ambiguous.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Convert an aware datetime to UTC before it is stored."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Return the stored time as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def dialect_insert(table: sa.Table, dialect_name: str) -> sa.Insert:
    """An INSERT that supports ON CONFLICT on both our databases (for race-free upserts)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)


def locked_rows(session: Session, key: sa.orm.InstrumentedAttribute, new_rows: list[dict[str, object]]) -> list:
    """The rows of `key`'s model whose keys `new_rows` name, locked in key order (so two writers at once wait for
    each other, never deadlock) and read afresh; those missing are inserted first from `new_rows`, without a race
    (two first writers at once must not collide)."""
    model = key.class_
    insert = dialect_insert(model.__table__, session.get_bind().dialect.name)
    session.execute(insert.values(new_rows).on_conflict_do_nothing())
    keys = [row[key.key] for row in new_rows]
    return list(session.scalars(
        sa.select(model).where(key.in_(keys)).order_by(key).with_for_update().execution_options(populate_existing=True)
    ))


def enum_column(enum_cls: type[Enum], name: str, length: int = 32) -> sa.Enum:
    """A closed vocabulary stored as its string codes, with a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


def _configure_sqlite_connection(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")  # SQLite ignores foreign keys unless each connection asks
        cursor.execute("PRAGMA temp_store = MEMORY")  # a bulk write's statement journal is no temporary file
        cursor.close()


def _begin_before_first_savepoint(connection: sa.Connection, _name: str) -> None:
    """Python's sqlite3 module begins a transaction only at the first write. A SAVEPOINT issued before any write
    then starts the transaction itself, and releasing it COMMITS for good, even if the request later fails
    (a letter batch that crashed halfway kept its first letters). Begin the transaction first."""
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def configure_sqlite_connections() -> None:
    """SQLite connections enforce foreign keys, and savepoints stay inside their transaction."""
    if not sa.event.contains(Engine, "connect", _configure_sqlite_connection):
        sa.event.listen(Engine, "connect", _configure_sqlite_connection)
        sa.event.listen(Engine, "savepoint", _begin_before_first_savepoint)
