"""The test databases: which backends run, and resetting, reseeding and issuing tokens."""

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse

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
GENERATED = ["generate", "--events", "3000", "--actors", "200", "--seed", "5"]


def with_database(url: str, name: str) -> str:
    """Return the server URL with its database name replaced by `name`."""
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def reset_schema() -> None:
    """Drop every table of the bound database and create them again, empty."""
    with database.connection_context():
        if not is_postgresql():
            # Dropping a table deletes its rows first; actors refer to their parents.
            database.execute_sql("PRAGMA foreign_keys = OFF")
        database.drop_tables(list(ALL_MODELS), safe=True, cascade=is_postgresql())
        drop_search_table()
    create_schema()


def seed_fixtures() -> None:
    """Write the curated fixtures into the bound database."""
    with database.connection_context():
        seed([FIXTURES], utc_now())


def reseed() -> None:
    """Return the bound database to the curated fixtures and nothing else."""
    reset_schema()
    seed_fixtures()


def issue_token(scope: str, name: str | None = None) -> str:
    """Create a token directly in the database and return its secret."""
    with database.connection_context():
        return create_token(name or f"test-{scope}", scope, utc_now())
