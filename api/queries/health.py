"""Readiness: whether the database answers, holds the schema and has room to write."""

import shutil
from pathlib import Path

from peewee import PeeweeException

from api.storage.connection import database, is_sqlite, last_write_lacked_space
from api.storage.models import Event

# Below this much free disk beside a SQLite file, writes (and the WAL's growth) may fail.
MIN_FREE_BYTES = 16 * 1024 * 1024


def database_problem() -> str | None:
    """Return what keeps the database from serving reads and writes, or None when nothing does."""
    try:
        Event.select(Event.id).limit(1).exists()
    except PeeweeException as error:
        return type(error).__name__
    if last_write_lacked_space():
        return "not writable: the last write found the disk full"
    if is_sqlite():
        return _sqlite_room()
    return None


def _sqlite_room() -> str | None:
    """Return why a SQLite file cannot grow (no disk, or at its page limit), or None."""
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    limit = database.execute_sql("PRAGMA max_page_count").fetchone()[0]
    if pages >= limit:
        return "not writable: the database file is at its size limit"
    path = Path(database.database)
    if path.name != ":memory:":
        free = shutil.disk_usage(path.resolve().parent).free
        if free < MIN_FREE_BYTES:
            return f"not writable: {free} bytes free on the database's disk"
    return None
