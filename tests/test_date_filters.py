import pytest

from builders import event, write_records

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
