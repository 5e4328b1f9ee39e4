import pytest

from api import create_app
from api.domain.vocabulary import EVENT_TYPES
from api.storage.connection import database
from api.storage.models import ALL_MODELS
from fixture_oracle import expected_ids, fixture_records
from problem_shape import assert_problem


def test_an_event_has_the_contract_shape(client):
    body = client.get("/v1/events/2024-01-iran-ships-ballistic-missiles-to-russia").get_json()
    assert list(body) == [
        "id",
        "title",
        "summary",
        "type",
        "date",
        "date_start",
        "date_end",
        "precision",
        "status",
        "note",
        "actors",
        "sources",
        "tags",
        "related",
        "place",
        "origin",
        "created_at",
        "updated_at",
    ]
    assert body["place"] is None  # the article does not say where the missiles went
    assert body["origin"] is None  # our own record, not imported
    assert body["actors"][0] == {"id": "iran", "name": "Iran", "role": "supplier"}
    assert set(body["sources"][0]) == {
        "id",
        "publisher",
        "title",
        "url",
        "published",
        "quote",
        "via",
    }
    assert body["sources"][0]["published"] == "2024-02-21"
    # Reuters is known only through the article: the citation says where it was read.
    assert body["sources"][0]["publisher"] == "Reuters"
    assert body["sources"][0]["via"] == "eurasiareview-iran-missile-shipments-russia"
    assert body["sources"][1]["via"] is None
    assert body["created_at"].endswith("Z")


def test_related_events_are_listed_with_their_relation(client):
    body = client.get(
        "/v1/events/2022-02-24-iran-denies-providing-drones-to-russia-for-use-against-ukraine"
    ).get_json()
    assert body["related"] == [
        {"id": "2022-02-24-iran-supplies-shahed-drones-to-russia", "relation": "denies"}
    ]


def test_actors_list_with_direct_event_counts(client):
    data = client.get("/v1/actors?limit=500").get_json()["data"]
    counts = {actor["id"]: actor["event_count"] for actor in data}
    for actor in fixture_records()["actors"]:
        direct = expected_ids(actors=[actor["id"]], include_members=False)
        assert counts[actor["id"]] == len(direct), actor["id"]
    assert [a["id"] for a in data] == sorted(counts)


def test_actors_filter_by_kind(client):
    data = client.get("/v1/actors?kind=person,media&limit=500").get_json()["data"]
    assert {actor["kind"] for actor in data} == {"person", "media"}
    want = {a["id"] for a in fixture_records()["actors"] if a["kind"] in {"person", "media"}}
    assert {actor["id"] for actor in data} == want


def _named_like(prefix: str) -> set[str]:
    """The fixture actors whose name or an alias starts with `prefix`, ignoring case."""
    folded = prefix.casefold()
    return {
        actor["id"]
        for actor in fixture_records()["actors"]
        if any(
            name.casefold().startswith(folded)
            for name in [actor["name"], *actor.get("aliases", [])]
        )
    }


@pytest.mark.parametrize(
    "prefix", ["teh", "TEH", "iran", "Ir", "john", "u.s.", "Radio Free", "100%", "a_b", "zzz"]
)
def test_actors_match_a_prefix_of_their_name_or_an_alias(client, prefix):
    data = client.get("/v1/actors", query_string={"q": prefix, "limit": 500}).get_json()["data"]
    assert {actor["id"] for actor in data} == _named_like(prefix)
    assert [actor["id"] for actor in data] == sorted(actor["id"] for actor in data)


def test_a_prefix_search_pages_and_binds_its_cursor(client):
    first = client.get("/v1/actors?q=i&limit=2").get_json()
    assert len(first["data"]) == 2
    cursor = first["meta"]["next_cursor"]
    rest = client.get(f"/v1/actors?q=i&limit=500&cursor={cursor}").get_json()["data"]
    assert {a["id"] for a in first["data"] + rest} == _named_like("i")
    assert_problem(client.get(f"/v1/actors?q=j&cursor={cursor}"), 400, "cursor")
    assert_problem(client.get("/v1/actors?q="), 400, "q")


def test_an_actor_has_aliases_parent_and_members(client):
    body = client.get("/v1/actors/irgc").get_json()
    assert body["parent"] == "iran"
    assert body["members"] == ["irgc-aerospace-force"]
    assert "Islamic Revolutionary Guards Corps" in body["aliases"]
    assert client.get("/v1/actors/iran").get_json()["country"] == "IRN"


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("Tehran", "iran"),
        ("IRN", "iran"),
        ("tehran", "iran"),
        ("IRAN", "iran"),
        ("Islamic%20Revolutionary%20Guard%20Corps", "irgc"),
        ("kirby", "john-kirby"),
    ],
)
def test_an_alias_redirects_permanently_to_the_canonical_id(client, alias, canonical):
    response = client.get(f"/v1/actors/{alias}")
    assert response.status_code == 308
    assert response.headers["Location"] == f"/v1/actors/{canonical}"
    assert client.get(f"/v1/actors/{alias}", follow_redirects=True).get_json()["id"] == canonical


def test_sources_list_with_citation_counts(client):
    data = {s["id"]: s for s in client.get("/v1/sources").get_json()["data"]}
    assert set(data) == {source["id"] for source in fixture_records()["sources"]}
    events = fixture_records()["events"]
    for source_id, source in data.items():
        cited = sum(any(s["id"] == source_id for s in e["sources"]) for e in events)
        assert source["event_count"] == cited > 0
    assert client.get("/v1/sources/armeisky-sbornik-2023-07").get_json()["published"] == "2023-07"


def test_event_types_count_live_events_only(client, admin_token):
    url = "/v1/events/2023-09-shoigu-visits-irgc-weapons-exhibition-in-tehran"
    headers = {
        "Authorization": f"Bearer {admin_token}",
        "If-Match": client.get(url).headers["ETag"],
    }
    assert client.delete(url, headers=headers).status_code == 204
    counts = {
        t["slug"]: t["event_count"] for t in client.get("/v1/event-types").get_json()["data"]
    }
    assert counts["visit"] == len(expected_ids(types=["visit"])) - 1


def test_event_types_list_the_vocabulary_with_counts(client):
    data = client.get("/v1/event-types").get_json()["data"]
    assert [t["slug"] for t in data] == [t.slug for t in EVENT_TYPES]
    for item in data:
        assert item["event_count"] == len(expected_ids(types=[item["slug"]]))
        assert item["label"]
        assert item["description"]
    required = {
        "invasion",
        "curb_expiry",
        "shipment",
        "sanctions_announcement",
        "statement",
        "denial",
        "confirmation",
        "report",
        "visit",
        "arms_deal",
    }
    assert required <= {t["slug"] for t in data}


def test_probes_report_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ready", "database": "ok"}


def test_readiness_fails_before_the_schema_exists(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k"})
    with database.connection_context():
        database.drop_tables(list(ALL_MODELS), safe=True, cascade=database_url.startswith("p"))
    assert_problem(app.test_client().get("/readyz"), 503)


def test_an_empty_database_serves_empty_pages(empty_client):
    body = empty_client.get("/v1/events?count=true").get_json()
    assert body == {
        "data": [],
        "meta": {"limit": 50, "next_cursor": None, "total": 0},
        "links": {"self": "/v1/events?count=true", "next": None},
    }
