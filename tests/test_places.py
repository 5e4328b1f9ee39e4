"""Places: written and validated, merged by PATCH, kept in revisions, searched, filtered by
country and bounding box on every event endpoint and chart feed, and shown as GeoJSON."""

import json

import pytest

from builders import fixture_event_body
from problem_shape import assert_problem

SHOIGU = "2023-09-shoigu-visits-irgc-weapons-exhibition-in-tehran"
INVASION = "2022-02-24-russia-invades-ukraine"
TEHRAN = {
    "name": "Tehran",
    "country": "IRN",
    "admin1": None,
    "latitude": 35.69439,
    "longitude": 51.42151,
    "precision": "near",
}
# A place on the 180th meridian's far side, in Fiji, whose name no other text holds.
LABASA = {
    "name": "Labasa",
    "country": "FJI",
    "admin1": "Northern",
    "latitude": -16.4167,
    "longitude": 179.3833,
    "precision": "exact",
}


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _create(client, token: str, place, **fields) -> dict:
    body = fixture_event_body("2024-05", place=place, **fields)
    response = client.post("/v1/events", json=body, headers=_auth(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [event["id"] for event in response.get_json()["data"]]


def test_the_fixtures_place_only_what_the_article_names(client):
    assert client.get(f"/v1/events/{SHOIGU}").get_json()["place"] == TEHRAN
    assert client.get(f"/v1/events/{INVASION}").get_json()["place"] == {
        "name": "Ukraine",
        "country": "UKR",
        "admin1": None,
        "latitude": None,
        "longitude": None,
        "precision": "country",
    }
    placed = [e for e in client.get("/v1/events?limit=100").get_json()["data"] if e["place"]]
    assert sorted(event["id"] for event in placed) == [INVASION, SHOIGU]


@pytest.mark.parametrize(
    ("place", "field"),
    [
        ({**LABASA, "latitude": 90.5}, "place.latitude"),
        ({**LABASA, "longitude": -180.01}, "place.longitude"),
        ({**LABASA, "longitude": None}, "place.longitude"),
        ({**LABASA, "latitude": None}, "place.latitude"),
        ({**LABASA, "country": "XYZ"}, "place.country"),
        ({**LABASA, "country": "fji"}, "place.country"),
        ({**LABASA, "country": "FJ"}, "place.country"),
        ({**LABASA, "precision": "city"}, "place.precision"),
        ({key: value for key, value in LABASA.items() if key != "name"}, "place.name"),
        ({**LABASA, "name": ""}, "place.name"),
        ({**LABASA, "latitude": "north"}, "place.latitude"),
        ({**LABASA, "elevation": 12}, "place.elevation"),
        ("Labasa", "place"),
    ],
)
def test_a_wrong_place_is_a_422_naming_its_field(client, write_token, place, field):
    before = client.get("/v1/events?count=true&limit=1").get_json()["meta"]["total"]
    body = fixture_event_body("2024-05", place=place)
    response = client.post("/v1/events", json=body, headers=_auth(write_token))
    problem = assert_problem(response, 422)
    assert field in problem["errors"], problem["errors"]
    assert client.get("/v1/events?count=true&limit=1").get_json()["meta"]["total"] == before


def test_a_place_without_coordinates_or_country_is_a_place(client, write_token):
    created = _create(client, write_token, {"name": "Red Sea", "precision": "near"})
    assert created["place"] == {
        "name": "Red Sea",
        "country": None,
        "admin1": None,
        "latitude": None,
        "longitude": None,
        "precision": "near",
    }


def test_a_patch_merges_the_place_key_by_key_and_revisions_keep_it(client, write_token):
    created = _create(client, write_token, LABASA)
    path = f"/v1/events/{created['id']}"

    def patch(body: dict) -> dict:
        etag = client.get(path).headers["ETag"]
        headers = {**_auth(write_token), "If-Match": etag}
        response = client.patch(path, json=body, headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["place"]

    assert patch({"place": {"admin1": None, "precision": "near"}}) == {
        **LABASA,
        "admin1": None,
        "precision": "near",
    }
    assert patch({"place": {"latitude": None, "longitude": None}})["latitude"] is None
    assert patch({"place": None}) is None
    revisions = client.get(f"{path}/revisions").get_json()["data"]
    places = [revision["record"]["place"] for revision in revisions]
    assert LABASA in places
    assert None in places


def test_a_place_name_is_searched(client, write_token):
    created = _create(client, write_token, LABASA)
    assert _ids(client.get("/v1/events?q=labasa")) == [created["id"]]
    assert _ids(client.get("/v1/events?q=northern")) == [created["id"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=IRN", [SHOIGU]),
        ("country=ir", [SHOIGU]),
        ("country=Iran", [SHOIGU]),
        ("country=Ukraine,IRN", [INVASION, SHOIGU]),
        ("country=IRN&country=UKR&type=visit", [SHOIGU]),
        ("country=USA", []),
        ("bbox=44,25,63.5,40", [SHOIGU]),
        ("bbox=51.42151,35.69439,51.42151,35.69439", [SHOIGU]),
        ("bbox=0,0,40,40", []),
        # Across the 180th meridian: Labasa (179.38) is in, Tehran is not.
        ("bbox=170,-20,-170,0", ["labasa"]),
        ("bbox=170,-20,-170,0&country=FJI", ["labasa"]),
        ("bbox=-180,-90,180,90", [SHOIGU, "labasa"]),
    ],
)
def test_events_filter_by_country_and_box(client, write_token, query, expected):
    created = _create(client, write_token, LABASA)
    wanted = [created["id"] if event_id == "labasa" else event_id for event_id in expected]
    assert sorted(_ids(client.get(f"/v1/events?{query}&limit=100"))) == sorted(wanted)
    # Every chart feed selects the same events.
    total = client.get(f"/v1/stats/histogram?interval=year&{query}").get_json()["total"]
    assert total == len(wanted)
    actors = client.get(f"/v1/stats/actors?{query}&limit=500").get_json()["data"]
    named = {
        actor["id"]
        for event_id in wanted
        for actor in client.get(f"/v1/events/{event_id}").get_json()["actors"]
    }
    assert {actor["id"] for actor in actors} == named
    timeline = client.get(f"/v1/timeline?{query}").get_json()
    assert sorted(e["unique_id"] for e in timeline.get("events", [])) == sorted(wanted)
    exported = client.get(f"/v1/events/export?{query}").get_data(as_text=True).splitlines()
    assert sorted(json.loads(line)["id"] for line in exported) == sorted(wanted)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("country=Narnia", "country"),
        ("country=", "country"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=0,50,10,40", "bbox"),
        ("bbox=-181,0,10,5", "bbox"),
        ("bbox=0,-91,10,5", "bbox"),
        ("bbox=nan,0,10,5", "bbox"),
        ("bbox=inf,0,10,5", "bbox"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/events", "/v1/stats/histogram", "/v1/events/export"])
def test_a_wrong_place_filter_is_a_400_naming_it(client, query, parameter, path):
    problem = assert_problem(client.get(f"{path}?{query}"), 400)
    assert parameter in problem["errors"]


def test_a_page_as_geojson_holds_its_events_with_coordinates(client, write_token):
    created = _create(client, write_token, LABASA)
    response = client.get("/v1/events?format=geojson&limit=100")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    assert set(collection) == {"type", "features", "meta", "links"}
    features = {feature["id"]: feature for feature in collection["features"]}
    assert sorted(features) == sorted([SHOIGU, created["id"]])
    shoigu = features[SHOIGU]
    assert shoigu["type"] == "Feature"
    # RFC 7946: longitude first.
    assert shoigu["geometry"] == {"type": "Point", "coordinates": [51.42151, 35.69439]}
    assert shoigu["properties"] == client.get(f"/v1/events/{SHOIGU}").get_json()


def test_geojson_pages_follow_their_cursor(client):
    first = client.get("/v1/events?format=geojson&limit=10").get_json()
    assert first["links"]["next"] is not None
    assert "format=geojson" in first["links"]["next"]
    second = client.get(first["links"]["next"]).get_json()
    ids = [f["id"] for f in first["features"]] + [f["id"] for f in second["features"]]
    assert ids == [SHOIGU]


def test_the_geojson_export_is_one_feature_collection(client, write_token):
    created = _create(client, write_token, LABASA)
    response = client.get("/v1/events/export?format=geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert "events.geojson" in response.headers["Content-Disposition"]
    collection = json.loads(response.get_data())
    assert collection["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in collection["features"]) == sorted([SHOIGU, created["id"]])
    empty = json.loads(client.get("/v1/events/export?format=geojson&country=USA").get_data())
    assert empty == {"type": "FeatureCollection", "features": []}
