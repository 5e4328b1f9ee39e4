import json

import pytest

from builders import event, write_records
from problem_shape import assert_problem

# One event per precision, around October 2023.
EVENTS = {
    "day": "2023-10-15",
    "month": "2023-10",
    "year": "2023",
    "interval": "2023-09-20/2023-11-05",
    "day-before": "2023-09-30",
    "day-after": "2023-11-01",
    "leap-day": "2024-02-29",
}


@pytest.fixture
def dated_client(app):
    write_records(events=[event(name, date) for name, date in EVENTS.items()])
    return app.test_client()


def _ids(client, query: str) -> list[str]:
    response = client.get(f"/v1/events?limit=500&{query}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["data"]]


@pytest.mark.parametrize(
    ("bounds", "overlap", "within"),
    [
        # Month bounds.
        ("from=2023-10&to=2023-10", {"day", "month", "year", "interval"}, {"day", "month"}),
        ("from=2023-09&to=2023-09", {"year", "interval", "day-before"}, {"day-before"}),
        # Day bounds.
        ("from=2023-10-15&to=2023-10-15", {"day", "month", "year", "interval"}, {"day"}),
        ("from=2023-11-05&to=2023-11-05", {"year", "interval"}, set()),
        ("from=2023-11-06&to=2023-11-30", {"year"}, set()),
        (
            "from=2023-09-20&to=2023-11-05",
            set(EVENTS) - {"leap-day"},
            set(EVENTS) - {"year", "leap-day"},
        ),
        # Year bounds.
        ("from=2023&to=2023", set(EVENTS) - {"leap-day"}, set(EVENTS) - {"leap-day"}),
        ("from=2022&to=2022", set(), set()),
        ("from=2024", {"leap-day"}, {"leap-day"}),
        # `to=2024-02` ends on the 29th of a leap year.
        ("from=2024-02-29&to=2024-02", {"leap-day"}, {"leap-day"}),
        ("to=2024-02-28", set(EVENTS) - {"leap-day"}, set(EVENTS) - {"leap-day"}),
        # Open-ended ranges.
        (
            "from=2023-10-16",
            {"month", "year", "interval", "day-after", "leap-day"},
            {"day-after", "leap-day"},
        ),
        ("to=2023-09", {"year", "interval", "day-before"}, {"day-before"}),
        ("to=2023-09-30", {"year", "interval", "day-before"}, {"day-before"}),
        ("", set(EVENTS), set(EVENTS)),
    ],
)
def test_date_ranges_match_by_overlap_or_within(dated_client, bounds, overlap, within):
    assert set(_ids(dated_client, bounds)) == overlap
    assert set(_ids(dated_client, f"{bounds}&date_match=overlap")) == overlap
    assert set(_ids(dated_client, f"{bounds}&date_match=within")) == within


def test_events_sort_by_start_then_end_then_id(dated_client):
    ascending = _ids(dated_client, "sort=date")
    assert ascending == ["year", "interval", "day-before", "month", "day", "day-after", "leap-day"]
    assert _ids(dated_client, "sort=-date") == list(reversed(ascending))


def test_event_dates_are_served_as_written_with_their_span(dated_client):
    body = dated_client.get("/v1/events/interval").get_json()
    assert (body["date"], body["date_start"], body["date_end"], body["precision"]) == (
        "2023-09-20/2023-11-05",
        "2023-09-20",
        "2023-11-05",
        "interval",
    )


# Events at both ends of the calendar: ranges reaching them must not overflow date arithmetic.
EDGE_EVENTS = {
    "first-day": "0001-01-01",
    "first-year": "0001",
    "first-interval": "0001-01-01/0003-06",
    "middle": "2023-10-15",
    "last-year": "9999",
    "last-day": "9999-12-31",
}


BETA_RECEIVES = {"id": "beta", "role": "recipient"}


@pytest.fixture
def edge_client(app):
    write_records(
        events=[
            event(name, date, actors=[{"id": "alpha", "role": "supplier"}, BETA_RECEIVES])
            for name, date in EDGE_EVENTS.items()
        ]
    )
    return app.test_client()


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ("from=0001", set(EDGE_EVENTS)),
        ("from=0001-01-01&to=0001-01-01", {"first-day", "first-year", "first-interval"}),
        ("from=0001-01-15&to=0001-02", {"first-year", "first-interval"}),
        ("from=0002&to=0002", {"first-interval"}),
        ("from=0001&date_match=within", set(EDGE_EVENTS)),
        ("to=9999-12-31", set(EDGE_EVENTS)),
        ("from=9999-12-31", {"last-year", "last-day"}),
        ("from=9999-12-15&to=9999-12-31&date_match=within", {"last-day"}),
        ("from=0001&to=9999", set(EDGE_EVENTS)),
    ],
)
def test_ranges_at_the_calendars_ends_answer_on_every_filter_endpoint(
    edge_client, bounds, expected
):
    assert set(_ids(edge_client, bounds)) == expected
    assert set(_ids(edge_client, f"{bounds}&sort=-date")) == expected
    counted = edge_client.get(f"/v1/events?count=true&{bounds}").get_json()["meta"]["total"]
    assert counted == len(expected)
    listed = edge_client.get(f"/v1/actors/alpha/events?limit=100&{bounds}").get_json()["data"]
    assert {item["id"] for item in listed} == expected
    exported = edge_client.get(f"/v1/events/export?{bounds}").get_data(as_text=True)
    assert {json.loads(line)["id"] for line in exported.splitlines()} == expected
    slides = edge_client.get(f"/v1/timeline?{bounds}").get_json()["events"]
    assert {item["unique_id"] for item in slides} == expected
    ranked = edge_client.get(f"/v1/stats/actors?{bounds}").get_json()["data"]
    assert {(actor["id"], actor["event_count"]) for actor in ranked} == {
        ("alpha", len(expected)),
        ("beta", len(expected)),
    }
    network = edge_client.get(f"/v1/stats/network?{bounds}").get_json()
    assert [link["weight"] for link in network["links"]] == [len(expected)]


@pytest.mark.parametrize(
    "bounds", ["from=0001&to=0100", "from=9900&to=9999-12-31", "from=9999-12-31", "to=0001-12"]
)
@pytest.mark.parametrize("interval", ["year", "quarter", "month"])
def test_histograms_reach_the_calendars_ends(edge_client, bounds, interval):
    response = edge_client.get(f"/v1/stats/histogram?interval={interval}&group_by=type&{bounds}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # Each matching event is counted in the bucket it starts in, or before the first one.
    assert body["total"] + body["before"] == len(_ids(edge_client, bounds))


@pytest.mark.parametrize("bounds", ["from=0001", "to=9999", "from=0001&to=9999"])
def test_a_histogram_over_too_many_buckets_at_the_ends_is_refused_by_name(edge_client, bounds):
    response = edge_client.get(f"/v1/stats/histogram?interval=day&{bounds}")
    assert_problem(response, 400, "interval")
