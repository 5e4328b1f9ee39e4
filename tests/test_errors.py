import pytest

import api.http.pagination as event_pages_http
from api import create_app
from problem_shape import assert_problem


@pytest.mark.parametrize(
    ("url", "parameters"),
    [
        # Malformed or impossible dates, and ranges that end before they start.
        ("/v1/events?from=2024-02-30", ["from"]),
        ("/v1/events?from=2023-02-29", ["from"]),
        ("/v1/events?to=2023-13", ["to"]),
        ("/v1/events?from=2023-00", ["from"]),
        ("/v1/events?from=23", ["from"]),
        ("/v1/events?from=2023-1-5", ["from"]),
        ("/v1/events?from=2023/2024", ["from"]),
        ("/v1/events?from=yesterday", ["from"]),
        ("/v1/events?from=", ["from"]),
        ("/v1/events?from=2023-11&to=2023-10", ["from"]),
        ("/v1/events?from=2024&to=2023-12-31", ["from"]),
        ("/v1/events?from=2023-13&to=2023-14", ["from", "to"]),
        # Unknown query parameters: a typo is never silently ignored.
        ("/v1/events?actr=iran", ["actr"]),
        ("/v1/events?From=2023", ["From"]),
        ("/v1/events?limit=5&page=2", ["page"]),
        ("/v1/events/2022-02-24-russia-invades-ukraine?fields=id", ["fields"]),
        ("/v1/actors?q=" + "x" * 101, ["q"]),
        ("/v1/actors?name=iran", ["name"]),
        ("/v1/actors/iran?expand=members", ["expand"]),
        ("/v1/sources?sort=id", ["sort"]),
        ("/v1/event-types?x=1", ["x"]),
        ("/healthz?verbose=1", ["verbose"]),
        # Unknown vocabulary values.
        ("/v1/events?actor=nowhere", ["actor"]),
        ("/v1/events?type=coup", ["type"]),
        ("/v1/events?type=shipment,coup", ["type"]),
        ("/v1/events?status=rumoured", ["status"]),
        ("/v1/events?role=victim", ["role"]),
        ("/v1/actors?kind=planet", ["kind"]),
        ("/v1/actors/iran/events?type=coup", ["type"]),
        # Empty list items.
        ("/v1/events?type=shipment,", ["type"]),
        ("/v1/events?actor=", ["actor"]),
        # Limits out of range, huge or not numbers.
        ("/v1/events?limit=0", ["limit"]),
        ("/v1/events?limit=501", ["limit"]),
        ("/v1/events?limit=-1", ["limit"]),
        ("/v1/events?limit=99999999999999999999999999", ["limit"]),
        ("/v1/events?limit=ten", ["limit"]),
        ("/v1/events?limit=1.5", ["limit"]),
        ("/v1/actors?limit=100000", ["limit"]),
        ("/v1/sources?limit=0", ["limit"]),
        ("/v1/events?count=perhaps", ["count"]),
        # Forged cursors.
        ("/v1/events?cursor=abc", ["cursor"]),
        ("/v1/actors?cursor=abc", ["cursor"]),
        ("/v1/sources?cursor=abc", ["cursor"]),
        # NUL bytes, in values and in names.
        ("/v1/events?actor=ir%00an", ["actor"]),
        ("/v1/events?tag=a%00", ["tag"]),
        ("/v1/events?cursor=%00", ["cursor"]),
        ("/v1/events?from=2023%00", ["from"]),
        ("/v1/events?act%00or=iran", ["act\x00or"]),
        # Over-long values.
        ("/v1/events?actor=" + "a" * 301, ["actor"]),
        ("/v1/events?tag=" + "a" * 65, ["tag"]),
        ("/v1/events?cursor=" + "a" * 2001, ["cursor"]),
    ],
)
def test_bad_input_is_a_400_problem_naming_the_parameter(client, url, parameters):
    assert_problem(client.get(url), 400, *parameters)


@pytest.mark.parametrize(
    "url",
    [
        "/v1/events/no-such-event",
        "/v1/events/NOT-A-SLUG",
        "/v1/events/%00",
        "/v1/events/" + "a" * 5000,
        "/v1/actors/atlantis",
        "/v1/actors/%00",
        "/v1/actors/atlantis/events",
        "/v1/sources/no-such-source",
        "/v1/sources/%00",
        "/v1/events/%00/revisions",
        "/v1/actors/%00/revisions",
        "/v1/sources/a%00b/revisions",
        "/v1/nothing-here",
        "/v2/events",
        "/v1/events/",
    ],
)
def test_unknown_resources_are_a_404_problem(client, url):
    assert_problem(client.get(url), 404)


READ_ONLY = {"GET", "HEAD", "OPTIONS"}
COLLECTION = READ_ONLY | {"POST"}
RECORD = READ_ONLY | {"PATCH", "DELETE"}


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("PUT", "/v1/events/2022-02-24-russia-invades-ukraine", RECORD),
        ("POST", "/v1/events/2022-02-24-russia-invades-ukraine", RECORD),
        ("DELETE", "/v1/events", COLLECTION),
        ("PUT", "/v1/actors", COLLECTION),
        ("PATCH", "/v1/sources", COLLECTION),
        ("POST", "/v1/actors/iran/events", READ_ONLY),
        ("POST", "/healthz", READ_ONLY),
        ("POST", "/v1/event-types", READ_ONLY),
        ("DELETE", "/v1/changes", READ_ONLY),
    ],
)
def test_wrong_methods_are_a_405_problem_with_allow(client, method, url, allowed):
    response = client.open(url, method=method)
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == allowed


def test_an_unexpected_failure_is_a_500_problem_without_details(client, seeded_app, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(event_pages_http, "event_documents", explode)
    seeded_app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_problem(client.get("/v1/events"), 500)
    assert "secret" not in body["detail"]


def test_an_unreachable_database_is_a_503_problem(tmp_path):
    missing = tmp_path / "no-such-folder" / "sub"
    app = create_app({"DATABASE_URL": f"sqlite:///{missing}/x.db", "SECRET_KEY": "k"})
    missing.rmdir()
    response = app.test_client().get("/readyz")
    assert_problem(response, 503)
    assert app.test_client().get("/healthz").status_code == 200
