"""Fixtures: an app on a fresh database per test, on SQLite and (when asked) PostgreSQL."""

import os
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from api import create_app
from api.cli.main import cli
from api.storage.connection import database, is_postgresql, utc_now
from api.storage.migrations import create_schema
from api.storage.models import ALL_MODELS
from api.storage.search_index import drop_search_table
from api.writes.seeding import seed
from api.writes.tokens import create_token

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
POSTGRES_SERVER_URL = os.environ.get("TIMELINE_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_SERVER_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run without PostgreSQL where it is required (CI): never skip it silently."""
    if os.environ.get("TIMELINE_REQUIRE_POSTGRES") == "1" and not POSTGRES_SERVER_URL:
        raise pytest.UsageError(
            "TIMELINE_REQUIRE_POSTGRES=1 but TIMELINE_TEST_DATABASE_URL is not set: "
            "the PostgreSQL suite must run here."
        )


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


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
        yield _with_database(POSTGRES_SERVER_URL, name)
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


def reset_schema() -> None:
    """Drop every table of the bound database and create them again, empty."""
    with database.connection_context():
        if not is_postgresql():
            # Dropping a table deletes its rows first; actors refer to their parents.
            database.execute_sql("PRAGMA foreign_keys = OFF")
        database.drop_tables(list(ALL_MODELS), safe=True, cascade=is_postgresql())
        drop_search_table()
    create_schema()


def reseed() -> None:
    """Return the bound database to the curated fixtures and nothing else."""
    reset_schema()
    with database.connection_context():
        seed([FIXTURES], utc_now())


@pytest.fixture
def seeded_app(app):
    """Return an app whose database holds the curated fixtures."""
    with database.connection_context():
        seed([FIXTURES], utc_now())
    return app


@pytest.fixture
def client(seeded_app):
    """Return a test client of the seeded app."""
    return seeded_app.test_client()


@pytest.fixture
def empty_client(app):
    """Return a test client of an app with an empty database."""
    return app.test_client()


def issue_token(scope: str, name: str | None = None) -> str:
    """Create a token directly in the database and return its secret."""
    with database.connection_context():
        return create_token(name or f"test-{scope}", scope, utc_now())


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


GENERATED = ["generate", "--events", "3000", "--actors", "200", "--seed", "5"]


@pytest.fixture
def generated_client(app):
    """A client over 3,000 generated events (200 actors), with planner statistics."""
    result = app.test_cli_runner().invoke(cli, GENERATED)
    assert result.exit_code == 0, result.output
    with database.connection_context():
        database.execute_sql("ANALYZE")
    return app.test_client()
