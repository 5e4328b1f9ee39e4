"""Fixtures: an app on a fresh database per test, on SQLite and (when asked) PostgreSQL."""

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import create_app
from api.cli.main import cli
from api.storage.connection import database
from databases import (
    BACKENDS,
    GENERATED,
    POSTGRES_SERVER_URL,
    ROOT,
    issue_token,
    reset_schema,
    seed_fixtures,
    with_database,
)


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run without PostgreSQL where it is required (CI): never skip it silently."""
    if os.environ.get("TIMELINE_REQUIRE_POSTGRES") == "1" and not POSTGRES_SERVER_URL:
        raise pytest.UsageError(
            "TIMELINE_REQUIRE_POSTGRES=1 but TIMELINE_TEST_DATABASE_URL is not set: "
            "the PostgreSQL suite must run here."
        )


@pytest.fixture(scope="session")
def postgres_url():
    """Create a uniquely named PostgreSQL database for this run, and drop it afterwards."""
    import psycopg2  # noqa: PLC0415 - only the PostgreSQL suite needs the driver

    name = f"timeline_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(POSTGRES_SERVER_URL, connect_timeout=10)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(POSTGRES_SERVER_URL, name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of an empty database: a new SQLite file, or a wiped PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'timeline.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(database_url: str):
    """Return an app on a fresh, empty schema."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-key",
            "RATE_LIMIT_ENABLED": False,
        }
    )
    reset_schema()
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture
def seeded_app(app):
    """Return an app whose database holds the curated fixtures."""
    seed_fixtures()
    return app


@pytest.fixture
def client(seeded_app):
    """Return a test client of the seeded app."""
    return seeded_app.test_client()


@pytest.fixture
def empty_client(app):
    """Return a test client of an app with an empty database."""
    return app.test_client()


@pytest.fixture
def admin_token(seeded_app) -> str:
    """Return the secret of an admin token in the seeded database."""
    return issue_token("admin")


@pytest.fixture
def write_token(seeded_app) -> str:
    """Return the secret of a write token in the seeded database."""
    return issue_token("write")


@pytest.fixture
def read_token(seeded_app) -> str:
    """Return the secret of a read token in the seeded database."""
    return issue_token("read")


@pytest.fixture
def generated_client(app):
    """A client over 3,000 generated events (200 actors), with planner statistics."""
    result = app.test_cli_runner().invoke(cli, GENERATED)
    assert result.exit_code == 0, result.output
    with database.connection_context():
        database.execute_sql("ANALYZE")
    return app.test_client()


@pytest.fixture
def runner(monkeypatch, database_url) -> CliRunner:
    """Return a runner of `timeline` commands on the test's database, from the project root."""
    monkeypatch.setenv("TIMELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("TIMELINE_SECRET_KEY", "cli-test")
    monkeypatch.chdir(ROOT)
    return CliRunner()
