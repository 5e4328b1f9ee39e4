"""Chart feeds, each checked against counts computed independently from the fixture files."""

import datetime as dt
from collections import Counter

import pytest

from chart_oracle import GROUPS, oracle_actors, oracle_histogram, oracle_network
from fixture_oracle import fixture_records, matching_events, searchable_words
from problem_shape import assert_problem

D = dt.date.fromisoformat
TYPE_ORDER = [
    "invasion", "curb_expiry", "shipment", "sanctions_announcement", "statement", "denial",
    "confirmation", "report", "visit", "arms_deal", "milestone", "weapons_use",
]  # fmt: skip


@pytest.mark.parametrize("interval", ["day", "week", "month", "quarter", "year"])
@pytest.mark.parametrize("group_by", ["type", "status", "none", "actor"])
@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("&from=2023-07&to=2024-02", {"start": D("2023-07-01"), "end": D("2024-02-29")}),
        ("&actor=iran&from=2023", {"actors": ["iran"], "start": D("2023-01-01")}),
        ("&q=missil*&to=2024-02-21", {"end": D("2024-02-21")}),
    ],
)
def test_histogram_matches_an_independent_count(client, interval, group_by, query, filters):
    events = matching_events(**filters)
    if "q=missil" in query:
        events = [e for e in events if any(w.startswith("missil") for w in searchable_words(e))]
    assert events, "the oracle found nothing: the case tests nothing"
    bounds = {k: filters[k] for k in ("start", "end") if k in filters}
    for exclude in (False, True):
        mode = "exclude" if exclude else "include"
        response = client.get(
            f"/v1/stats/histogram?interval={interval}&group_by={group_by}&imprecise={mode}"
            f"&series_limit=50{query}"
        )
        body = response.get_json()
        labels, counts, imprecise, before = oracle_histogram(
            events, interval, GROUPS[group_by], exclude=exclude, **bounds
        )
        assert body["buckets"] == labels
        assert len(body["bucket_starts"]) == len(labels)
        assert {s["key"] for s in body["series"]} == set(counts) | set(imprecise) | set(before)
        for series in body["series"]:
            key = series["key"]
            assert series["counts"] == [counts[key][b] for b in labels], key
            assert series["imprecise"] == [imprecise[key][b] for b in labels], key
            assert series["before"] == before[key]
        assert body["total"] == sum(sum(s["counts"]) for s in body["series"])
        assert body["before"] == sum(before.values())
        if group_by == "type":
            keys = [s["key"] for s in body["series"]]
            assert keys == [t for t in TYPE_ORDER if t in keys]


def test_week_buckets_are_iso_weeks_and_every_bucket_is_present(client):
    body = client.get("/v1/stats/histogram?interval=week&from=2023-12-25&to=2024-01-10").get_json()
    assert body["buckets"] == ["2023-W52", "2024-W01", "2024-W02"]
    assert body["bucket_starts"] == ["2023-12-25", "2024-01-01", "2024-01-08"]
    quarters = client.get("/v1/stats/histogram?interval=quarter&from=2022-11&to=2023-04")
    assert quarters.get_json()["buckets"] == ["2022-Q4", "2023-Q1", "2023-Q2"]


def test_actor_series_beyond_the_limit_fold_into_other(client):
    body = client.get("/v1/stats/histogram?interval=year&group_by=actor&series_limit=2").get_json()
    keys = [s["key"] for s in body["series"]]
    # The two actors named by the most events (ties by id), counted from the fixtures.
    named = Counter(a for e in fixture_records()["events"] for a in {x["id"] for x in e["actors"]})
    assert keys == [*sorted(named, key=lambda actor: (-named[actor], actor))[:2], "other"]
    assert body["series"][2]["label"] == "Other actors"
    everyone = client.get("/v1/stats/histogram?interval=year&group_by=actor&series_limit=50")
    appearances = sum(len({a["id"] for a in e["actors"]}) for e in fixture_records()["events"])
    assert body["total"] == everyone.get_json()["total"] == appearances


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("interval=hour", "interval"),
        ("group_by=colour", "group_by"),
        ("imprecise=maybe", "imprecise"),
        ("series_limit=0", "series_limit"),
        ("interval=day&from=1000&to=9999", "interval"),
        ("limit=5", "limit"),
        ("sort=-date", "sort"),
        ("actor=atlantis", "actor"),
    ],
)
def test_histogram_rejects_bad_parameters(client, query, parameter):
    assert_problem(client.get(f"/v1/stats/histogram?{query}"), 400, parameter)


@pytest.mark.parametrize(
    ("query", "filters", "roles"),
    [
        ("", {}, ()),
        ("type=shipment,denial", {"types": ["shipment", "denial"]}, ()),
        ("role=speaker,subject", {"roles": ["speaker", "subject"]}, ("speaker", "subject")),
        ("from=2024", {"start": D("2024-01-01")}, ()),
    ],
)
def test_actor_ranking_matches_an_independent_count(client, query, filters, roles):
    stats = oracle_actors(matching_events(**filters), roles)
    data = client.get(f"/v1/stats/actors?limit=500&{query}").get_json()["data"]
    assert [a["id"] for a in data] == sorted(stats, key=lambda a: (-len(stats[a]["events"]), a))
    for actor in data:
        entry = stats[actor["id"]]
        assert actor["event_count"] == len(entry["events"])
        assert actor["roles"] == {role: len(ids) for role, ids in sorted(entry["roles"].items())}
        assert actor["types"] == {t: len(ids) for t, ids in sorted(entry["types"].items())}
    assert len(client.get(f"/v1/stats/actors?limit=3&{query}").get_json()["data"]) == min(
        3, len(stats)
    )


@pytest.mark.parametrize(
    ("query", "filters"),
    [("", {}), ("actor=iran", {"actors": ["iran"]}), ("type=shipment", {"types": ["shipment"]})],
)
def test_network_matches_an_independent_count(client, query, filters):
    weights, types = oracle_network(matching_events(**filters))
    body = client.get(f"/v1/stats/network?limit=5000&{query}").get_json()
    links = {(link["source"], link["target"], link["directed"]): link for link in body["links"]}
    assert set(links) == set(weights)
    for key, link in links.items():
        assert link["weight"] == weights[key]
        assert link["types"] == dict(sorted(types[key].items()))
        if not link["directed"]:
            assert link["source"] < link["target"]
    assert {n["id"] for n in body["nodes"]} == {a for link in weights for a in link[:2]}
    weights_in_order = [link["weight"] for link in body["links"]]
    assert weights_in_order == sorted(weights_in_order, reverse=True)


def test_shipments_link_supplier_to_recipient(client):
    body = client.get("/v1/stats/network?type=shipment").get_json()
    directed = {(link["source"], link["target"]) for link in body["links"] if link["directed"]}
    assert ("iran", "russia") in directed
    assert ("russia", "iran") not in directed
    # The article says Russia uses North Korean missiles, not that North Korea shipped them.
    assert ("north-korea", "russia") not in directed


@pytest.mark.parametrize(
    ("query", "buckets", "before"),
    [
        ("from=5000", ["5000"], 0),
        ("to=1000", ["1000"], 0),
        ("from=2025", ["2025"], 0),
        ("from=2024-02-21", ["2024"], 5),
    ],
)
def test_a_one_sided_or_empty_range_still_has_its_bucket(client, query, buckets, before):
    body = client.get(f"/v1/stats/histogram?interval=year&{query}").get_json()
    assert body["buckets"] == buckets
    assert body["before"] == before
