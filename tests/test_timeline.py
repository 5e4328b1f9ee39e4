"""The TimelineJS3 feed: slides as precise as their dates, sources credited, earliest first."""

import pytest

from api.schemas.stats import TimelineSchema
from fixture_oracle import expected_ids
from problem_shape import assert_problem


def slides(client, query: str = "") -> list[dict]:
    response = client.get(f"/v1/timeline?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["events"]


def by_id(client) -> dict[str, dict]:
    return {slide["unique_id"]: slide for slide in slides(client)}


@pytest.mark.parametrize(
    ("event_id", "start", "end", "display"),
    [
        (
            "2022-02-24-russia-invades-ukraine",
            {"year": 2022, "month": 2, "day": 24},
            None,
            "24 February 2022",
        ),
        (
            "2022-03-russia-overtakes-iran-as-most-sanctioned-country",
            {"year": 2022, "month": 3},
            None,
            "March 2022",
        ),
        (
            "2024-01-iran-ships-ballistic-missiles-to-russia",
            {"year": 2024, "month": 1},
            {"year": 2024, "month": 2, "day": 21},
            "January 2024 \u2013 21 February 2024",
        ),
        (
            "2023-02-reports-of-iran-finalizing-su-35-deal-with-russia",
            {"year": 2023, "month": 2},
            {"year": 2024, "month": 2, "day": 22},
            "February 2023 \u2013 22 February 2024",
        ),
    ],
)
def test_dates_are_as_precise_as_the_event_and_imprecise_ones_are_spelled_out(
    client, event_id, start, end, display
):
    slide = by_id(client)[event_id]
    assert slide["start_date"] == start
    assert slide.get("end_date") == end
    assert slide["display_date"] == display


def test_slides_carry_headline_text_group_and_source_credit(client):
    slide = by_id(client)["2024-01-iran-ships-ballistic-missiles-to-russia"]
    assert (
        slide["text"]["headline"]
        == "Iran ships hundreds of missiles to Russia in four shipments, Reuters reports"
    )
    assert "Sources: Reuters, via Eurasia Review; Eurasia Review" in slide["text"]["text"]
    assert slide["group"] == "Shipment"
    body = client.get("/v1/timeline").get_json()
    assert body["title"]["text"]["headline"]


def test_the_timeline_holds_the_earliest_matching_events_up_to_the_limit(client):
    assert [s["unique_id"] for s in slides(client)] == expected_ids()
    assert [s["unique_id"] for s in slides(client, "limit=3")] == expected_ids()[:3]
    assert [s["unique_id"] for s in slides(client, "actor=iran&type=shipment")] == expected_ids(
        actors=["iran"], types=["shipment"]
    )


@pytest.mark.parametrize("query", ["limit=0", "limit=5001", "cursor=x", "sort=-date"])
def test_bad_timeline_parameters_are_a_400(client, query):
    assert_problem(client.get(f"/v1/timeline?{query}"), 400, query.split("=")[0])


@pytest.mark.parametrize("query", ["", "limit=3", "actor=iran&type=shipment", "from=2023&to=2023"])
def test_the_timeline_is_already_in_its_schemas_shape(client, query):
    # The feed skips marshmallow's dump: dumping what it sends must change nothing.
    body = client.get(f"/v1/timeline?{query}").get_json()
    assert body["events"]
    assert TimelineSchema().dump(body) == body
