"""Stored documents: every write keeps each event's JSON as GET shows it, read as stored."""

import pytest

from api.cli.main import cli
from api.schemas.events import EventPageSchema, EventSchema
from api.storage.connection import database
from api.storage.models import Event
from fixture_oracle import expected_ids
from stored_documents import assert_documents_match_tables, described_events, stored_documents

INVASION = "2022-02-24-russia-invades-ukraine"
DRONES = "2022-02-24-iran-supplies-shahed-drones-to-russia"
ARTICLE = "eurasiareview-iran-missile-shipments-russia"


def test_seeding_stores_every_event_as_get_shows_it(client):
    assert_documents_match_tables()
    assert sorted(stored_documents()) == sorted(expected_ids())
    for event_id in stored_documents():
        response = client.get(f"/v1/events/{event_id}")
        assert response.get_json() == described_events([event_id])[event_id]


def _patch(client, token, url, patch):
    etag = client.get(url).headers["ETag"]
    response = client.patch(
        url, json=patch, headers={"Authorization": f"Bearer {token}", "If-Match": etag}
    )
    assert response.status_code == 200, response.get_json()
    return response


@pytest.mark.parametrize(
    ("url", "patch", "shown_in", "check"),
    [
        (f"/v1/events/{INVASION}", {"status": "reported"}, INVASION, lambda e: e["status"]),
        ("/v1/actors/iran", {"name": "Islamic Republic of Iran"}, DRONES,
         lambda e: [a["name"] for a in e["actors"]]),
        (f"/v1/sources/{ARTICLE}", {"publisher": "Eurasia Review (RFE/RL)"}, DRONES,
         lambda e: [s["publisher"] for s in e["sources"]]),
    ],
)  # fmt: skip
def test_a_write_renews_the_documents_it_changes(client, admin_token, url, patch, shown_in, check):
    before = check(client.get(f"/v1/events/{shown_in}").get_json())
    _patch(client, admin_token, url, patch)
    after = client.get(f"/v1/events/{shown_in}")
    assert check(after.get_json()) != before
    assert next(iter(patch.values())) in str(check(after.get_json()))
    assert_documents_match_tables()


def test_the_etag_read_from_the_document_is_the_one_writes_check(client, admin_token):
    url = f"/v1/events/{INVASION}"
    written = _patch(client, admin_token, url, {"note": "Checked."})
    read = client.get(url)
    assert read.headers["ETag"] == written.headers["ETag"]
    assert read.headers["ETag"].startswith('"r2-')
    assert client.get(url, headers={"If-None-Match": read.headers["ETag"]}).status_code == 304


def test_an_event_without_a_document_is_described_from_its_tables(client):
    expected = client.get(f"/v1/events/{INVASION}")
    with database.connection_context():
        Event.update(document=None, document_digest=None).where(Event.id == INVASION).execute()
    again = client.get(f"/v1/events/{INVASION}")
    assert again.get_json() == expected.get_json()
    assert again.headers["ETag"] == expected.headers["ETag"]
    listed = client.get("/v1/events?from=2022-02-24&to=2022-02-24&limit=100").get_json()
    assert expected.get_json() in listed["data"]


def test_pages_of_documents_are_what_the_schema_dumps(client):
    page = client.get("/v1/events?limit=100").get_json()
    assert len(page["data"]) == len(stored_documents()) == len(expected_ids())
    assert EventPageSchema().dump(page) == page
    for event in page["data"]:
        assert EventSchema().dump(event) == event


def test_init_db_stores_the_documents_an_older_schema_lacked(seeded_app):
    with database.connection_context():
        for column in ("document", "document_digest"):
            database.execute_sql(f"ALTER TABLE event DROP COLUMN {column}")
    result = seeded_app.test_cli_runner().invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "Added column event.document" in result.output
    assert f"Stored the documents of {len(stored_documents())} event(s)" in result.output
    assert_documents_match_tables()
