"""Database binding: one proxy, opened from the configured URL, a connection per thread."""

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from peewee import (
    Database,
    DatabaseProxy,
    InterfaceError,
    OperationalError,
    PeeweeException,
    PostgresqlDatabase,
    SqliteDatabase,
)
from playhouse import db_url

database = DatabaseProxy()


def open_database(url: str, *, busy_timeout_ms: int = 5000, cache_mb: int = 32) -> Database:
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
            # 32 MB of page cache per connection by default (SQLite's is 2 MB): the date and
            # actor indexes of a million events stay in memory between requests.
            pragmas={
                "foreign_keys": 1,
                "busy_timeout": busy_timeout_ms,
                "cache_size": -1024 * cache_mb,
            },
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
    try:
        with _turn_to_write(), database.atomic():
            if is_postgresql():
                database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            yield
    except Exception as error:
        if out_of_space(error):
            _writes.lacked_space = True
        raise
    _writes.lacked_space = False


# SQLite's busy handler polls: with many threads of one process waiting for its write lock,
# one can keep losing the race past the busy timeout. The threads of a process queue here
# instead, so that one of them at a time waits on SQLite (PostgreSQL's lock queues in order).
_process_writes = threading.RLock()


@contextmanager
def _turn_to_write() -> Iterator[None]:
    if not is_sqlite():
        yield
        return
    if not _process_writes.acquire(timeout=database.obj.timeout):
        raise OperationalError("database is locked (other writes of this process queued)")
    try:
        yield
    finally:
        _process_writes.release()


class _Writes:
    """What this process last saw of its writes: whether the last one lacked space."""

    lacked_space = False


_writes = _Writes()


def last_write_lacked_space() -> bool:
    """Tell whether this process's last write failed because the disk (or file) was full."""
    return _writes.lacked_space


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


# The deadline of this thread's budgeted work (time.monotonic seconds), or None.
_budget = threading.local()
# SQLite calls the budget's check every this many virtual machine steps (well under 1 ms).
_STEPS_BETWEEN_CHECKS = 10_000
# What PostgreSQL raises on statement_timeout (query_canceled), and what SQLite says.
_PG_QUERY_CANCELED = "57014"
_SQLITE_INTERRUPTED = "interrupted"
# A full disk: PostgreSQL's disk_full, SQLite's SQLITE_FULL (also a file at max_page_count).
_PG_DISK_FULL = "53100"
_SQLITE_FULL = "database or disk is full"


def _clock() -> float:
    return time.monotonic()


def _over_budget() -> int:
    deadline = getattr(_budget, "deadline", None)
    return 1 if deadline is not None and _clock() > deadline else 0


def _nothing_to_end(_error: BaseException | None) -> None:
    return None


def begin_request(milliseconds: int | None) -> Callable[[BaseException | None], None]:
    """Ready this thread's connection for a request, and bound a read's database work.

    `milliseconds` bounds the work (None: no bound, for writes). SQLite: a progress handler
    stops any statement once they have passed since now, across the request's statements.
    PostgreSQL: the request runs in one transaction with `SET LOCAL statement_timeout`, which
    ends with the transaction (safe behind PgBouncer's transaction pooling). A stopped
    statement raises what `stopped_by_budget` recognizes.

    PostgreSQL drops connections (a restart, `pg_terminate_backend`) without the client
    knowing until it uses one, so the request's first statement runs here, before anything of
    the request has: on a dropped connection it is replaced and the statement tried again,
    once. Returns what ends the request's hold; it takes the request's error, or None.
    """
    _budget.limit_ms = milliseconds
    if is_sqlite():
        database.connect(reuse_if_open=True)
        if milliseconds is None:
            _budget.deadline = None  # whatever a stream left behind does not bound a write
            return _nothing_to_end
        database.connection().set_progress_handler(_over_budget, _STEPS_BETWEEN_CHECKS)
        _budget.deadline = _clock() + milliseconds / 1000
        return _end_deadline
    for attempt in range(2):
        database.connect(reuse_if_open=True)
        try:
            return _begin_on_postgresql(milliseconds)
        except (OperationalError, InterfaceError):
            discard_connection()
            if attempt:
                raise
    raise AssertionError("unreachable")


def past_deadline() -> bool:
    """Whether this thread's SQLite budget is spent (PostgreSQL bounds each statement instead)."""
    return bool(_over_budget())


def budget_ms() -> int | None:
    """Return the budget this thread's latest request began with (None: unbounded)."""
    return getattr(_budget, "limit_ms", None)


def _end_deadline(_error: BaseException | None) -> None:
    _budget.deadline = None


def _begin_on_postgresql(milliseconds: int | None) -> Callable[[BaseException | None], None]:
    if milliseconds is None:
        database.execute_sql("SELECT 1")
        return _nothing_to_end
    transaction = database.atomic()
    transaction.__enter__()
    database.execute_sql("SELECT set_config('statement_timeout', %s, true)", (str(milliseconds),))

    def end_transaction(error: BaseException | None) -> None:
        try:
            if error is None:
                transaction.__exit__(None, None, None)
            else:
                transaction.__exit__(type(error), error, error.__traceback__)
        except PeeweeException:
            discard_connection()

    return end_transaction


def causes(error: BaseException) -> list[BaseException]:
    """Return an error and the errors under it, the one raised first and the root last.

    Under it: the driver's error peewee wrapped, and the error a failed rollback was handling.
    """
    found: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        cause = pending.pop(0)
        if cause is None or any(cause is seen for seen in found):
            continue
        found.append(cause)
        pending.extend([getattr(cause, "orig", None), cause.__cause__, cause.__context__])
    return found


def stopped_by_budget(error: BaseException) -> bool:
    """Tell whether a database error is a statement that `begin_request`'s bound stopped."""
    return _caused_by(error, _PG_QUERY_CANCELED, _SQLITE_INTERRUPTED)


def out_of_space(error: BaseException) -> bool:
    """Tell whether a database error says the disk (or a size-limited file) is full."""
    return _caused_by(error, _PG_DISK_FULL, _SQLITE_FULL)


def _caused_by(error: BaseException, pgcode: str, sqlite_message: str) -> bool:
    """Tell whether a PostgreSQL error of `pgcode` or a SQLite one saying so lies under it."""
    # The driver's own error, or peewee's wrapping of it (rows read lazily are not wrapped).
    for cause in causes(error):
        if getattr(cause, "pgcode", None) == pgcode:
            return True
        if isinstance(cause, sqlite3.DatabaseError) and str(cause) == sqlite_message:
            return True
    return False
