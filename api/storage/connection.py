"""Database binding: one proxy, opened from the configured URL, a connection per thread."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from peewee import (
    Database,
    DatabaseProxy,
    PeeweeException,
    PostgresqlDatabase,
    SqliteDatabase,
)
from playhouse import db_url

database = DatabaseProxy()


def open_database(url: str, *, busy_timeout_ms: int = 5000) -> Database:
    """Return an unconnected database for a `sqlite:///...` or `postgresql://...` URL."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = db_url.parse(url)["database"]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: a read-then-write transaction cannot fail to upgrade its lock.
        return db_url.connect(
            url,
            timeout=busy_timeout_ms / 1000,
            lock_type="IMMEDIATE",
            # 32 MB of page cache per connection (SQLite's default is 2 MB): the date and
            # actor indexes of a million events stay in memory between requests.
            pragmas={"foreign_keys": 1, "busy_timeout": busy_timeout_ms, "cache_size": -32768},
        )
    if scheme in {"postgresql", "postgres"}:
        return db_url.connect(url)
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite or postgresql")


def is_sqlite() -> bool:
    """Tell whether the bound database is SQLite."""
    return isinstance(database.obj, SqliteDatabase)


def is_postgresql() -> bool:
    """Tell whether the bound database is PostgreSQL."""
    return isinstance(database.obj, PostgresqlDatabase)


# Any constant: every write transaction on PostgreSQL takes this advisory lock.
WRITE_LOCK_KEY = 7_130_425


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a write in one transaction, serialized with every other write.

    SQLite serializes writers with BEGIN IMMEDIATE. On PostgreSQL an advisory lock does it, so
    change-feed ids are handed out in commit order and a check-then-write cannot interleave.
    """
    with database.atomic():
        if is_postgresql():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
        yield


def utc_now() -> dt.datetime:
    """Return the current UTC time, naive, to the microsecond."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def discard_connection() -> None:
    """Close this thread's connection, whatever state it is in; the next query reopens one."""
    if database.is_closed():
        return
    try:
        while database.in_transaction():
            database.pop_transaction()
        database.close()
    except PeeweeException:
        database.obj.dispose()
