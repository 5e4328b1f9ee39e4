"""Date-ordered reads split by span class: the same answers as a plain scan, for every class."""

import datetime as dt
import random

import pytest

from api.domain.dates import span_class
from api.storage.connection import database
from api.storage.models import Event, EventMonthRollup, EventMonthTypeRollup
from api.writes.derived import rebuild_rollups
from builders import ACTORS, event, write_records
from databases import issue_token

D = dt.date.fromisoformat
# One event per span class and more: a day, a month, a year, three years, a century.
DATES = [
    "2023-06-15",
    "2023-06",
    "2023-05-20/2023-06-18",
    "2023",
    "2022-07/2023-06",
    "2021/2023",
    "2020-01/2023-12",
    "1950/2050",
    "2023-06-15/2023-06-15",
    "2019",
    "2024-01-01",
]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2023-06-15", "2023-06-15", 0),
        ("2023-06-01", "2023-06-30", 1),
        ("2023-01-31", "2023-03-03", 1),
        ("2023-01-31", "2023-03-04", 2),
        ("2023-01-01", "2023-12-31", 2),
        ("2024-01-01", "2024-12-31", 2),
        ("2021-01-01", "2023-12-31", 3),
        ("2020-01-01", "2023-12-31", 4),
    ],
)
def test_span_classes(start, end, expected):
    assert span_class(D(start), D(end)) == expected


@pytest.fixture
def spread_client(app):
    rng = random.Random(7)
    events = []
    for number, date in enumerate(DATES * 3):
        actors = [
            {"id": rng.choice(["alpha", "beta"]), "role": rng.choice(["speaker", "subject"])}
        ]
        if number % 4 == 0:
            actors.append({"id": "alpha", "role": "participant"})
        events.append(event(f"e{number:03d}", date, actors=actors))
    write_records(events=events, actors=ACTORS)
    return app.test_client()


def _scan(filters: dict, descending: bool) -> list[str]:
    """Answer the question the obvious way, from every row."""
    from api.domain.dates import parse_event_date  # noqa: PLC0415

    with database.connection_context():
        rows = list(Event.select())
    start, end = filters.get("from"), filters.get("to")
    found = []
    for row in rows:
        if start and row.date_end < start:
            continue
        if end and row.date_start > end:
            continue
        found.append((row.date_start, row.date_end, row.id))
    assert all(parse_event_date(r.date).start == r.date_start for r in rows)
    return [event_id for *_, event_id in sorted(found, reverse=descending)]


def _walk(client, url: str) -> list[str]:
    ids = []
    while url:
        assert len(ids) < 500
        body = client.get(url).get_json()
        ids += [item["id"] for item in body["data"]]
        url = body["links"]["next"]
    return ids


@pytest.mark.parametrize("limit", [1, 2, 5, 100])
@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize(
    ("query", "bounds"),
    [
        ("", {}),
        ("from=2023-06&to=2023-06", {"from": D("2023-06-01"), "to": D("2023-06-30")}),
        ("from=2023-06-16", {"from": D("2023-06-16")}),
        ("to=2021-12-31", {"to": D("2021-12-31")}),
        ("from=2060", {"from": D("2060-01-01")}),
    ],
)
def test_every_span_class_is_read_in_order_without_gaps(spread_client, limit, sort, query, bounds):
    expected = _scan(bounds, sort == "-date")
    walked = _walk(spread_client, f"/v1/events?limit={limit}&sort={sort}&{query}")
    assert walked == expected
    total = spread_client.get(f"/v1/events?count=true&{query}").get_json()["meta"]["total"]
    assert total == len(expected)


@pytest.mark.parametrize("roles", ["", "&role=speaker", "&role=participant,subject"])
def test_actor_driven_reads_match_the_filtered_scan(spread_client, roles):
    everything = _walk(spread_client, f"/v1/events?limit=500&from=2023-06&to=2023-06{roles}")
    for limit in (1, 3, 100):
        walked = _walk(
            spread_client, f"/v1/events?limit={limit}&actor=alpha&from=2023-06&to=2023-06{roles}"
        )
        expected = [
            item["id"]
            for item in spread_client.get(
                f"/v1/events?limit=500&from=2023-06&to=2023-06{roles}"
            ).get_json()["data"]
            if any(
                a["id"] == "alpha" and (not roles or a["role"] in roles) for a in item["actors"]
            )
        ]
        assert expected, "no event of alpha in the month: the case tests nothing"
        assert walked == expected
        assert set(walked) <= set(everything)
        assert len(walked) == len(set(walked))
        count = spread_client.get(
            f"/v1/events?count=true&actor=alpha&from=2023-06&to=2023-06{roles}"
        )
        assert count.get_json()["meta"]["total"] == len(expected)


def _rollup() -> dict:
    with database.connection_context():
        return {
            (r.start_month, r.end_month, r.type, r.status): r.events
            for r in EventMonthRollup.select()
        }


def _type_rollup() -> dict:
    with database.connection_context():
        return {
            (r.start_month, r.end_month, r.type): r.events for r in EventMonthTypeRollup.select()
        }


def test_the_rollup_follows_every_write(spread_client):
    auth = {"Authorization": f"Bearer {issue_token('admin')}"}
    kept = _rollup()
    assert sum(kept.values()) == len(DATES) * 3
    etag = spread_client.get("/v1/events/e000").headers["ETag"]
    spread_client.patch(
        "/v1/events/e000",
        headers={**auth, "If-Match": etag},
        json={"date": "1999", "type": "denial"},
    )
    etag = spread_client.get("/v1/events/e001").headers["ETag"]
    spread_client.delete("/v1/events/e001", headers={**auth, "If-Match": etag})
    followed, followed_types = _rollup(), _type_rollup()
    with database.connection_context():
        rebuild_rollups()
    assert (followed, followed_types) == (_rollup(), _type_rollup())
    assert sum(followed.values()) == sum(followed_types.values()) == len(DATES) * 3 - 1
