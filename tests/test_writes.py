"""Writes: create, merge-patch and delete with validation, optimistic concurrency, revisions."""

import pytest

from api.http.record_routes import MERGE_PATCH
from api.storage.connection import database
from api.storage.models import Change, Event, Revision
from builders import fixture_event_body
from fixture_oracle import expected_ids
from problem_shape import assert_problem

INVASION = "2022-02-24-russia-invades-ukraine"
ARTICLE = "eurasiareview-iran-missile-shipments-russia"


def new_event(**changes) -> dict:
    body = fixture_event_body(
        "2024-03",
        title="Iran says it will keep supplying Russia",
        actors=[{"id": "iran", "role": "speaker"}, {"id": "russia", "role": "subject"}],
        tags=["drones"],
        related=[{"id": INVASION, "relation": "follows"}],
    )
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


@pytest.fixture
def writer(client, write_token):
    """A client that sends the write token with every request."""

    class Writer:
        def __getattr__(self, method):
            def send(url, **kwargs):
                headers = {"Authorization": f"Bearer {write_token}", **kwargs.pop("headers", {})}
                return getattr(client, method)(url, headers=headers, **kwargs)

            return send

    return Writer()


def _counts() -> dict[str, int]:
    with database.connection_context():
        return {m.__name__: m.select().count() for m in (Event, Revision, Change)}


def test_post_creates_with_a_derived_id_location_etag_and_revision(client, writer):
    response = writer.post("/v1/events", json=new_event())
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] == "2024-03-iran-says-it-will-keep-supplying-russia"
    assert response.headers["Location"] == f"/v1/events/{body['id']}"
    assert response.headers["ETag"].startswith('"r1-')
    assert body["actors"][0] == {"id": "iran", "name": "Iran", "role": "speaker"}
    assert (body["date_start"], body["date_end"], body["precision"]) == (
        "2024-03-01",
        "2024-03-31",
        "month",
    )
    fetched = client.get(response.headers["Location"])
    assert fetched.get_json() == body
    assert fetched.headers["ETag"] == response.headers["ETag"]
    again = writer.post("/v1/events", json=new_event())
    assert again.get_json()["id"] == f"{body['id']}-2"
    third = writer.post("/v1/events", json=new_event())
    assert third.get_json()["id"] == f"{body['id']}-3"


@pytest.mark.parametrize(
    ("url", "body", "expected_id"),
    [
        ("/v1/actors", {"name": "Wagner Group", "kind": "armed_force"}, "wagner-group"),
        ("/v1/actors", {"name": "Iran", "kind": "state"}, "iran-2"),
        ("/v1/actors", {"name": "Tehran", "kind": "agency"}, "tehran-2"),
        (
            "/v1/sources",
            {"publisher": "Reuters", "title": "Iran sends missiles"},
            "reuters-iran-sends-missiles",
        ),
        ("/v1/events", new_event(title="Ünïcödé — title!"), "2024-03-unicode-title"),
        ("/v1/events", new_event(title="伊朗"), "2024-03-event"),
        ("/v1/events", new_event(id="my-own-id"), "my-own-id"),
    ],
)
def test_ids_are_derived_or_taken_as_given(writer, url, body, expected_id):
    response = writer.post(url, json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] == expected_id


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/v1/events", new_event(id=INVASION, related=[])),
        ("/v1/actors", {"id": "iran", "name": "Iran", "kind": "state"}),
        ("/v1/actors", {"id": "tehran", "name": "Tehran", "kind": "state"}),
        ("/v1/sources", {"id": ARTICLE, "publisher": "P", "title": "T"}),
    ],
)
def test_an_explicit_id_that_exists_is_a_409(writer, url, body):
    before = _counts()
    assert_problem(writer.post(url, json=body), 409, "id")
    assert _counts() == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (new_event(actors=[{"id": "atlantis", "role": "speaker"}]), ["actors[0].id"]),
        (new_event(sources=[{"id": "nowhere"}]), ["sources[0].id"]),
        (new_event(sources=[{"id": ARTICLE, "via": "nowhere"}]), ["sources[0].via"]),
        (new_event(sources=[{"id": ARTICLE, "via": ARTICLE}]), ["sources[0].via"]),
        (new_event(sources=[{"id": ARTICLE, "via": "Not A Slug"}]), ["sources[0].via"]),
        (new_event(sources=[{"id": ARTICLE, "via": 7}]), ["sources[0].via"]),
        (new_event(related=[{"id": "no-such-event", "relation": "denies"}]), ["related[0].id"]),
        (new_event(date="2023-02-30"), ["date"]),
        (new_event(date="2024-05/2024-04"), ["date"]),
        (new_event(title="x" * 301), ["title"]),
        (new_event(summary="x" * 10_001), ["summary"]),
        (new_event(title="a\x00b"), ["title"]),
        (new_event(title=12), ["title"]),
        (new_event(tags="drones"), ["tags"]),
        (new_event(type="coup"), ["type"]),
        (new_event(status="rumour"), ["status"]),
        (new_event(colour="red"), ["colour"]),
        (new_event(actors=[]), ["actors"]),
        (new_event(actors=[{"id": "iran"}]), ["actors[0].role"]),
        (new_event(id="Bad Id"), ["id"]),
        (new_event(id="export"), ["id"]),
        (new_event(title=None), ["title"]),
    ],
)
def test_invalid_bodies_are_a_422_naming_the_field_and_write_nothing(writer, body, fields):
    before = _counts()
    response = writer.post("/v1/events", json=body)
    problem = assert_problem(response, 422, *(fields or []))
    if fields is None:
        assert "title" in problem["errors"]
    assert _counts() == before


def test_a_lone_surrogate_is_refused_like_a_nul(writer):
    response = writer.post(
        "/v1/events", data='{"title": "\\ud800"}', headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"]["title"] == ["Must be valid Unicode text (no lone surrogates)."]


def _etag(client, url: str) -> str:
    return client.get(url).headers["ETag"]


def test_patch_applies_a_merge_patch_and_answers_the_new_etag(client, writer):
    url = f"/v1/events/{INVASION}"
    etag = _etag(client, url)
    response = writer.patch(
        url,
        json={"status": "disputed", "note": "Changed by a test.", "tags": ["new-tag"]},
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["note"], body["tags"]) == (
        "disputed",
        "Changed by a test.",
        ["new-tag"],
    )
    assert body["title"] == "Russia launches its full-scale invasion of Ukraine"
    assert response.headers["ETag"] != etag
    assert response.headers["ETag"].startswith('"r2-')
    removed = writer.patch(
        url, json={"note": None}, headers={"If-Match": response.headers["ETag"]}
    )
    assert removed.status_code == 200
    assert removed.get_json()["note"] is None


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        ({"title": None}, ["title"]),
        ({"date": "2022-13"}, ["date"]),
        ({"actors": [{"id": "ghost", "role": "initiator"}]}, ["actors[0].id"]),
        ({"id": "another-id"}, ["id"]),
        ({"unknown": 1}, ["unknown"]),
        ({"actors": [{"role": "target"}]}, ["actors[0].id"]),
        ({"related": [{"relation": "follows"}]}, ["related[0].id"]),
        ({"related": [{"id": INVASION, "relation": "follows"}]}, ["related"]),
    ],
)
def test_invalid_patches_are_422_and_change_nothing(client, writer, patch, fields):
    url = f"/v1/events/{INVASION}"
    etag = _etag(client, url)
    before = client.get(url).get_json()
    assert_problem(writer.patch(url, json=patch, headers={"If-Match": etag}), 422, *fields)
    assert client.get(url).get_json() == before
    assert _etag(client, url) == etag


def test_two_edits_from_the_same_revision_one_wins_the_other_gets_412(client, writer):
    url = f"/v1/events/{INVASION}"
    etag = _etag(client, url)
    first = writer.patch(url, json={"status": "reported"}, headers={"If-Match": etag})
    second = writer.patch(url, json={"status": "disputed"}, headers={"If-Match": etag})
    assert first.status_code == 200
    problem = assert_problem(second, 412, "If-Match")
    assert first.headers["ETag"].strip('"') in problem["errors"]["If-Match"][0]
    assert client.get(url).get_json()["status"] == "reported"


@pytest.mark.parametrize("method", ["patch", "delete"])
@pytest.mark.parametrize(
    ("if_match", "message"),
    [
        (None, "Required."),
        # RFC 9110's `*` matches any revision: it would skip the lost-update check.
        ("*", "'*' matches any revision"),
    ],
)
def test_writes_to_a_record_need_the_etag_of_a_revision(client, writer, method, if_match, message):
    url = f"/v1/events/{INVASION}"
    before = client.get(url).get_json()
    headers = {} if if_match is None else {"If-Match": if_match}
    response = getattr(writer, method)(url, json={"status": "reported"}, headers=headers)
    problem = assert_problem(response, 428, "If-Match")
    assert problem["errors"]["If-Match"][0].startswith(message)
    assert client.get(url).get_json() == before


def test_delete_hides_the_event_answers_410_and_keeps_history(client, writer):
    created = writer.post("/v1/events", json=new_event())
    url = created.headers["Location"]
    assert writer.delete(url, headers={"If-Match": created.headers["ETag"]}).status_code == 204
    assert_problem(client.get(url), 410)
    assert_problem(writer.patch(url, json={}, headers={"If-Match": "*"}), 410)
    assert_problem(writer.delete(url, headers={"If-Match": "*"}), 410)
    listed = client.get("/v1/events?limit=500").get_json()["data"]
    assert len(listed) == len(expected_ids())
    assert created.get_json()["id"] not in {event["id"] for event in listed}
    history = client.get(f"{url}/revisions").get_json()["data"]
    assert [(r["number"], r["op"]) for r in history] == [(1, "created"), (2, "deleted")]
    assert history[0]["record"]["title"] == new_event()["title"]
    assert history[0]["token"] == "test-write"
    assert history[1]["record"] is None
    again = writer.post("/v1/events", json=new_event(id=created.get_json()["id"]))
    assert_problem(again, 409, "id")


@pytest.mark.parametrize(
    ("url", "referrer"),
    [
        ("/v1/actors/iran", "2022-03-russia-overtakes-iran-as-most-sanctioned-country"),
        ("/v1/actors/irgc-aerospace-force", "actor amir-ali-hajizadeh"),
        (f"/v1/sources/{ARTICLE}", INVASION),
        (f"/v1/events/{INVASION}", "2022-02-24-western-sanctions-swiftly-hit-russia"),
    ],
)
def test_deleting_what_others_refer_to_is_a_409(client, admin_token, url, referrer):
    headers = {"Authorization": f"Bearer {admin_token}", "If-Match": _etag(client, url)}
    problem = assert_problem(client.delete(url, headers=headers), 409, "id")
    assert referrer in problem["detail"]
    assert client.get(url).status_code == 200


def test_a_citation_read_in_another_source_says_so_and_keeps_it(client, writer, admin_token):
    """`via` is written, shown, kept in revisions, changed by a patch, and guards its source."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    relay = client.post(
        "/v1/sources",
        json={"id": "wire-digest", "publisher": "Wire Digest", "title": "A digest"},
        headers=admin,
    )
    assert relay.status_code == 201
    quote = "Iran says it will keep supplying Russia."
    citation = {"id": "reuters-2024-02-21-iran-missiles-russia", "via": "wire-digest"}
    created = writer.post("/v1/events", json=new_event(sources=[{**citation, "quote": quote}]))
    assert created.status_code == 201, created.get_json()
    url = created.headers["Location"]
    shown = client.get(url).get_json()["sources"]
    assert [(s["publisher"], s["via"], s["quote"]) for s in shown] == [
        ("Reuters", "wire-digest", quote)
    ]
    # The relaying source cannot be deleted while a citation was read in it.
    source_url = "/v1/sources/wire-digest"
    problem = assert_problem(
        client.delete(source_url, headers={**admin, "If-Match": relay.headers["ETag"]}), 409, "id"
    )
    assert created.get_json()["id"] in problem["detail"]
    # A patch to read it first-hand clears `via`; the revisions keep both.
    patched = writer.patch(
        url,
        json={"sources": [{"id": ARTICLE, "quote": quote}]},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["sources"][0]["via"] is None
    history = client.get(f"{url}/revisions").get_json()["data"]
    assert [r["record"]["sources"][0]["via"] for r in history] == ["wire-digest", None]
    deleted = client.delete(source_url, headers={**admin, "If-Match": relay.headers["ETag"]})
    assert deleted.status_code == 204


def test_an_unreferenced_actor_can_be_deleted_by_an_admin(client, admin_token):
    headers = {"Authorization": f"Bearer {admin_token}"}
    created = client.post(
        "/v1/actors",
        json={"name": "Test Actor", "kind": "person", "aliases": ["Tester"]},
        headers=headers,
    )
    url = created.headers["Location"]
    assert client.get("/v1/actors/Tester").status_code == 308
    response = client.delete(url, headers={**headers, "If-Match": created.headers["ETag"]})
    assert response.status_code == 204
    assert_problem(client.get(url), 410)
    assert_problem(client.get("/v1/actors/Tester"), 404)
    assert_problem(client.get("/v1/events?actor=test-actor"), 400, "actor")


def test_renaming_an_actor_shows_in_its_events_and_their_etags(client, writer):
    event_url = f"/v1/events/{INVASION}"
    event_etag = _etag(client, event_url)
    actor_etag = _etag(client, "/v1/actors/ukraine")
    response = writer.patch(
        "/v1/actors/ukraine", json={"name": "Ukraina"}, headers={"If-Match": actor_etag}
    )
    assert response.status_code == 200
    event = client.get(event_url)
    assert {"id": "ukraine", "name": "Ukraina", "role": "target"} in event.get_json()["actors"]
    assert event.headers["ETag"] != event_etag
    stale = writer.patch(event_url, json={"status": "reported"}, headers={"If-Match": event_etag})
    assert_problem(stale, 412, "If-Match")


def test_patch_takes_merge_patch_and_plain_json_but_not_other_types(client, writer):
    url = f"/v1/events/{INVASION}"
    for status, content_type in (("reported", MERGE_PATCH), ("disputed", "application/json")):
        response = writer.patch(
            url,
            data=f'{{"status": "{status}"}}',
            headers={"If-Match": _etag(client, url), "Content-Type": content_type},
        )
        assert response.status_code == 200
        assert response.get_json()["status"] == status
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = writer.patch(
            url,
            data='{"status": "reported"}',
            headers={"If-Match": _etag(client, url), "Content-Type": content_type},
        )
        assert_problem(response, 415, "Content-Type")
