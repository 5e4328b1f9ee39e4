"""A database made by an older version gains the new columns and a complete journal."""

from click.testing import CliRunner

from api.cli.main import cli
from api.storage.connection import database
from api.storage.migrations import create_schema
from api.storage.models import Change, Event, Revision
from api.storage.search_index import drop_search_table
from fixture_oracle import expected_ids


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
    assert f"Journaled {19 + 3 + len(expected_ids())} record(s)" in result.output
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
