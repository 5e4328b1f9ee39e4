import datetime as dt

import pytest

from api.queries import date_order
from fixture_oracle import expected_ids
from problem_shape import assert_problem

SHOIGU_VISIT = "2023-09-shoigu-visits-irgc-weapons-exhibition-in-tehran"
MISSILE_SHIPMENTS = "2024-01-iran-ships-ballistic-missiles-to-russia"
DRONE_SUPPLY = "2022-02-24-iran-supplies-shahed-drones-to-russia"
IRAN_MOD_STATEMENT = (
    "2024-02-20-iranian-defense-ministry-says-russia-cooperation-unrelated-to-ukraine-war"
)


def _ids(client, query: str) -> list[str]:
    response = client.get(f"/v1/events?limit=500&{query}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["data"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Aliases and ids, case-insensitive; members included by default.
        ("actor=Tehran", {"actors": ["iran"]}),
        ("actor=IRN", {"actors": ["iran"]}),
        ("actor=tehran", {"actors": ["iran"]}),
        ("actor=IRAN", {"actors": ["iran"]}),
        ("actor=islamic revolutionary guards corps", {"actors": ["irgc"]}),
        ("actor=iran&include_members=false", {"actors": ["iran"], "include_members": False}),
        ("actor=united-states", {"actors": ["united-states"]}),
        (
            "actor=U.S.&include_members=false",
            {"actors": ["united-states"], "include_members": False},
        ),
        ("actor=Kirby", {"actors": ["john-kirby"]}),
        # any / all, repeated or comma-separated.
        ("actor=iran,ukraine", {"actors": ["iran", "ukraine"]}),
        ("actor=iran&actor=ukraine&actor_match=any", {"actors": ["iran", "ukraine"]}),
        (
            "actor=Tehran,Moscow&actor_match=all",
            {"actors": ["iran", "russia"], "actor_match": "all"},
        ),
        (
            "actor=russia&actor=ukraine&actor_match=all",
            {"actors": ["russia", "ukraine"], "actor_match": "all"},
        ),
        # Roles restrict the actor match.
        ("actor=Tehran&role=supplier", {"actors": ["iran"], "roles": ["supplier"]}),
        ("actor=iran&role=recipient", {"actors": ["iran"], "roles": ["recipient"]}),
        ("actor=iran&role=speaker", {"actors": ["iran"], "roles": ["speaker"]}),
        (
            "actor=iran&role=speaker&include_members=false",
            {"actors": ["iran"], "roles": ["speaker"], "include_members": False},
        ),
        (
            "actor=iran,russia&role=supplier,recipient&actor_match=all",
            {
                "actors": ["iran", "russia"],
                "roles": ["supplier", "recipient"],
                "actor_match": "all",
            },
        ),
        # A role alone: any actor in that role.
        ("role=reporter", {"roles": ["reporter"]}),
        ("role=initiator&role=target", {"roles": ["initiator", "target"]}),
        # Types, statuses, tags.
        ("type=shipment", {"types": ["shipment"]}),
        ("type=denial,confirmation", {"types": ["denial", "confirmation"]}),
        ("status=disputed", {"statuses": ["disputed"]}),
        ("status=reported&status=disputed", {"statuses": ["reported", "disputed"]}),
        ("tag=shahed-136", {"tags": ["shahed-136"]}),
        ("tag=SHAHED-136,fateh-110", {"tags": ["shahed-136", "fateh-110"]}),
        ("tag=no-such-tag", {"tags": ["no-such-tag"]}),
        # Everything combined.
        (
            "actor=Tehran&role=supplier&type=shipment&status=reported&from=2024&to=2024-02",
            {
                "actors": ["iran"],
                "roles": ["supplier"],
                "types": ["shipment"],
                "statuses": ["reported"],
                "start": "2024-01-01",
                "end": "2024-02-29",
            },
        ),
    ],
)
# A filter matching many events is tested event by event; one matching few, as a list.
@pytest.mark.parametrize("dense_matches", [date_order.DENSE_MATCHES, 1], ids=["listed", "probed"])
def test_filters_match_an_independent_reading_of_the_fixtures(
    client, monkeypatch, query, expected, dense_matches
):
    monkeypatch.setattr(date_order, "DENSE_MATCHES", dense_matches)
    bounds = {k: dt.date.fromisoformat(expected[k]) for k in ("start", "end") if k in expected}
    want = expected_ids(**{**expected, **bounds})
    assert want or "no-such-tag" in query, "the oracle found nothing: the case tests nothing"
    assert _ids(client, query) == want
    assert _ids(client, f"{query}&sort=-date") == list(reversed(want))


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("actor=iran", {SHOIGU_VISIT, IRAN_MOD_STATEMENT}, set()),
        ("actor=iran&include_members=false", set(), {SHOIGU_VISIT, IRAN_MOD_STATEMENT}),
        ("actor=Tehran&role=supplier&type=shipment", {MISSILE_SHIPMENTS, DRONE_SUPPLY}, set()),
        ("actor=russia&role=supplier", set(), {MISSILE_SHIPMENTS, DRONE_SUPPLY}),
    ],
)
def test_members_roll_up_to_their_parent_and_roles_restrict(client, query, present, absent):
    ids = set(_ids(client, query))
    assert ids, "nothing matched: the absences would say nothing"
    assert present <= ids
    assert not absent & ids


def test_the_missile_shipments_cite_reuters(client):
    (shipment,) = [
        e
        for e in client.get("/v1/events?actor=Tehran&role=supplier&type=shipment").get_json()[
            "data"
        ]
        if e["id"] == MISSILE_SHIPMENTS
    ]
    assert "Reuters" in {source["publisher"] for source in shipment["sources"]}
    assert shipment["date"] == "2024-01/2024-02-21"
    assert {"id": "iran", "name": "Iran", "role": "supplier"} in shipment["actors"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("actor=atlantis", "actor"),
        ("actor=iran,atlantis", "actor"),
        ("type=coup", "type"),
        ("status=rumoured", "status"),
        ("role=victim", "role"),
        ("actor_match=some", "actor_match"),
        ("date_match=near", "date_match"),
        ("sort=title", "sort"),
        ("include_members=maybe", "include_members"),
    ],
)
def test_unknown_vocabulary_values_are_rejected(client, query, parameter):
    assert_problem(client.get(f"/v1/events?{query}"), 400, parameter)


def test_actor_events_endpoint_scopes_by_actor_and_members(client):
    response = client.get("/v1/actors/iran/events?limit=500")
    assert [e["id"] for e in response.get_json()["data"]] == expected_ids(actors=["iran"])
    response = client.get("/v1/actors/iran/events?limit=500&role=supplier&type=shipment")
    assert [e["id"] for e in response.get_json()["data"]] == expected_ids(
        actors=["iran"], roles=["supplier"], types=["shipment"]
    )
    response = client.get("/v1/actors/iran/events?limit=500&actor=ukraine")
    assert [e["id"] for e in response.get_json()["data"]] == expected_ids(
        actors=["iran", "ukraine"], actor_match="all"
    )


def test_actor_events_of_an_alias_redirect_with_the_query(client):
    response = client.get("/v1/actors/Tehran/events?type=shipment&role=supplier")
    assert response.status_code == 308
    assert response.headers["Location"] == "/v1/actors/iran/events?type=shipment&role=supplier"
    assert_problem(client.get("/v1/actors/atlantis/events"), 404)
