"""Hostile input: every case is a 4xx problem and nothing is written."""

import pytest

from api.storage.connection import database
from api.storage.models import ALL_MODELS, ApiToken
from builders import fixture_event_body
from problem_shape import assert_problem

INVASION = "/v1/events/2022-02-24-russia-invades-ukraine"
JSON = "application/json"


def event_body(**changes) -> str:
    """A valid event as JSON text, but for `changes`."""
    import json  # noqa: PLC0415

    return json.dumps(fixture_event_body("2024", **changes))


HOSTILE = [
    # SQL fragments where only ids and vocabularies are allowed.
    ("sql in id", "POST", "/v1/events", event_body(id="x'; DROP TABLE event; --"), JSON, 422),
    (
        "sql in actor",
        "POST",
        "/v1/events",
        event_body(actors=[{"id": "iran' OR '1'='1", "role": "speaker"}]),
        JSON,
        422,
    ),
    ("sql in type", "POST", "/v1/events", event_body(type="statement' --"), JSON, 422),
    ("sql in query", "GET", "/v1/events?actor=iran'%20OR%201=1--", None, None, 400),
    ("sql in sort", "GET", "/v1/events?sort=date;DELETE%20FROM%20event", None, None, 400),
    ("sql in path", "PATCH", "/v1/events/x'%20OR%201=1", "{}", JSON, 404),
    # Very long strings.
    ("10k title", "POST", "/v1/events", event_body(title="x" * 10_000), JSON, 422),
    ("10k id", "POST", "/v1/events", event_body(id="a" * 10_000), JSON, 422),
    ("10k tag", "POST", "/v1/events", event_body(tags=["t" * 10_000]), JSON, 422),
    (
        "10k quote",
        "POST",
        "/v1/events",
        event_body(
            sources=[{"id": "eurasiareview-iran-missile-shipments-russia", "quote": "q" * 10_000}]
        ),
        JSON,
        422,
    ),
    ("10k query value", "GET", "/v1/events?tag=" + "t" * 10_000, None, None, 400),
    # Unicode oddities.
    ("lone surrogate", "POST", "/v1/events", '{"title": "\\udc00"}', JSON, 422),
    ("surrogate key", "POST", "/v1/events", '{"\\ud800": 1}', JSON, 422),
    ("right-to-left id", "POST", "/v1/events", event_body(id="abc\u202edef"), JSON, 422),
    (
        "zero-width actor",
        "POST",
        "/v1/events",
        event_body(actors=[{"id": "ir\u200ban", "role": "speaker"}]),
        JSON,
        422,
    ),
    (
        "full-width date",
        "POST",
        "/v1/events",
        event_body(date="\uff12\uff10\uff12\uff14"),
        JSON,
        422,
    ),
    ("emoji tag", "POST", "/v1/events", event_body(tags=["\U0001f4a5"]), JSON, 422),
    ("invalid utf-8", "POST", "/v1/events", b'{"title": "\xff\xfe"}', JSON, 400),
    # NUL bytes.
    ("nul in title", "POST", "/v1/events", event_body(title="a\x00b"), JSON, 422),
    ("nul in key", "POST", "/v1/events", '{"ti\\u0000tle": "x"}', JSON, 422),
    ("nul in query", "GET", "/v1/events?type=ship%00ment", None, None, 400),
    # Malformed JSON.
    ("truncated", "POST", "/v1/events", '{"title": "x"', JSON, 400),
    ("trailing comma", "POST", "/v1/events", '{"title": "x",}', JSON, 400),
    ("single quotes", "POST", "/v1/events", "{'title': 'x'}", JSON, 400),
    ("nan", "POST", "/v1/events", '{"title": NaN}', JSON, 400),
    ("empty body", "POST", "/v1/events", "", JSON, 400),
    ("array body", "POST", "/v1/events", "[]", JSON, 422),
    ("string body", "POST", "/v1/events", '"event"', JSON, 422),
    ("null body", "POST", "/v1/events", "null", JSON, 422),
    # Wrong content types.
    ("text/plain", "POST", "/v1/events", event_body(), "text/plain", 415),
    ("form", "POST", "/v1/events", "title=x", "application/x-www-form-urlencoded", 415),
    ("xml", "POST", "/v1/events", "<event/>", "application/xml", 415),
    ("no content type", "POST", "/v1/events", event_body(), None, 415),
    ("patch as text", "PATCH", INVASION, '{"status": "reported"}', "text/plain", 415),
    # Huge numbers.
    ("inf title", "POST", "/v1/events", '{"title": 1e999}', JSON, 422),
    ("5000-digit number", "POST", "/v1/events", '{"title": ' + "9" * 5000 + "}", JSON, 400),
    ("huge limit", "GET", "/v1/events?limit=" + "9" * 100, None, None, 400),
    ("negative limit", "GET", "/v1/events?limit=-99999999999", None, None, 400),
    # Deep nesting.
    ("100k brackets", "POST", "/v1/events", "[" * 100_000 + "]" * 100_000, JSON, 400),
    (
        "nested actors",
        "POST",
        "/v1/events",
        event_body(actors=[[[[[[{"id": "iran"}]]]]]]),
        JSON,
        422,
    ),
    ("deep object", "POST", "/v1/events", '{"a":' * 500 + "1" + "}" * 500, JSON, 422),
]


def _row_counts() -> dict[str, int]:
    with database.connection_context():
        return {m.__name__: m.select().count() for m in ALL_MODELS if m is not ApiToken}


@pytest.mark.parametrize(
    ("method", "url", "body", "content_type", "status"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_input_is_a_4xx_and_writes_nothing(
    client, write_token, method, url, body, content_type, status
):
    before = _row_counts()
    headers = {"Authorization": f"Bearer {write_token}", "If-Match": "*"}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.open(url, method=method, data=body, headers=headers)
    assert_problem(response, status)
    assert _row_counts() == before


def test_sql_in_free_text_is_stored_as_text(client, write_token):
    title = "Robert'); DROP TABLE event;--"
    response = client.post(
        "/v1/events",
        data=event_body(title=title),
        headers={"Authorization": f"Bearer {write_token}", "Content-Type": JSON},
    )
    assert response.status_code == 201
    assert client.get(response.headers["Location"]).get_json()["title"] == title
    assert client.get("/v1/events?limit=1").status_code == 200
