"""Exports (HTTP, streamed) and the CLI's export/import round trip."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from api.cli.main import cli
from api.queries.exports import CSV_COLUMNS
from api.storage.connection import database
from api.storage.models import ALL_MODELS
from builders import fixture_event_body, synthetic_import_file
from databases import reset_schema
from fixture_oracle import expected_ids
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


@pytest.fixture
def runner(monkeypatch, database_url):
    monkeypatch.setenv("TIMELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("TIMELINE_SECRET_KEY", "cli-test")
    return CliRunner()


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
    assert "actors: 20 created" in result.output
    assert runner.invoke(cli, ["export", "-o", str(second)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_text().splitlines()) == 20 + 3 + len(expected_ids())


def test_export_to_standard_output(runner, seeded_app):
    result = runner.invoke(cli, ["export"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert {line["kind"] for line in lines} == {"actor", "source", "event"}
    assert len(lines) == 19 + 3 + len(expected_ids())


STAMP = "2020-01-01T00:00:00Z"


def export_line(kind: str, record: dict, created_at: str = STAMP) -> str:
    return json.dumps(
        {"kind": kind, "record": record, "created_at": created_at, "updated_at": STAMP}
    )


# A valid event but for its one actor, whom nobody has heard of.
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
