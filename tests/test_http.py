import pytest

from api import create_app
from api.storage.migrations import create_schema
from builders import write_records

READ_URLS = [
    "/v1/events",
    "/v1/events?actor=iran&limit=2",
    "/v1/events/2022-02-24-russia-invades-ukraine",
    "/v1/actors",
    "/v1/actors/iran",
    "/v1/actors/iran/events",
    "/v1/sources",
    "/v1/sources/armeisky-sbornik-2023-07",
    "/v1/event-types",
    "/v1/stats/histogram",
    "/v1/stats/actors",
    "/v1/stats/network",
    "/v1/timeline",
    "/openapi.json",
    "/openapi.yaml",
]


@pytest.mark.parametrize("url", READ_URLS)
def test_every_get_has_an_etag_and_answers_304_when_it_matches(client, url):
    response = client.get(url)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"')
    assert len(etag) > 10
    assert client.get(url).headers["ETag"] == etag
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("url", READ_URLS)
def test_every_response_is_cacheable_cors_readable_and_nosniff(client, url):
    response = client.get(url, headers={"Origin": "https://charts.example"})
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_etag_changes_when_the_data_changes(client):
    before = client.get("/v1/sources").headers["ETag"]
    write_records(
        actors=[],
        sources=[{"id": "new-source", "publisher": "P", "title": "T"}],
    )
    assert client.get("/v1/sources").headers["ETag"] != before


def test_head_answers_headers_without_a_body(client):
    response = client.head("/v1/events")
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["ETag"] == client.get("/v1/events").headers["ETag"]


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_probes_are_never_cached(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_errors_are_not_cached(client):
    assert client.get("/v1/events?limit=0").headers["Cache-Control"] == "no-store"


def test_cache_control_and_cors_origins_are_configurable(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "k",
            "CACHE_CONTROL": "no-cache",
            "CORS_ORIGINS": ["https://allowed.example"],
        }
    )
    create_schema()
    client = app.test_client()
    allowed = client.get("/v1/event-types", headers={"Origin": "https://allowed.example"})
    assert allowed.headers["Cache-Control"] == "no-cache"
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://allowed.example"
    other = client.get("/v1/event-types", headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
