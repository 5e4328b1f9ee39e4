"""The floor: the SQL a request runs, replayed through the bare driver with nothing around it."""

import datetime as dt
import logging
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from api import create_app
from api.storage.connection import open_database

_SKIPPED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class _Recorder(logging.Handler):
    """Keep the (sql, params) of every statement peewee executes."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[tuple[str, tuple]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Record one statement, leaving out transaction control."""
        if isinstance(record.msg, tuple) and not record.msg[0].lstrip().startswith(_SKIPPED):
            sql, params = record.msg
            self.statements.append((sql, tuple(params or ())))


@contextmanager
def recording_statements() -> Iterator[list[tuple[str, tuple]]]:
    """Collect the (sql, params) of every statement run inside the block, in order."""
    recorder = _Recorder()
    logger = logging.getLogger("peewee")
    previous = logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    try:
        yield recorder.statements
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(previous)


def captured_statements(
    database_url: str, path: str, *, status: int = 200, warm: bool = True
) -> list[tuple[str, tuple]]:
    """Return the statements one request runs once warm (the second of two identical ones).

    `warm=False` records the first: for a request that takes seconds, warming costs as much
    and changes little.
    """
    app = create_app(
        {"DATABASE_URL": database_url, "RATE_LIMIT_ENABLED": False, "SECRET_KEY": "bench"}
    )
    client = app.test_client()
    if warm:
        _read(client, path, status)
    with recording_statements() as statements:
        _read(client, path, status)
    return statements


def _read(client, path: str, status: int) -> None:
    response = client.get(path)
    for _ in response.response:  # a streamed export runs its statements as it is read
        pass
    if response.status_code != status:
        raise RuntimeError(f"{path} answered {response.status_code}, not {status}")


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _replayer(database_url: str) -> tuple[Callable[[list], None], Callable[[], None]]:
    """Return a function that runs statements through the bare driver, and a closer."""
    if database_url.startswith("sqlite"):
        # peewee's own sqlite3 connection, with the pragmas a worker's has: with SQLite's
        # default 2 MB page cache instead of the app's 32 MB, scans replayed 2-3x slower.
        connection = open_database(database_url).connection()
    else:
        import psycopg2

        connection = psycopg2.connect(database_url)
        connection.autocommit = True
    cursor = connection.cursor()

    def replay(statements: list) -> None:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()

    return replay, connection.close


def floor_seconds(
    database_url: str, statements: list, *, budget: float = 1.0, runs: int = 5
) -> float:
    """Return the median time of running these statements once, warm, in-process."""
    plain = statements
    if database_url.startswith("sqlite"):
        # sqlite3's date adapters are deprecated; peewee hands it ISO text the same way.
        plain = [(sql, tuple(_plain(value) for value in params)) for sql, params in statements]
    replay, close = _replayer(database_url)
    try:
        replay(plain)
        times = []
        deadline = time.perf_counter() + budget
        while len(times) < runs or time.perf_counter() < deadline:
            started = time.perf_counter()
            replay(plain)
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        close()
