"""A database made by an older version gains the new columns and a complete journal."""

import json

from click.testing import CliRunner

from api.cli.main import cli
from api.storage.connection import database
from api.storage.migrations import create_schema
from api.storage.models import Change, Event, Revision
from api.storage.search_index import drop_search_table
from fixture_oracle import expected_ids, fixture_records
from stored_documents import assert_documents_match_tables


def test_init_db_adds_missing_columns_and_journals_old_records(
    seeded_app, database_url, monkeypatch
):
    with database.connection_context():
        # What the first version of the schema had: no revisions, no journal.
        for table in ("actor", "source", "event"):
            database.execute_sql(f"ALTER TABLE {table} DROP COLUMN revision")
            database.execute_sql(f"ALTER TABLE {table} DROP COLUMN deleted_at")
        Change.delete().execute()
        Revision.delete().execute()
        drop_search_table()
    monkeypatch.setenv("TIMELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("TIMELINE_SECRET_KEY", "migrate")
    result = CliRunner().invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "Added column event.revision" in result.output
    assert "Added column actor.deleted_at" in result.output
    records = sum(len(records) for records in fixture_records().values())
    assert f"Journaled {records} record(s)" in result.output
    again = CliRunner().invoke(cli, ["init-db"])
    assert "Added column" not in again.output
    assert "Journaled" not in again.output
    assert create_schema() == []
    client = seeded_app.test_client()
    feed = client.get("/v1/changes?limit=1000").get_json()["data"]
    assert len(feed) == len(expected_ids())
    assert {entry["op"] for entry in feed} == {"created"}
    assert {entry["id"]: entry["record"] for entry in feed} == {
        event["id"]: event for event in client.get("/v1/events?limit=500").get_json()["data"]
    }
    with database.connection_context():
        assert Event.select().where(Event.revision != 1).count() == 0
    searched = client.get("/v1/events?q=kirby").get_json()["data"]
    assert {e["id"] for e in searched} == {
        "2024-02-22-kirby-sees-no-confirmation-of-missile-transfers-and-warns-iran",
        "2024-02-22-us-announces-additional-sanctions-on-iran",
    }
    history = client.get("/v1/actors/iran/revisions").get_json()["data"]
    assert [(r["number"], r["op"], r["record"]["name"]) for r in history] == [
        (1, "created", "Iran")
    ]


REUTERS_SHIPMENT = "2024-01-iran-ships-ballistic-missiles-to-russia"


def _drop_via(is_sqlite: bool) -> None:
    """Make `event_source` what it was before citations had `via`, documents included."""
    if is_sqlite:
        # SQLite cannot drop a column that holds a foreign key: rebuild the table without it.
        statements = (
            "DROP INDEX IF EXISTS event_source_via_id",
            "CREATE TABLE event_source_old AS SELECT id, event_id, source_id, quote, position "
            "FROM event_source",
            "DROP TABLE event_source",
            "ALTER TABLE event_source_old RENAME TO event_source",
        )
    else:
        statements = ("ALTER TABLE event_source DROP COLUMN via_id",)
    for statement in statements:
        database.execute_sql(statement)
    for event_id, document in Event.select(Event.id, Event.document).tuples():
        old = json.loads(document)
        for citation in old["sources"]:
            del citation["via"]
        Event.update(document=json.dumps(old)).where(Event.id == event_id).execute()


def test_init_db_adds_via_to_citations_and_restores_the_documents(
    seeded_app, database_url, monkeypatch
):
    with database.connection_context():
        _drop_via(database_url.startswith("sqlite"))
    client = seeded_app.test_client()
    old = client.get(f"/v1/events/{REUTERS_SHIPMENT}").get_json()
    assert "via" not in old["sources"][0]
    monkeypatch.setenv("TIMELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("TIMELINE_SECRET_KEY", "migrate")
    result = CliRunner().invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "Added column event_source.via_id" in result.output
    assert f"Stored the documents of {len(expected_ids())} event(s)" in result.output
    new = client.get(f"/v1/events/{REUTERS_SHIPMENT}").get_json()
    # The column is empty after the upgrade: every old citation was read first-hand.
    assert [citation["via"] for citation in new["sources"]] == [None, None]
    assert {key: value for key, value in new.items() if key != "sources"} == {
        key: value for key, value in old.items() if key != "sources"
    }
    assert_documents_match_tables()


PLACE_AND_ORIGIN = (
    "place_name",
    "place_country",
    "place_admin1",
    "place_latitude",
    "place_longitude",
    "place_precision",
    "origin_dataset",
    "origin_id",
    "origin_fields",
)


def test_init_db_adds_places_and_origins_and_restores_the_documents(
    seeded_app, database_url, monkeypatch
):
    with database.connection_context():
        for column in ("place_country", "place_longitude", "origin_dataset"):
            database.execute_sql(f"DROP INDEX IF EXISTS event_{column}")
        for column in PLACE_AND_ORIGIN:
            database.execute_sql(f"ALTER TABLE event DROP COLUMN {column}")
        for event_id, document in Event.select(Event.id, Event.document).tuples():
            old = json.loads(document)
            del old["place"], old["origin"]
            Event.update(document=json.dumps(old)).where(Event.id == event_id).execute()
    monkeypatch.setenv("TIMELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("TIMELINE_SECRET_KEY", "migrate")
    result = CliRunner().invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    for column in PLACE_AND_ORIGIN:
        assert f"Added column event.{column}" in result.output
    assert f"Stored the documents of {len(expected_ids())} event(s)" in result.output
    new = seeded_app.test_client().get(f"/v1/events/{REUTERS_SHIPMENT}").get_json()
    # Old events have neither: the columns are empty after the upgrade.
    assert (new["place"], new["origin"]) == (None, None)
    assert_documents_match_tables()
    assert seeded_app.test_client().get("/v1/events?country=IRN").status_code == 200
