"""Benchmark databases: generated once per generator version, then reused from the cache."""

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from api.storage.connection import open_database

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
TIMELINE = Path(sys.executable).with_name("timeline")
# What the generated data depends on: a change to any of these builds the data again.
GENERATOR_FILES = (
    "api/synthetic/generator.py",
    "api/synthetic/loader.py",
    "api/writes/derived.py",
    "api/storage/models.py",
    "api/storage/migrations.py",
    "api/storage/search_index.py",
    "api/storage/rollups.py",
    "api/storage/bulk.py",
    "api/storage/documents.py",
    "api/storage/sql.py",
)


def generator_digest() -> str:
    """Return a short digest of the generator's source files."""
    digest = hashlib.sha256()
    for name in GENERATOR_FILES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def query_rows(url: str, sql: str) -> list[tuple]:
    """Run one read statement on the database at `url`; return its rows."""
    database = open_database(url)
    try:
        return list(database.execute_sql(sql).fetchall())
    finally:
        database.close()


def popular_actor(url: str) -> str:
    """Return the actor that supplies in the most events: the queries' busiest actor."""
    return query_rows(
        url,
        "SELECT actor_id FROM event_actor WHERE role = 'supplier' "
        "GROUP BY actor_id ORDER BY COUNT(*) DESC, actor_id LIMIT 1",
    )[0][0]


def run_timeline(
    url: str, *args: str, check: bool = True, capture: bool = True
) -> subprocess.CompletedProcess:
    """Run a `timeline` command on the database at `url`; return the finished process.

    Its output is captured as text, unless `capture` is False: then it goes to the terminal,
    as the generator's progress bar should.
    """
    environment = {**os.environ, "TIMELINE_DATABASE_URL": url}
    return subprocess.run(
        [str(TIMELINE), *args],
        check=check,
        env=environment,
        cwd=ROOT,
        capture_output=capture,
        text=True,
    )


def _generate(url: str, events: int) -> float:
    """Create the schema and generate `events` events at `url`; return the seconds taken."""
    run_timeline(url, "init-db", capture=False)
    started = time.perf_counter()
    run_timeline(url, "generate", "--events", str(events), capture=False)
    return time.perf_counter() - started


def sqlite_dataset(events: int) -> tuple[str, float | None]:
    """Return the URL of a cached SQLite database of `events` events (and build seconds)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"sqlite-{events}-{generator_digest()}.db"
    if path.exists():
        return f"sqlite:///{path}", None
    for stale in CACHE.glob(f"sqlite-{events}-*.db*"):
        stale.unlink()
    building = path.with_suffix(".building")
    for leftover in CACHE.glob(f"{building.name}*"):
        leftover.unlink()
    seconds = _generate(f"sqlite:///{building}", events)
    _checkpoint(building)
    building.rename(path)
    return f"sqlite:///{path}", seconds


def _checkpoint(path: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("ANALYZE")
    connection.close()


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def postgres_dataset(server_url: str, events: int) -> tuple[str, float | None]:
    """Return the URL of a cached PostgreSQL database of `events` events (and build seconds).

    A database whose build did not finish has no `bench_complete` table and is built again.
    """
    import psycopg2

    name = f"timeline_bench_{events}_{generator_digest()}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        # Not LIKE: its `_` would match any character, and 10000_ a prefix of 1000000.
        cursor.execute("SELECT datname FROM pg_database")
        ours = re.compile(rf"timeline_bench_{events}_[0-9a-f]{{12}}")
        existing = {row[0] for row in cursor.fetchall() if ours.fullmatch(row[0])}
        url = _with_database(server_url, name)
        if name in existing and _complete(url):
            admin.close()
            return url, None
        for stale in existing:
            cursor.execute(f'DROP DATABASE "{stale}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    seconds = _generate(url, events)
    marker = psycopg2.connect(url)
    marker.autocommit = True
    with marker.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CREATE TABLE bench_complete (built_at timestamp DEFAULT now())")
    marker.close()
    return url, seconds


def _complete(url: str) -> bool:
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_complete') IS NOT NULL")
            return bool(cursor.fetchone()[0])
    finally:
        connection.close()
