"""Limits: body size (413), rate limits per read and write (429), CORS for writes by origin."""

import os
import uuid

import pytest

from api import create_app
from api.storage.connection import database
from api.storage.models import Event
from budgets import over_budget
from problem_shape import assert_problem

REDIS_URL = os.environ.get("TIMELINE_TEST_REDIS_URL", "")
STORAGES = ["memory://"] + ([REDIS_URL] if REDIS_URL else [])


def limited_app(database_url: str, **config):
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", **config})


def test_a_body_over_the_limit_is_a_413_and_writes_nothing(database_url, seeded_app, write_token):
    app = limited_app(database_url, MAX_BODY=2048, RATE_LIMIT_ENABLED=False)
    with database.connection_context():
        before = Event.select().count()
    response = app.test_client().post(
        "/v1/events",
        data=b'{"title": "' + b"x" * 4096 + b'"}',
        headers={"Authorization": f"Bearer {write_token}", "Content-Type": "application/json"},
    )
    assert_problem(response, 413)
    with database.connection_context():
        assert Event.select().count() == before


@pytest.mark.parametrize("storage", STORAGES)
def test_reads_and_writes_have_their_own_rate_limits(
    database_url, seeded_app, write_token, storage
):
    app = limited_app(
        database_url,
        RATE_LIMIT_READ="3 per minute",
        RATE_LIMIT_WRITE="2 per minute",
        RATE_LIMIT_STORAGE=storage,
    )
    client = app.test_client()
    # A fresh client address per run keeps counters in a shared Redis apart.
    client.environ_base["REMOTE_ADDR"] = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.1"
    reads = [client.get("/v1/event-types") for _ in range(4)]
    assert [r.status_code for r in reads] == [200, 200, 200, 429]
    assert reads[0].headers["RateLimit-Limit"] == "3"
    assert reads[0].headers["RateLimit-Remaining"] == "2"
    assert 0 <= int(reads[0].headers["RateLimit-Reset"]) <= 61
    assert "Retry-After" not in reads[0].headers
    limited = assert_problem(reads[3], 429)
    assert 0 < int(reads[3].headers["Retry-After"]) <= 61
    assert "limit" in limited["detail"].lower()
    headers = {"Authorization": f"Bearer {write_token}"}
    writes = [client.post("/v1/events", json={}, headers=headers) for _ in range(3)]
    assert [w.status_code for w in writes] == [422, 422, 429]
    assert client.get("/healthz").status_code == 200


CORS_APP = {"CORS_WRITE_ORIGINS": ["https://editor.example"], "RATE_LIMIT_ENABLED": False}


@pytest.mark.parametrize(
    ("origin", "method", "allowed"),
    [
        ("https://anyone.example", "GET", True),
        ("https://anyone.example", "POST", False),
        ("https://anyone.example", "PATCH", False),
        ("https://anyone.example", "DELETE", False),
        ("https://editor.example", "POST", True),
        ("https://editor.example", "PATCH", True),
        ("https://editor.example", "GET", True),
    ],
)
def test_cors_preflight_allows_writes_only_from_configured_origins(
    database_url, seeded_app, origin, method, allowed
):
    client = limited_app(database_url, **CORS_APP).test_client()
    response = client.options(
        "/v1/events/2022-02-24-russia-invades-ukraine",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "Authorization, If-Match, Content-Type",
        },
    )
    assert response.status_code == 200
    if allowed:
        assert response.headers["Access-Control-Allow-Origin"] in {"*", origin}
        assert method in response.headers["Access-Control-Allow-Methods"]
    else:
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Methods" not in response.headers


def test_a_write_from_another_origin_gets_no_cors_permission(
    database_url, seeded_app, write_token
):
    client = limited_app(database_url, **CORS_APP).test_client()
    response = client.post(
        "/v1/events",
        json={},
        headers={"Origin": "https://anyone.example", "Authorization": f"Bearer {write_token}"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(("trusted", "separate"), [(0, False), (1, True)])
def test_forwarded_addresses_count_only_behind_trusted_proxies(
    database_url, seeded_app, trusted, separate
):
    app = limited_app(database_url, RATE_LIMIT_READ="2 per minute", TRUSTED_PROXIES=trusted)
    client = app.test_client()
    # Both clients come through the same proxy (one socket address), each with its own address.
    proxy = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.2"
    client.environ_base["REMOTE_ADDR"] = proxy

    def read_as(address: str) -> int:
        headers = {"X-Forwarded-For": address}
        return client.get("/v1/event-types", headers=headers).status_code

    assert [read_as("203.0.113.7"), read_as("203.0.113.7")] == [200, 200]
    # Trusted, the second client has a bucket of its own; untrusted, all share the proxy's.
    assert read_as("198.51.100.4") == (200 if separate else 429)


def test_a_503_under_rate_limits_keeps_its_own_retry_after(
    database_url, generated_client, monkeypatch
):
    # The limiter sets Retry-After to its window's reset on every answer; an over-budget read
    # must still say "try again in a second", not "in a minute".
    app = limited_app(database_url, RATE_LIMIT_READ="100 per hour", QUERY_TIMEOUT_MS=300)
    with over_budget(database_url, monkeypatch):
        response = app.test_client().get(
            "/v1/stats/histogram?interval=month&group_by=type&from=2023-01-15&to=2024-12-15"
        )
    assert_problem(response, 503, problem_type="/problems/query-timeout")
    assert response.headers["Retry-After"] == "1"
    assert response.headers["RateLimit-Limit"] == "100"
