"""Origins of imported events: kept whole, shown, exported and read back, filtered by dataset."""

import csv
import io
import json

import pytest

from api.cli.main import cli
from builders import fixture_event_body
from problem_shape import assert_problem

ACLED = {
    "dataset": "acled",
    "id": "UKR12345",
    "fields": {
        "fatalities": 3,
        "sub_event_type": "Shelling/artillery/missile attack",
        "inter1": 1,
    },
}


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _create(client, token: str, origin) -> dict:
    response = client.post(
        "/v1/events", json=fixture_event_body("2024-05", origin=origin), headers=_auth(token)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_origin_is_kept_whole_and_shown(client, write_token):
    created = _create(client, write_token, ACLED)
    shown = client.get(f"/v1/events/{created['id']}").get_json()
    assert shown["origin"] == ACLED
    # Upstream field order is kept, as written.
    assert list(shown["origin"]["fields"]) == ["fatalities", "sub_event_type", "inter1"]


@pytest.mark.parametrize(
    ("origin", "field"),
    [
        ({**ACLED, "dataset": "gdelt"}, "origin.dataset"),
        ({**ACLED, "id": ""}, "origin.id"),
        ({key: value for key, value in ACLED.items() if key != "id"}, "origin.id"),
        ({**ACLED, "fields": {"nested": {"a": 1}}}, "origin.fields"),
        ({**ACLED, "fields": {"notes": "x" * 10_001}}, "origin.fields"),
        ({**ACLED, "fields": ["fatalities"]}, "origin.fields"),
        ({**ACLED, "extra": 1}, "origin.extra"),
    ],
)
def test_a_wrong_origin_is_a_422_naming_its_field(client, write_token, origin, field):
    body = fixture_event_body("2024-05", origin=origin)
    problem = assert_problem(client.post("/v1/events", json=body, headers=_auth(write_token)), 422)
    assert field in problem["errors"], problem["errors"]


def test_events_filter_by_origin(client, write_token):
    acled = _create(client, write_token, ACLED)
    ucdp = _create(client, write_token, {"dataset": "ucdp-ged", "id": "123456", "fields": {}})

    def ids(query: str) -> list[str]:
        response = client.get(f"/v1/events?{query}&limit=100")
        assert response.status_code == 200, response.get_json()
        return sorted(event["id"] for event in response.get_json()["data"])

    assert ids("origin=acled") == [acled["id"]]
    assert ids("origin=acled,ucdp-ged") == sorted([acled["id"], ucdp["id"]])
    assert ids("origin=ftm") == []
    histogram = client.get("/v1/stats/histogram?interval=year&origin=ucdp-ged").get_json()
    assert histogram["total"] == 1
    assert "origin" in assert_problem(client.get("/v1/events?origin=gdelt"), 400)["errors"]


def test_an_origin_goes_out_in_every_export_and_comes_back_from_csv(
    seeded_app, client, write_token, tmp_path
):
    created = _create(client, write_token, ACLED)
    lines = client.get("/v1/events/export?origin=acled").get_data(as_text=True).splitlines()
    assert [json.loads(line)["origin"] for line in lines] == [ACLED]
    exported = client.get("/v1/events/export?format=csv&origin=acled").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["origin_dataset"], row["origin_id"]) == ("acled", "UKR12345")
    assert json.loads(row["origin_fields"]) == ACLED["fields"]
    # Changed in the CSV and imported: the event's origin follows.
    row["origin_fields"] = json.dumps({"fatalities": 4})
    changed = io.StringIO()
    writer = csv.DictWriter(changed, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    path = tmp_path / "changed.csv"
    path.write_text(changed.getvalue())
    result = seeded_app.test_cli_runner().invoke(cli, ["import", "--format", "csv", str(path)])
    assert result.exit_code == 0, result.output
    shown = client.get(f"/v1/events/{created['id']}").get_json()
    assert shown["origin"] == {**ACLED, "fields": {"fatalities": 4}}


def test_a_patch_merges_the_origins_fields_key_by_key(client, write_token):
    created = _create(client, write_token, ACLED)
    path = f"/v1/events/{created['id']}"
    etag = client.get(path).headers["ETag"]
    response = client.patch(
        path,
        json={"origin": {"fields": {"fatalities": 5, "inter1": None}}},
        headers={**_auth(write_token), "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["origin"]["fields"] == {
        "fatalities": 5,
        "sub_event_type": "Shelling/artillery/missile attack",
    }
