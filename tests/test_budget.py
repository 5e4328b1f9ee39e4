"""Every read has a bounded cost: past TIMELINE_QUERY_TIMEOUT_MS its database work is stopped.

The statements are stopped by the database itself (SQLite's progress handler, PostgreSQL's
statement_timeout), and the read answers a 503 problem naming the limit; the worker goes on.
"""

import time

import pytest

from api import create_app
from api.domain.errors import QueryTimeout
from api.http import database as database_hooks
from api.http import streaming
from api.queries import exports
from api.storage import connection
from budgets import over_budget
from problem_shape import assert_problem

HEAVY_READ = "/v1/stats/histogram?interval=month&group_by=type&from=2023-01-15&to=2024-12-15"


@pytest.fixture
def budgeted(app):
    """An app whose reads may do 300 ms of database work, over the fixtures."""
    app.config["QUERY_TIMEOUT_MS"] = 300
    return app


def test_a_read_past_its_budget_is_a_503_naming_the_limit(
    budgeted, generated_client, database_url, monkeypatch
):
    with over_budget(database_url, monkeypatch):
        response = generated_client.get(HEAVY_READ)
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
        ("get", "/v1/events/export", [600_000]),
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
    for module in (database_hooks, streaming):
        monkeypatch.setattr(module, "begin_request", lambda ms: begun.append(ms) or original(ms))
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


def test_an_export_over_its_budget_before_its_first_line_is_a_503_naming_its_limit(
    app, generated_client, database_url, monkeypatch
):
    app.config["EXPORT_TIMEOUT_S"] = 1
    with over_budget(database_url, monkeypatch):
        response = generated_client.get("/v1/events/export?format=csv")
    problem = assert_problem(response, 503, problem_type="/problems/query-timeout")
    assert "1000 ms" in problem["detail"]
    assert response.headers["Retry-After"] == "1"
    assert generated_client.get("/v1/events/export?format=csv").status_code == 200


def test_every_batch_of_an_export_runs_under_the_export_budget(
    app, generated_client, database_url, monkeypatch
):
    """The stream outlives its request's hooks: its budget must hold to the last batch."""
    app.config["EXPORT_TIMEOUT_S"] = 7
    budgets = []
    original = exports.event_documents

    def documents_under_watch(ids):
        if database_url.startswith("postgresql"):
            budgets.append(connection.database.execute_sql("SHOW statement_timeout").fetchone()[0])
        else:
            deadline = getattr(connection._budget, "deadline", None)
            budgets.append(deadline is not None and deadline - connection._clock() <= 7)
        return original(ids)

    monkeypatch.setattr(exports, "event_documents", documents_under_watch)
    response = generated_client.get("/v1/events/export?format=ndjson")
    assert len(response.get_data().splitlines()) == 3000
    expected = "7s" if database_url.startswith("postgresql") else True
    assert budgets == [expected] * 3
    # And the budget ends with the stream: a write after it is not bounded by it.
    assert getattr(connection._budget, "deadline", None) is None


def test_an_export_that_runs_out_of_budget_midway_stops_instead_of_ending(
    app, generated_client, database_url, monkeypatch
):
    if database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL bounds each statement, not the stream: see the test above")
    app.config["EXPORT_TIMEOUT_S"] = 1
    original = exports.event_documents
    batches = []

    def late_after_the_first(ids):
        batches.append(len(ids))
        if len(batches) == 2:  # the second batch is read an hour after the export began
            monkeypatch.setattr(connection, "_clock", lambda: time.monotonic() + 3600)
        return original(ids)

    monkeypatch.setattr(exports, "event_documents", late_after_the_first)
    response = generated_client.get("/v1/events/export?format=ndjson")
    assert response.status_code == 200
    lines = []
    with pytest.raises(Exception) as raised:  # noqa: PT011 - what stops it is asserted below
        lines.extend(response.response)
    assert isinstance(raised.value, QueryTimeout) or connection.stopped_by_budget(raised.value)
    assert len(b"".join(lines).splitlines()) == 1000
