import pytest

from builders import event, write_records
from fixture_oracle import expected_ids
from problem_shape import assert_problem


def walk(client, url: str) -> tuple[list[str], list[dict]]:
    """Follow `links.next` to the end; return every id seen and every page body."""
    ids, pages = [], []
    while url:
        assert len(pages) < 1000, "the walk does not end"
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append(body)
        ids.extend(item["id"] for item in body["data"])
        url = body["links"]["next"]
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
            assert body["meta"]["next_cursor"] in url
        else:
            assert "Link" not in response.headers
            assert body["meta"]["next_cursor"] is None
    return ids, pages


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 16, 17, 500])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {}),
        ("sort=-date", {"descending": True}),
        ("actor=iran", {"actors": ["iran"]}),
        (
            "actor=russia&role=speaker,subject&sort=-date",
            {"actors": ["russia"], "roles": ["speaker", "subject"], "descending": True},
        ),
        ("type=shipment,denial", {"types": ["shipment", "denial"]}),
    ],
)
def test_walking_every_page_returns_each_match_once_in_order(client, limit, query, expected):
    ids, pages = walk(client, f"/v1/events?limit={limit}&{query}")
    assert ids == expected_ids(**expected)
    assert len(ids) == len(set(ids))
    assert all(len(page["data"]) <= limit for page in pages)
    assert all(page["meta"]["limit"] == limit for page in pages)


def test_walks_are_stable_when_events_are_added_during_the_walk(app):
    client = app.test_client()
    write_records(events=[event(f"e{n:02d}", f"2023-{n:02d}") for n in range(1, 13)])
    response = client.get("/v1/events?limit=4")
    seen = [item["id"] for item in response.get_json()["data"]]
    # Added before and after the walk's position, and at the very same date as its last item.
    write_records(
        events=[
            event("a-early", "2022-05"),
            event("e04-twin", "2023-04"),
            event("e03-twin", "2023-03"),
            event("z-late", "2024-01"),
        ]
    )
    rest, _ = walk(client, response.get_json()["links"]["next"])
    seen += rest
    assert len(seen) == len(set(seen))
    assert set(seen) >= {f"e{n:02d}" for n in range(1, 13)}
    # Items after the position show up; items before it are not replayed.
    assert {"e04-twin", "z-late"} <= set(seen)
    assert not {"a-early", "e03-twin"} & set(seen)


def test_count_adds_the_total_of_all_matches(client):
    body = client.get("/v1/events?limit=2&count=true&actor=iran").get_json()
    assert body["meta"]["total"] == len(expected_ids(actors=["iran"]))
    assert "total" not in client.get("/v1/events?limit=2").get_json()["meta"]


def test_links_keep_every_filter(client):
    body = client.get("/v1/events?limit=1&actor=iran&actor=russia&type=shipment").get_json()
    assert body["links"]["self"].endswith(
        "/v1/events?limit=1&actor=iran&actor=russia&type=shipment"
    )
    assert "actor=iran&actor=russia&type=shipment" in body["links"]["next"]


def _first_cursor(client, url: str) -> str:
    return client.get(url).get_json()["meta"]["next_cursor"]


@pytest.mark.parametrize(
    ("issued_for", "reused_with"),
    [
        ("/v1/events?limit=1", "/v1/events?limit=1&actor=iran"),
        ("/v1/events?limit=1", "/v1/events?limit=1&sort=-date"),
        ("/v1/events?limit=1&type=shipment", "/v1/events?limit=1&type=denial"),
        ("/v1/events?limit=1&actor=iran", "/v1/events?limit=1&actor=iran&include_members=false"),
        ("/v1/events?limit=1", "/v1/actors/iran/events?limit=1"),
        ("/v1/actors?limit=1", "/v1/actors?limit=1&kind=state"),
    ],
)
def test_a_cursor_reused_with_other_filters_is_rejected(client, issued_for, reused_with):
    cursor = _first_cursor(client, issued_for)
    assert cursor
    assert_problem(client.get(f"{reused_with}&cursor={cursor}"), 400, "cursor")


def test_a_cursor_may_be_reused_with_another_limit(client):
    cursor = _first_cursor(client, "/v1/events?limit=1")
    response = client.get(f"/v1/events?limit=3&cursor={cursor}")
    assert response.status_code == 200
    assert len(response.get_json()["data"]) == 3


@pytest.mark.parametrize(
    "forge",
    [
        lambda c: "garbage",
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),
        lambda c: "eyJwIjpbIjIwMjQtMDEtMDEiLCIyMDI0LTAxLTAxIiwieCJdLCJmIjoiMCJ9.AAAA",
        lambda c: c + c,
        lambda c: "x" * 2000,
    ],
)
def test_a_forged_cursor_is_rejected(client, forge):
    cursor = _first_cursor(client, "/v1/events?limit=1")
    assert_problem(client.get(f"/v1/events?cursor={forge(cursor)}"), 400, "cursor")


@pytest.mark.parametrize(("path", "key"), [("/v1/actors", "id"), ("/v1/sources", "id")])
def test_actor_and_source_lists_page_by_id(client, path, key):
    everything = client.get(f"{path}?limit=500").get_json()["data"]
    ids, _ = walk(client, f"{path}?limit=2")
    assert ids == sorted(item[key] for item in everything)
    assert len(ids) == len(everything) > 2
