"""Shared fixtures: one app per test session, migrated from empty; every test starts with empty tables.

The database is SQLite in a temporary folder, or the PostgreSQL server named by
TEST_DATABASE_URL (`make test` starts one and runs the suite against both).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

os.environ["TUMORBOARD_ENV"] = "test"
os.environ.setdefault("TIMEZONE", "America/New_York")

from tests.factories import Factories  # noqa: E402
from tumorboard import create_app  # noqa: E402  (after the environment is set)
from tumorboard.demo.seed import wipe  # noqa: E402
from tumorboard.extensions import db  # noqa: E402

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database under test: TEST_DATABASE_URL (PostgreSQL) or a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_schema(url: str) -> None:
    """Start PostgreSQL from an empty public schema (SQLite files are new anyway)."""
    if url.startswith("postgresql"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application, its schema built by the migrations."""
    os.environ["DATABASE_URL"] = database_url
    _reset_schema(database_url)
    application = create_app({"WTF_CSRF_ENABLED": False, "REPORTS_DIR": str(tmp_path_factory.mktemp("reports"))})
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables() -> None:
    db.session.rollback()
    wipe()
    db.session.commit()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """An app context whose tables are emptied afterwards (autoused by the web, db and browser tests)."""
    with app.app_context():
        yield
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (CSRF off unless a test turns it on)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def make() -> Factories:
    """Factories that create committed rows with sensible defaults: make.user(), make.case(), ..."""
    return Factories(password=PASSWORD)


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str = PASSWORD, follow: bool = False):  # noqa: ANN201
        """POST the login form."""
        return self.client.post("/login", data={"username": username, "password": password}, follow_redirects=follow)

    def logout(self):  # noqa: ANN201
        """POST to sign out."""
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Login helper bound to `client`."""
    return AuthActions(client)


class StatementCounter:
    """Counts the SQL statements the app sends while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: object) -> None:
        self.count += 1


@pytest.fixture
def count_statements(app: Flask):  # noqa: ANN201
    """`with count_statements() as counter: ...` then `counter.count`: proves a page's queries are bounded."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting
