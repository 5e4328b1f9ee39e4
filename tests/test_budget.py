"""Every read has a bounded cost: past TIMELINE_QUERY_TIMEOUT_MS its database work is stopped.

The statements are stopped by the database itself (SQLite's progress handler, PostgreSQL's
statement_timeout), and the read answers a 503 problem naming the limit; the worker goes on.
"""

import threading

import pytest

from api import create_app
from api.http import database as database_hooks
from api.storage import connection
from problem_shape import assert_problem

HEAVY_READ = "/v1/stats/histogram?interval=month&group_by=type&from=2023-01-15&to=2024-12-15"


@pytest.fixture
def budgeted(app):
    """An app whose reads may do 300 ms of database work, over the fixtures."""
    app.config["QUERY_TIMEOUT_MS"] = 300
    return app


def _held_event_table(database_url: str) -> tuple[threading.Event, threading.Event]:
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


def _stop_the_clock(monkeypatch) -> None:
    """Make every deadline pass at once: each look at the clock is a minute later."""
    minutes = iter(range(0, 10**9, 60))
    monkeypatch.setattr(connection, "_clock", lambda: next(minutes))


def test_a_read_past_its_budget_is_a_503_naming_the_limit(
    budgeted, generated_client, database_url, monkeypatch
):
    if database_url.startswith("postgresql"):
        _, release = _held_event_table(database_url)
    else:
        _stop_the_clock(monkeypatch)
    try:
        response = generated_client.get(HEAVY_READ)
    finally:
        if database_url.startswith("postgresql"):
            release.set()
        monkeypatch.undo()
    problem = assert_problem(response, 503, problem_type="/problems/query-timeout")
    assert "300 ms" in problem["detail"]
    assert response.headers["Retry-After"] == "1"
    # The worker and its connection go on: the next read is answered.
    assert generated_client.get(HEAVY_READ).status_code == 200
    assert generated_client.get("/v1/events?limit=1").status_code == 200


def test_a_read_within_its_budget_is_answered(budgeted, generated_client):
    assert generated_client.get(HEAVY_READ).status_code == 200


def test_the_budget_ends_with_the_request(budgeted, generated_client, database_url):
    generated_client.get("/v1/events?limit=1")
    assert getattr(connection._budget, "deadline", None) is None
    if database_url.startswith("postgresql"):
        with budgeted.app_context():
            assert not connection.database.in_transaction()


@pytest.mark.parametrize(
    ("method", "path", "budgets"),
    [
        ("get", "/v1/events?limit=1", [300]),
        ("head", "/v1/events?limit=1", [300]),
        ("get", "/v1/events/export?limit=1", [600_000]),
        ("post", "/v1/events", [None]),
        ("options", "/v1/events", []),
        # Liveness and the page answer without the database.
        ("get", "/healthz", []),
        ("get", "/", []),
    ],
)
def test_reads_get_the_read_budget_exports_theirs_and_writes_none_but_a_fresh_connection(
    budgeted, client, monkeypatch, method, path, budgets
):
    begun = []
    original = database_hooks.begin_request
    monkeypatch.setattr(
        database_hooks, "begin_request", lambda ms: begun.append(ms) or original(ms)
    )
    getattr(client, method)(path).close()
    assert begun == budgets


def test_the_budget_is_a_setting():
    app = create_app({"DATABASE_URL": "sqlite://", "QUERY_TIMEOUT_MS": 1234})
    assert app.config["QUERY_TIMEOUT_MS"] == 1234


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/v1/events?limit=1", 200), ("post", "/v1/events", 401)],
)
def test_a_connection_the_server_dropped_is_replaced_before_the_request_runs(
    app, client, database_url, method, path, status
):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    import psycopg2  # noqa: PLC0415 - PostgreSQL only

    assert client.get("/v1/events?limit=1").status_code == 200
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchall(), "the app's connection should have been there to drop"
    admin.close()
    assert getattr(client, method)(path).status_code == status
