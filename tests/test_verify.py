"""One owner of derived data: after every kind of write, `timeline verify` finds nothing.

And whatever one changes by hand in a derived table, verify names it and repair undoes it.
"""

import json

import pytest
from peewee import IntegrityError

from api.cli.main import cli
from api.storage.connection import database, is_postgresql
from api.storage.sql import run
from api.writes.verify import differences, integrity_checks, integrity_problems, repair
from builders import event, write_records
from fixture_oracle import fixture_records

INVASION = "2022-02-24-russia-invades-ukraine"
SHIPMENTS = "2024-01-iran-ships-ballistic-missiles-to-russia"
ARTICLE = "eurasiareview-iran-missile-shipments-russia"
TEST_SOURCE = {"id": "test-source", "publisher": "Test", "title": "Test source"}


def found_differences() -> list[str]:
    """Return every difference verify finds, as it prints them, after the integrity checks."""
    with database.connection_context():
        assert integrity_problems() == []
        return [str(difference) for difference in differences()]


class Api:
    """Writes through the API with an admin token, each checked to have succeeded."""

    def __init__(self, client, token: str) -> None:
        self.client, self.auth = client, {"Authorization": f"Bearer {token}"}

    def etag(self, path: str) -> str:
        return self.client.get(path).headers["ETag"]

    def post(self, path: str, body: dict) -> dict:
        response = self.client.post(path, headers=self.auth, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def patch(self, path: str, body: dict) -> dict:
        headers = {**self.auth, "If-Match": self.etag(path)}
        response = self.client.patch(path, headers=headers, json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def delete(self, path: str) -> None:
        headers = {**self.auth, "If-Match": self.etag(path)}
        response = self.client.delete(path, headers=headers)
        assert response.status_code == 204, response.get_json()


def new_event(**changes) -> dict:
    return event(
        None,
        "2024-03",
        actors=[{"id": "iran", "role": "supplier"}, {"id": "russia", "role": "recipient"}],
        sources=[{"id": ARTICLE, "quote": "A sentence."}],
        tags=["drones"],
        **changes,
    )


def create_event(api):
    api.post("/v1/events", {k: v for k, v in new_event().items() if k != "id"})


def patch_event_date_type_and_status(api):
    api.patch(
        f"/v1/events/{SHIPMENTS}", {"date": "2023-11", "type": "report", "status": "confirmed"}
    )


def patch_event_actors_and_tags(api):
    api.patch(
        f"/v1/events/{SHIPMENTS}",
        {"actors": [{"id": "irgc", "role": "supplier"}], "tags": ["fateh-110", "new-tag"]},
    )


def delete_event(api):
    created = api.post("/v1/events", {k: v for k, v in new_event().items() if k != "id"})
    api.delete(f"/v1/events/{created['id']}")


def rename_actor(api):
    api.patch("/v1/actors/iran", {"name": "Islamic Republic of Iran"})


def change_actor_aliases(api):
    api.patch("/v1/actors/russia", {"aliases": ["Russian Federation", "RF"]})


def create_and_delete_actor(api):
    api.post("/v1/actors", {"id": "ghost-state", "name": "Ghost", "kind": "state"})
    api.delete("/v1/actors/ghost-state")


def edit_source_shown_in_events(api):
    api.patch(f"/v1/sources/{ARTICLE}", {"title": "A new title", "url": "https://example.org/a"})


def edit_source_note(api):
    api.patch(f"/v1/sources/{ARTICLE}", {"note": "Only the source's own note changes."})


def create_and_delete_source(api):
    api.post("/v1/sources", {"id": "unused-source", "publisher": "P", "title": "T"})
    api.delete("/v1/sources/unused-source")


def seed_changed_records(_api):
    actors = [
        {**a, "name": a["name"] + " (renamed)"} if a["id"] == "russia" else a for a in ACTORS
    ]
    write_records(events=[new_event(id="2024-03-seeded")], actors=actors, sources=[TEST_SOURCE])


ACTORS = fixture_records()["actors"]

API_WRITES = [
    create_event,
    patch_event_date_type_and_status,
    patch_event_actors_and_tags,
    delete_event,
    rename_actor,
    change_actor_aliases,
    create_and_delete_actor,
    edit_source_shown_in_events,
    edit_source_note,
    create_and_delete_source,
    seed_changed_records,
]


def test_the_seeded_database_agrees_with_a_rebuild(client):
    assert found_differences() == []


@pytest.mark.parametrize("write", API_WRITES, ids=lambda write: write.__name__)
def test_after_each_kind_of_write_every_derived_table_equals_a_rebuild(client, admin_token, write):
    write(Api(client, admin_token))
    assert found_differences() == []


def test_after_an_import_every_derived_table_equals_a_rebuild(runner, client, tmp_path):
    exported = tmp_path / "export.ndjson"
    assert runner.invoke(cli, ["export", "-o", str(exported)]).exit_code == 0
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    for line in lines:
        if line["kind"] == "actor" and line["record"]["id"] == "iran":
            line["record"]["aliases"] = [*line["record"]["aliases"], "Persia"]
        if line["kind"] == "event" and line["record"]["id"] == INVASION:
            line["record"]["date"] = "2022-02"
    exported.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = runner.invoke(cli, ["import", str(exported)])
    assert result.exit_code == 0, result.output
    assert "events: 0 created, 1 updated" in result.output
    assert found_differences() == []
    assert client.get("/v1/events?q=persia").get_json()["data"]


def test_after_the_journal_backfill_every_derived_table_equals_a_rebuild(runner, seeded_app):
    with database.connection_context():
        for table in ("actor", "source", "event"):
            database.execute_sql(f"ALTER TABLE {table} DROP COLUMN revision")
        database.execute_sql("DELETE FROM change")
        database.execute_sql("DELETE FROM revision")
        database.execute_sql("UPDATE event SET document = NULL, document_digest = NULL")
    result = runner.invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "Journaled" in result.output
    assert found_differences() == []


def test_after_generating_every_derived_table_equals_a_rebuild(generated_client):
    assert found_differences() == []


def _delete_search_row() -> tuple[str, list]:
    if is_postgresql():
        return "DELETE FROM event_search_index WHERE event_id = ?", [SHIPMENTS]
    return (
        "DELETE FROM event_search_index WHERE rowid = (SELECT rowid FROM event WHERE id = ?)",
        [SHIPMENTS],
    )


def _add_ghost_search_row() -> tuple[str, list]:
    if is_postgresql():
        return "INSERT INTO event_search_index VALUES (?, to_tsvector('simple', ?))", ["ghost"] * 2
    return (
        "INSERT INTO event_search_index (rowid, event_id, title, summary, actors, tags) "
        "VALUES (999999, ?, ?, '', '', '')",
        ["ghost"] * 2,
    )


# What one might change by hand (a statement and its parameters), and the table verify names.
TAMPERING = [
    (
        lambda: (
            "UPDATE month_rollup SET events = events + 1 "
            "WHERE start_month = (SELECT MIN(start_month) FROM month_rollup)",
            [],
        ),
        "month_rollup",
    ),
    (lambda: ("DELETE FROM month_type_rollup WHERE type = ?", ["invasion"]), "month_type_rollup"),
    (
        lambda: (
            "UPDATE actor_month_rollup SET roles = roles || ' witness' WHERE actor_id = ?",
            ["iran"],
        ),
        "actor_month_rollup",
    ),
    (
        lambda: ("DELETE FROM actor_total_rollup WHERE actor_id = ?", ["russia"]),
        "actor_total_rollup",
    ),
    (
        lambda: ("UPDATE actor_count_rollup SET events = events + 2 WHERE actor_id = ?", ["iran"]),
        "actor_count_rollup",
    ),
    (
        lambda: ("UPDATE actor_appearance_rollup SET events = 0 WHERE type = ?", ["shipment"]),
        "actor_appearance_rollup",
    ),
    (lambda: ("DELETE FROM day_rollup WHERE type = ?", ["shipment"]), "day_rollup"),
    (
        lambda: ("UPDATE actor_span_rollup SET events = events + 1 WHERE actor_id = ?", ["iran"]),
        "actor_span_rollup",
    ),
    (
        lambda: ("DELETE FROM link_month_rollup WHERE source_actor = ?", ["iran"]),
        "link_month_rollup",
    ),
    (
        lambda: (
            "UPDATE link_total_rollup SET events = events + 1 WHERE target_actor = ?",
            ["russia"],
        ),
        "link_total_rollup",
    ),
    (
        lambda: (
            "INSERT INTO link_weight_rollup VALUES (?, ?, ?, 3)",
            ["iran", "zz-nobody", True],
        ),
        "link_weight_rollup",
    ),
    (_delete_search_row, "event_search_index"),
    (_add_ghost_search_row, "event_search_index (a row of no live event)"),
    (
        lambda: (
            "UPDATE event SET document = REPLACE(document, 'Iran', 'Ir') WHERE id = ?",
            [SHIPMENTS],
        ),
        "event.document",
    ),
    (
        lambda: (
            "UPDATE event SET document_digest = ? WHERE id = ?",
            ["0123456789abcdef", INVASION],
        ),
        "event.document_digest",
    ),
    (lambda: ("UPDATE event SET span_class = 4 WHERE id = ?", [INVASION]), "event.span_class"),
    (
        lambda: ("UPDATE event SET date_start = ? WHERE id = ?", ["1999-01-01", SHIPMENTS]),
        "event.date_start",
    ),
    (lambda: ("UPDATE event SET precision = 'day' WHERE id = ?", [SHIPMENTS]), "event.precision"),
    (
        lambda: (
            "UPDATE event_actor SET date_end = ? WHERE event_id = ?",
            ["1999-01-01", SHIPMENTS],
        ),
        "event_actor.date_end",
    ),
    (
        lambda: ("UPDATE change SET record = NULL WHERE id = (SELECT MAX(id) FROM change)", []),
        "change (newest entry)",
    ),
]


@pytest.mark.parametrize(("tamper", "table"), TAMPERING, ids=[table for _, table in TAMPERING])
def test_verify_names_a_hand_made_change_and_repair_undoes_it(client, tamper, table):
    searched = client.get("/v1/events?q=ballistic").get_json()["data"]
    assert searched
    feed = len(client.get("/v1/changes?limit=1000").get_json()["data"])
    assert feed
    with database.connection_context():
        run(*tamper())
    found = found_differences()
    assert found
    assert {line.split(" ", 1)[0] for line in found} <= {table.split(" ", 1)[0]}
    assert any(line.startswith(table) for line in found)
    with database.connection_context():
        repair([difference.fix for difference in differences()])
    assert found_differences() == []
    assert client.get("/v1/events?q=ballistic").get_json()["data"] == searched
    # Only a feed that was wrong gains an entry: repairing anything else adds none.
    grown = len(client.get("/v1/changes?limit=1000").get_json()["data"]) - feed
    assert grown == (1 if table.startswith("change") else 0)


def test_a_deleted_events_feed_must_end_with_its_deletion(client, admin_token):
    api = Api(client, admin_token)
    created = api.post("/v1/events", {k: v for k, v in new_event().items() if k != "id"})
    api.delete(f"/v1/events/{created['id']}")
    with database.connection_context():
        run("UPDATE change SET op = 'updated' WHERE id = (SELECT MAX(id) FROM change)")
    assert found_differences() == [
        f"change (newest entry) {created['id']}: stored updated, rebuilt deleted"
    ]
    with database.connection_context():
        repair([difference.fix for difference in differences()])
    assert found_differences() == []
    last = client.get("/v1/changes?limit=1000").get_json()["data"][-1]
    assert (last["id"], last["op"], last["record"]) == (created["id"], "deleted", None)


def test_the_command_exits_1_naming_the_difference_and_repair_makes_it_agree(runner, client):
    assert runner.invoke(cli, ["verify"]).exit_code == 0
    with database.connection_context():
        database.execute_sql("UPDATE month_rollup SET events = events + 5 WHERE type = 'invasion'")
    result = runner.invoke(cli, ["verify"])
    assert result.exit_code == 1
    assert "month_rollup (2022-02-01, 2022-02-01, invasion, confirmed): stored 6, rebuilt 1" in (
        result.output
    )
    repaired = runner.invoke(cli, ["verify", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "Repaired 1 difference(s)" in repaired.output
    assert runner.invoke(cli, ["verify"]).exit_code == 0


def test_the_command_takes_no_unknown_option(runner, client):
    assert runner.invoke(cli, ["verify", "--fix"]).exit_code == 2


def test_the_integrity_checks_say_what_they_check_and_pass_on_a_sound_database(client):
    with database.connection_context():
        if is_postgresql():
            database.execute_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
        expected = "bt_index_check" if is_postgresql() else "integrity_check"
        assert expected in integrity_checks()
        assert integrity_problems() == []


def test_a_reference_to_a_missing_row_is_an_integrity_problem(client):
    broken = (
        "INSERT INTO event_actor (event_id, actor_id, role, position, span_class) "
        "VALUES (?, 'no-such-actor', 'speaker', 9, 0)",
        [SHIPMENTS],
    )
    with database.connection_context():
        if is_postgresql():  # PostgreSQL refuses to store the broken reference at all
            with pytest.raises(IntegrityError), database.atomic():
                run(*broken)
            return
        database.execute_sql("PRAGMA foreign_keys = OFF")
        run(*broken)
        database.execute_sql("PRAGMA foreign_keys = ON")
        (rowid,) = run("SELECT rowid FROM event_actor WHERE actor_id = 'no-such-actor'").fetchone()
        problems = integrity_problems()
    assert problems == [
        f"foreign_key_check: event_actor row {rowid} refers to a missing actor row"
    ]


def test_init_db_finishes_date_columns_that_an_interrupted_upgrade_left_empty(runner, client):
    with database.connection_context():
        run("UPDATE event SET span_class = 0 WHERE id = ?", [SHIPMENTS])
        run("UPDATE event_actor SET date_start = NULL WHERE event_id = ?", [SHIPMENTS])
    assert found_differences()
    result = runner.invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "Computed the date columns of 1 event(s)" in result.output
    assert found_differences() == []
