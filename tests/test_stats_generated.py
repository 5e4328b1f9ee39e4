"""Chart feeds and counts on generated events equal a brute-force count of the same events.

The curated fixtures are too few to fill the rollups' cells; 3,000 generated events with
intervals of every length do, so each feed is checked on the paths that read the rollups
(no filter, a month-aligned range, types, statuses, one actor, roles; by day: day and week
buckets, a range that cuts a month) and on those that read the events (a tag; by actor or of
an actor, a range that cuts a month or day and week buckets).
"""

import datetime as dt

import pytest

from api.storage.connection import database
from api.storage.models import Event, EventActor, EventTag
from chart_oracle import GROUPS, oracle_actors, oracle_histogram, oracle_network
from fixture_oracle import matching_events

D = dt.date.fromisoformat
SERIES_LIMIT = 50
# (query, oracle filters): actor-00001..20 are states without members.
CASES = [
    ("", {}),
    ("&from=2020-01&to=2021-06", {"start": D("2020-01-01"), "end": D("2021-06-30")}),
    (
        "&from=2019&to=2022&date_match=within",
        {"start": D("2019-01-01"), "end": D("2022-12-31"), "within": True},
    ),
    ("&type=shipment,statement&status=disputed,reported", {
        "types": ["shipment", "statement"], "statuses": ["disputed", "reported"],
    }),
    ("&actor=actor-00001", {"actors": ["actor-00001"], "include_members": False}),
    ("&actor=actor-00003&role=supplier,speaker&from=2015-03", {
        "actors": ["actor-00003"], "include_members": False, "roles": ["supplier", "speaker"],
        "start": D("2015-03-01"),
    }),
    ("&role=supplier,target", {"roles": ["supplier", "target"]}),
    ("&tag=tag-1", {"tags": ["tag-1"]}),
    ("&from=2020-01-15&to=2021-06-10", {"start": D("2020-01-15"), "end": D("2021-06-10")}),
]  # fmt: skip


@pytest.fixture
def generated_events(generated_client) -> list[dict]:
    """Every generated event as a record, read straight from its tables."""
    with database.connection_context():
        actors, tags = {}, {}
        for event_id, actor_id, role in EventActor.select(
            EventActor.event, EventActor.actor, EventActor.role
        ).tuples():
            actors.setdefault(event_id, []).append({"id": actor_id, "role": role})
        for event_id, tag in EventTag.select(EventTag.event, EventTag.tag).tuples():
            tags.setdefault(event_id, []).append(tag)
        rows = Event.select(Event.id, Event.date, Event.type, Event.status).tuples()
        return [
            {
                "id": event_id,
                "date": date,
                "type": event_type,
                "status": status,
                "actors": actors.get(event_id, []),
                "tags": tags.get(event_id, []),
            }
            for event_id, date, event_type, status in rows
        ]


def _folded(labels, counts, imprecise, before):
    """Keep the SERIES_LIMIT busiest series (by events, then key); add the rest as 'other'."""
    totals = {key: sum(counts[key].values()) + before[key] for key in set(counts) | set(before)}
    folded = sorted(totals, key=lambda key: (-totals[key], key))[SERIES_LIMIT:]
    for key in folded:
        counts["other"].update(counts.pop(key, {}))
        imprecise["other"].update(imprecise.pop(key, {}))
        before["other"] += before.pop(key, 0)
    return labels, counts, imprecise, before


def _bounds(filters: dict) -> dict:
    return {name: filters[name] for name in ("start", "end") if name in filters}


@pytest.mark.parametrize(("query", "filters"), CASES)
def test_generated_histograms_equal_a_brute_force_count(
    generated_client, generated_events, query, filters
):
    events = matching_events(events=generated_events, **filters)
    assert events, "nothing matches: the case tests nothing"
    roles = filters.get("roles")
    # By actor, a role filter counts the actors holding one of those roles (as the ranking).
    groups = {
        **GROUPS,
        "actor": lambda e: sorted(
            {a["id"] for a in e["actors"] if not roles or a["role"] in roles}
        ),
    }
    # Day buckets from 2000 to 2026 would be more than a histogram may hold.
    intervals = ["week", "month", "quarter", "year"] + (["day"] if "start" in filters else [])
    for interval in intervals:
        for group_by in ("type", "status", "none", "actor"):
            body = generated_client.get(
                f"/v1/stats/histogram?interval={interval}&group_by={group_by}"
                f"&series_limit={SERIES_LIMIT}{query}"
            ).get_json()
            labels, counts, imprecise, before = _folded(
                *oracle_histogram(events, interval, groups[group_by], **_bounds(filters))
            )
            assert body["buckets"] == labels, (interval, group_by)
            series = {s["key"]: s for s in body["series"]}
            assert set(series) == set(counts) | set(imprecise) | set(before)
            for key, entry in series.items():
                assert entry["counts"] == [counts[key][b] for b in labels], (interval, key)
                assert entry["imprecise"] == [imprecise[key][b] for b in labels], key
                assert entry["before"] == before[key], key


@pytest.mark.parametrize(("query", "filters"), CASES)
def test_generated_counts_equal_a_brute_force_count(
    generated_client, generated_events, query, filters
):
    events = matching_events(events=generated_events, **filters)
    body = generated_client.get(f"/v1/events?count=true&limit=1{query}").get_json()
    assert body["meta"]["total"] == len(events)


# Ranking the actors of one actor's events is checked against the fixtures (test_stats).
@pytest.mark.parametrize(("query", "filters"), [c for c in CASES if "actor=" not in c[0]])
def test_generated_actor_ranking_equals_a_brute_force_count(
    generated_client, generated_events, query, filters
):
    stats = oracle_actors(
        matching_events(events=generated_events, **filters), filters.get("roles", ())
    )
    data = generated_client.get(f"/v1/stats/actors?limit=60{query}").get_json()["data"]
    ranked = sorted(stats, key=lambda actor: (-len(stats[actor]["events"]), actor))[:60]
    assert [actor["id"] for actor in data] == ranked
    for actor in data:
        entry = stats[actor["id"]]
        assert actor["event_count"] == len(entry["events"])
        assert actor["roles"] == {role: len(ids) for role, ids in sorted(entry["roles"].items())}
        assert actor["types"] == {t: len(ids) for t, ids in sorted(entry["types"].items())}


@pytest.mark.parametrize(("query", "filters"), CASES)
def test_generated_network_equals_a_brute_force_count(
    generated_client, generated_events, query, filters
):
    weights, types = oracle_network(matching_events(events=generated_events, **filters))
    body = generated_client.get(f"/v1/stats/network?limit=80{query}").get_json()
    ranked = sorted(weights, key=lambda link: (-weights[link], link))[:80]
    got = [(link["source"], link["target"], link["directed"]) for link in body["links"]]
    assert got == ranked
    for link, key in zip(body["links"], got, strict=True):
        assert link["weight"] == weights[key]
        assert link["types"] == dict(sorted(types[key].items()))


def test_actor_lists_count_the_events_naming_each_actor(generated_client, generated_events):
    named = {}
    for event in generated_events:
        for actor_id in {actor["id"] for actor in event["actors"]}:
            named[actor_id] = named.get(actor_id, 0) + 1
    listed = generated_client.get("/v1/actors?limit=200").get_json()["data"]
    assert {actor["id"]: actor["event_count"] for actor in listed} == {
        actor["id"]: named.get(actor["id"], 0) for actor in listed
    }
    one = generated_client.get("/v1/actors/actor-00002").get_json()
    assert one["event_count"] == named["actor-00002"]
