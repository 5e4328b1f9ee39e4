"""Plain SQL for the reads every dashboard repeats.

peewee spends longer composing a query (150-350 µs, measured in bench/) than SQLite spends
running one of these, so the hottest statements are written out here, in the SQL that both
SQLite and PostgreSQL accept, and their rows are read as the driver returns them.
"""

import datetime as dt
import functools
from collections.abc import Sequence

from api.storage.connection import database, is_postgresql


def marks(count: int) -> str:
    """Return `count` comma-separated parameter marks."""
    return ", ".join("?" * count)


@functools.lru_cache(maxsize=512)
def _for_postgresql(sql: str) -> str:
    # Our statements hold no literal question marks and no percent signs.
    return sql.replace("?", "%s")


def run(sql: str, params: Sequence = ()):
    """Execute a statement written with `?` marks; return the cursor."""
    return database.execute_sql(_for_postgresql(sql) if is_postgresql() else sql, params)


def iso_date(value: str | dt.date | None) -> str | None:
    """Return a date as `YYYY-MM-DD`, from SQLite's text or PostgreSQL's date."""
    return value if value is None or isinstance(value, str) else value.isoformat()


def utc_timestamp(value: str | dt.datetime) -> str:
    """Write a naive UTC time as ISO 8601 with a Z, to the millisecond (truncated)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    # SQLite holds what Python's adapter wrote: `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    fraction = value[20:23].ljust(3, "0")
    return f"{value[:10]}T{value[11:19]}.{fraction}Z"
