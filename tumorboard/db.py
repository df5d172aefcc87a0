"""Declarative base, the constraint naming convention and shared column types."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from enum import Enum

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


def insert_rows(session: Session, table: sa.Table, rows: list[dict[str, object]]) -> None:
    """Write plain rows with one Core executemany (no ORM objects); nothing when there are none."""
    if rows:
        session.execute(sa.insert(table), rows)


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
