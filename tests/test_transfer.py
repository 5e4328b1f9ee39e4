"""Exports (HTTP, streamed) and the CLI's export/import round trip."""

import csv
import io
import json

import pytest

from api.cli.main import cli
from api.queries.exports import CSV_COLUMNS
from api.storage.connection import database
from api.storage.models import ALL_MODELS
from builders import fixture_event_body, synthetic_import_file
from databases import FIXTURES, reset_schema
from fixture_oracle import expected_ids, fixture_records
from problem_shape import assert_problem


def test_ndjson_export_streams_every_matching_event_as_get_shows_it(client):
    response = client.get("/v1/events/export?format=ndjson&actor=iran&sort=-date")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == 'attachment; filename="events.ndjson"'
    lines = response.get_data(as_text=True).splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["id"] for e in events] == expected_ids(actors=["iran"], descending=True)
    for event in events[:3]:
        assert client.get(f"/v1/events/{event['id']}").get_json() == event


def test_csv_export_is_rfc_4180_with_flattened_actors_and_sources(client):
    response = client.get("/v1/events/export?format=csv&type=shipment")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.count("\r\n") == text.count("\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == expected_ids(types=["shipment"])
    by_id = {row[0]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    shipment = by_id["2024-01-iran-ships-ballistic-missiles-to-russia"]
    assert shipment["actors"] == "iran:supplier; russia:recipient; reuters:reporter"
    assert shipment["actor_names"] == "Iran; Russia; Reuters"
    assert shipment["source_publishers"] == "Reuters; Eurasia Review"
    assert shipment["sources"] == (
        "reuters-2024-02-21-iran-missiles-russia; eurasiareview-iran-missile-shipments-russia"
    )
    assert shipment["via"] == (
        "reuters-2024-02-21-iran-missiles-russia>eurasiareview-iran-missile-shipments-russia"
    )
    assert by_id["2022-02-24-iran-supplies-shahed-drones-to-russia"]["via"] == ""
    assert shipment["date"] == "2024-01/2024-02-21"
    assert not text.startswith("\ufeff")
    with_bom = client.get("/v1/events/export?format=csv&bom=true").get_data(as_text=True)
    assert with_bom.startswith("\ufeffid,title,")


def test_export_takes_the_event_filters_and_rejects_paging_ones(client):
    empty = client.get("/v1/events/export?format=csv&from=1900&to=1900").get_data(as_text=True)
    assert empty == ",".join(CSV_COLUMNS) + "\r\n"
    for query, parameter in (
        ("limit=5", "limit"),
        ("format=xml", "format"),
        ("actor=atlantis", "actor"),
    ):
        assert_problem(client.get(f"/v1/events/export?{query}"), 400, parameter)


def test_export_reads_in_batches_not_all_at_once(client, monkeypatch):
    from api.queries import exports  # noqa: PLC0415

    monkeypatch.setattr(exports, "BATCH", 4)
    chunks = list(client.get("/v1/events/export").response)
    assert len(chunks) == (len(expected_ids()) + 3) // 4


def test_export_import_into_a_fresh_database_export_is_byte_identical(
    runner, seeded_app, tmp_path, admin_token
):
    client = seeded_app.test_client()
    auth = {"Authorization": f"Bearer {admin_token}"}
    client.post(
        "/v1/actors",
        headers=auth,
        json={"name": "Ünïcode Actor", "kind": "person", "parent": "iran", "aliases": ["UA"]},
    )
    first, second = tmp_path / "first.ndjson", tmp_path / "second.ndjson"
    assert runner.invoke(cli, ["export", "-o", str(first)]).exit_code == 0
    reset_schema()
    result = runner.invoke(cli, ["import", str(first)])
    assert result.exit_code == 0, result.output
    actors, sources = len(fixture_records()["actors"]), len(fixture_records()["sources"])
    assert f"actors: {actors + 1} created" in result.output
    assert runner.invoke(cli, ["export", "-o", str(second)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    # A citation read in another source keeps its `via` through the round trip.
    assert '"via": "eurasiareview-iran-missile-shipments-russia"' in second.read_text()
    assert len(first.read_text().splitlines()) == actors + 1 + sources + len(expected_ids())


def test_export_to_standard_output(runner, seeded_app):
    result = runner.invoke(cli, ["export"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert {line["kind"] for line in lines} == {"actor", "source", "event"}
    records = fixture_records()
    assert len(lines) == len(records["actors"]) + len(records["sources"]) + len(expected_ids())


STAMP = "2020-01-01T00:00:00Z"


def export_line(kind: str, record: dict, created_at: str = STAMP) -> str:
    return json.dumps(
        {"kind": kind, "record": record, "created_at": created_at, "updated_at": STAMP}
    )


# A valid event but for its one actor, whom nobody has heard of.
ARTICLE_SOURCE = "eurasiareview-iran-missile-shipments-russia"
GHOST_EVENT = fixture_event_body("2020", id="2020-x", actors=[{"id": "ghost", "role": "reporter"}])


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("not json", "not an export line"),
        ('{"kind": "planet", "record": {}}', "not an export line"),
        (export_line("event", {"id": "x"}), "title: Missing data"),
        (
            export_line("actor", {"id": "x", "name": "X", "kind": "state"}, "yesterday"),
            "not an export line",
        ),
        (export_line("event", GHOST_EVENT), "actors[0].id: unknown actor 'ghost'"),
    ],
)
def test_a_bad_line_fails_with_its_number_and_nothing_written(
    runner, app, tmp_path, bad_line, message
):
    path = tmp_path / "import.ndjson"
    synthetic_import_file(path, 5)
    lines = path.read_text().splitlines()
    lines.insert(10, bad_line)
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:11: " in result.output
    assert message in result.output
    assert "nothing was written" in result.output
    with database.connection_context():
        assert {model.select().count() for model in ALL_MODELS} == {0}


def _csv_export(client) -> str:
    response = client.get("/v1/events/export?format=csv")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _seed_actors_and_sources(runner) -> None:
    for name in ("actors.yaml", "sources.yaml"):
        assert runner.invoke(cli, ["seed", str(FIXTURES / name)]).exit_code == 0


def test_csv_export_import_into_a_database_without_events_export_is_byte_identical(
    runner, seeded_app, tmp_path
):
    client = seeded_app.test_client()
    first = _csv_export(client)
    path = tmp_path / "events.csv"
    path.write_text(first, encoding="utf-8", newline="")
    reset_schema()
    _seed_actors_and_sources(runner)
    result = runner.invoke(cli, ["import", "--format", "csv", str(path)])
    assert result.exit_code == 0, result.output
    assert f"events: {len(expected_ids())} created" in result.output
    assert _csv_export(client) == first
    shipment = client.get("/v1/events/2024-01-iran-ships-ballistic-missiles-to-russia").get_json()
    assert [(c["id"], c["via"], c["quote"]) for c in shipment["sources"]] == [
        ("reuters-2024-02-21-iran-missiles-russia", ARTICLE_SOURCE, None),
        (ARTICLE_SOURCE, None, None),
    ]


def test_csv_import_over_existing_events_keeps_their_quotes_and_reads_standard_input(
    runner, seeded_app
):
    client = seeded_app.test_client()
    url = "/v1/events/2024-01-iran-ships-ballistic-missiles-to-russia"
    before = client.get(url).get_json()
    rows = list(csv.DictReader(io.StringIO(_csv_export(client), newline="")))
    row = next(r for r in rows if r["id"] == before["id"])
    row["title"] = "Iran ships ballistic missiles to Russia"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    result = runner.invoke(cli, ["import", "--format", "csv", "-"], input=buffer.getvalue())
    assert result.exit_code == 0, result.output
    assert "events: 0 created, 1 updated, 0 unchanged" in result.output
    after = client.get(url).get_json()
    assert after["title"] == "Iran ships ballistic missiles to Russia"
    assert after["sources"] == before["sources"]


GOOD_ROW = {
    "id": "2024-03-a-csv-event",
    "title": "A CSV event",
    "summary": "Imported from a spreadsheet.",
    "type": "statement",
    "date": "2024-03",
    "status": "reported",
    "actors": "iran:speaker; russia:subject",
    "sources": f"reuters-2024-02-21-iran-missiles-russia; {ARTICLE_SOURCE}",
    "via": f"reuters-2024-02-21-iran-missiles-russia>{ARTICLE_SOURCE}",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"via": "reuters-2024-02-21-iran-missiles-russia>nowhere"}, "sources[0].via: unknown"),
        ({"via": "ghost>nowhere"}, "via: 'ghost' is not among the row's sources"),
        ({"actors": "iran"}, "actors[0].role: Missing data"),
        ({"actors": "iran:king"}, "actors[0].role"),
        ({"date": "2024-02-30"}, "date"),
        ({"created_at": "yesterday", "updated_at": "yesterday"}, "created_at"),
    ],
)
def test_a_bad_csv_row_fails_with_its_line_and_field_and_nothing_written(
    runner, seeded_app, tmp_path, changes, message
):
    path = tmp_path / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=[*GOOD_ROW, "created_at", "updated_at"])
        writer.writeheader()
        writer.writerow({**GOOD_ROW, "id": "2024-03-fine"})
        writer.writerow({**GOOD_ROW, **changes})
    result = runner.invoke(cli, ["import", "--format", "csv", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:3: {message}" in result.output
    assert "nothing was written" in result.output
    assert seeded_app.test_client().get("/v1/events/2024-03-fine").status_code == 404


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,title,colour", "colour: unknown column"),
        ("id,title,summary,type,date,status,actors", "sources: missing column"),
        ("", "the file is empty"),
    ],
)
def test_a_csv_header_that_is_not_the_exports_is_refused(runner, app, tmp_path, header, message):
    path = tmp_path / "events.csv"
    path.write_text(f"{header}\n" if header else "")
    result = runner.invoke(cli, ["import", "--format", "csv", str(path)])
    assert result.exit_code == 1
    assert message in result.output
