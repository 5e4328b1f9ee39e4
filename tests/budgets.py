"""Putting a read over its budget on either backend, for the tests of the budget."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from api.storage import connection


def held_event_table(database_url: str) -> tuple[threading.Event, threading.Event]:
    """Hold an exclusive lock on `event` from another PostgreSQL session until released."""
    import psycopg2  # noqa: PLC0415 - PostgreSQL only

    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        session = psycopg2.connect(database_url)
        with session.cursor() as cursor:
            cursor.execute("LOCK TABLE event IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(10)
        session.rollback()
        session.close()

    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(10)
    return locked, release


def stop_the_clock(monkeypatch) -> None:
    """Make every deadline pass at once: each look at the clock is a minute later."""
    minutes = iter(range(0, 10**9, 60))
    monkeypatch.setattr(connection, "_clock", lambda: next(minutes))


@contextmanager
def over_budget(database_url: str, monkeypatch) -> Iterator[None]:
    """Within the block, reads run out of budget: the clock jumps, or `event` is locked."""
    if database_url.startswith("postgresql"):
        _, release = held_event_table(database_url)
    else:
        stop_the_clock(monkeypatch)
    try:
        yield
    finally:
        if database_url.startswith("postgresql"):
            release.set()
        monkeypatch.undo()
