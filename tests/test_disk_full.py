"""A full disk is a 507 that says so, writes nothing, is logged with its cause, and /readyz
reports the database as not writable until a write succeeds again.

The disk is a size-limited SQLite file (`PRAGMA max_page_count` at its current size).
"""

import logging
import sqlite3

import peewee
import pytest

from api.storage import connection
from api.storage.connection import database
from api.storage.models import Event
from builders import fixture_event_body
from problem_shape import assert_problem


def _limit_the_file(pages: int | None = None) -> None:
    """Cap this thread's connection (the app's, in tests) at the file's size, or lift the cap."""
    if pages is None:
        pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages}")


def _events() -> int:
    return Event.select().count()


def test_a_write_to_a_full_database_is_a_507_and_readyz_says_not_writable(
    client, write_token, database_url, caplog
):
    if not database_url.startswith("sqlite"):
        pytest.skip("a size-limited file is SQLite's; PostgreSQL's disk_full is classified below")
    auth = {"Authorization": f"Bearer {write_token}"}
    assert client.get("/readyz").status_code == 200
    before = _events()
    _limit_the_file()
    # A long summary and many tags need new pages: there are none to be had.
    body = fixture_event_body("2024-05", summary="x" * 9000, tags=[f"t{n}" for n in range(50)])
    with caplog.at_level(logging.ERROR):
        response = client.post("/v1/events", json=body, headers=auth)
    problem = assert_problem(response, 507)
    assert "no room" in problem["detail"]
    assert "Retry-After" not in response.headers
    assert _events() == before
    assert "database or disk is full" in caplog.text
    ready = client.get("/readyz")
    assert "not writable" in assert_problem(ready, 503)["detail"]
    # Reads still work while writes cannot.
    assert client.get("/v1/events?limit=1").status_code == 200

    _limit_the_file(1_073_741_823)
    assert client.post("/v1/events", json=body, headers=auth).status_code == 201
    assert client.get("/readyz").status_code == 200


class _PgError(Exception):
    def __init__(self, pgcode: str) -> None:
        super().__init__(pgcode)
        self.pgcode = pgcode


def _rollback_failed_over(cause: BaseException) -> BaseException:
    """Return the error a failed rollback raises while `cause` is being handled."""
    masking = peewee.OperationalError("cannot rollback - no transaction is active")
    masking.__context__ = cause
    return masking


@pytest.mark.parametrize(
    ("error", "full"),
    [
        (sqlite3.OperationalError("database or disk is full"), True),
        (peewee.OperationalError(sqlite3.OperationalError("database or disk is full")), True),
        (_rollback_failed_over(sqlite3.OperationalError("database or disk is full")), True),
        (_PgError("53100"), True),
        (sqlite3.OperationalError("database is locked"), False),
        (_PgError("57014"), False),
        (_rollback_failed_over(sqlite3.OperationalError("database is locked")), False),
    ],
)
def test_a_full_disk_is_recognized_under_any_wrapping(error, full):
    assert connection.out_of_space(error) is full
