"""The change feed: every committed change of an event, in order; a replay rebuilds the data."""

import pytest

from builders import fixture_event_body
from fixture_oracle import expected_ids
from problem_shape import assert_problem

INVASION = "2022-02-24-russia-invades-ukraine"


def read_feed(client, url="/v1/changes?limit=7") -> tuple[list[dict], str]:
    """Follow the feed to its end; return every entry and the cursor to poll from."""
    entries = []
    for _ in range(10_000):
        body = client.get(url).get_json()
        entries.extend(body["data"])
        url = body["links"]["next"]
        if not body["meta"]["has_more"]:
            return entries, body["meta"]["next_cursor"]
    raise AssertionError("the feed does not end")


def replay(entries: list[dict]) -> dict[str, dict | None]:
    """Rebuild the events from the feed: the last record of each id, None if deleted."""
    state: dict[str, dict | None] = {}
    for entry in entries:
        state[entry["id"]] = entry["record"]
    return state


def current(client) -> dict[str, dict]:
    data = client.get("/v1/events?limit=500").get_json()["data"]
    return {event["id"]: event for event in data}


def test_the_seed_is_in_the_feed_and_replaying_it_rebuilds_every_event(client):
    entries, _ = read_feed(client)
    assert {entry["op"] for entry in entries} == {"created"}
    assert sorted(replay(entries)) == sorted(expected_ids())
    assert replay(entries) == current(client)


def test_replay_after_creates_edits_deletes_and_renames_matches_the_data(client, admin_token):
    auth = {"Authorization": f"Bearer {admin_token}"}
    # Reuters reports it; Reuters is renamed after it is deleted, which must not revive it.
    body = fixture_event_body(
        "2024",
        title="Feed test",
        status="reported",  # patched to "confirmed" below
        actors=[{"id": "reuters", "role": "reporter"}],
    )
    created = client.post("/v1/events", headers=auth, json=body)
    url = created.headers["Location"]
    patched = client.patch(
        url, headers={**auth, "If-Match": created.headers["ETag"]}, json={"status": "confirmed"}
    )
    client.delete(url, headers={**auth, "If-Match": patched.headers["ETag"]})
    reuters = client.get("/v1/actors/reuters")
    client.patch(
        "/v1/actors/reuters",
        headers={**auth, "If-Match": reuters.headers["ETag"]},
        json={"name": "Reuters news agency"},
    )
    entries, _ = read_feed(client)
    state = replay(entries)
    deleted = {event_id for event_id, record in state.items() if record is None}
    assert deleted == {created.get_json()["id"]}
    assert {k: v for k, v in state.items() if v is not None} == current(client)
    ops = [(e["op"], e["id"]) for e in entries if e["id"] == created.get_json()["id"]]
    assert [op for op, _ in ops] == ["created", "updated", "deleted"]
    renamed = [
        e
        for e in entries
        if e["op"] == "updated"
        and e["record"]
        and {"id": "reuters", "name": "Reuters news agency", "role": "reporter"}
        in e["record"]["actors"]
    ]
    assert {e["id"] for e in renamed} == {
        "2024-01-iran-ships-ballistic-missiles-to-russia",
        "2024-02-21-reuters-reports-iranian-missile-shipments-to-russia",
    }


def test_a_client_resumes_from_its_cursor_and_sees_only_later_changes(client, admin_token):
    entries, cursor = read_feed(client)
    body = client.get(f"/v1/changes?since={cursor}").get_json()
    assert body["data"] == []
    assert body["meta"]["next_cursor"] == cursor
    etag = client.get(f"/v1/events/{INVASION}").headers["ETag"]
    client.patch(
        f"/v1/events/{INVASION}",
        headers={"Authorization": f"Bearer {admin_token}", "If-Match": etag},
        json={"status": "reported"},
    )
    later = client.get(f"/v1/changes?since={cursor}").get_json()["data"]
    assert [(e["op"], e["id"]) for e in later] == [("updated", INVASION)]
    assert later[0]["record"]["status"] == "reported"
    middle = entries[3]["cursor"]
    resumed, _ = read_feed(client, f"/v1/changes?since={middle}&limit=5")
    assert [e["cursor"] for e in resumed] == [e["cursor"] for e in entries[4:]] + [
        later[0]["cursor"]
    ]


@pytest.mark.parametrize("since", ["0", "garbage", "eyJwIjpbMV19"])
def test_a_forged_cursor_is_a_400(client, since):
    assert_problem(client.get(f"/v1/changes?since={since}"), 400, "since")


def test_an_events_list_cursor_is_not_a_feed_cursor(client):
    cursor = client.get("/v1/events?limit=1").get_json()["meta"]["next_cursor"]
    assert_problem(client.get(f"/v1/changes?since={cursor}"), 400, "since")
