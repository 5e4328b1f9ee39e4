"""`timeline generate`: a deterministic synthetic data set whose derived tables are exact."""

import statistics
from collections import Counter

import orjson
import pytest
from peewee import JOIN, fn

from api.cli.main import cli
from api.domain.vocabulary import EVENT_TYPES, STATUSES
from api.queries import exports
from api.storage.connection import database
from api.storage.models import (
    Actor,
    ActorCountRollup,
    ActorTotalRollup,
    Event,
    EventActor,
    EventSource,
    LinkWeightRollup,
    Source,
)
from api.storage.rollups import ROLLUPS
from api.writes.derived import rebuild_rollups, rebuild_search_index
from databases import GENERATED, reset_schema
from stored_documents import assert_documents_match_tables

EVENTS = 3000


def _snapshot() -> dict[str, list[tuple]]:
    """Every generated row that is not a timestamp, table by table."""
    with database.connection_context():
        return {
            "event": list(
                Event.select(
                    Event.id, Event.title, Event.summary, Event.type, Event.date, Event.status
                )
                .order_by(Event.id)
                .tuples()
            ),
            "event_actor": list(
                EventActor.select(EventActor.event, EventActor.actor, EventActor.role)
                .order_by(EventActor.event, EventActor.position)
                .tuples()
            ),
            "event_source": list(
                EventSource.select(EventSource.event, EventSource.source)
                .order_by(EventSource.event, EventSource.position)
                .tuples()
            ),
        }


def _generate(app, *args: str):
    return app.test_cli_runner().invoke(cli, list(args))


def _reset_and_generate(app, seed: str) -> dict[str, list[tuple]]:
    reset_schema()
    result = _generate(app, "generate", "--events", str(EVENTS), "--actors", "200", "--seed", seed)
    assert result.exit_code == 0, result.output
    return _snapshot()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(generated_client, app):
    first = _snapshot()
    assert len(first["event"]) == EVENTS
    assert _reset_and_generate(app, "5") == first
    assert _reset_and_generate(app, "6")["event"] != first["event"]


def test_it_refuses_a_database_that_holds_events(generated_client, app):
    before = _snapshot()
    assert len(before["event"]) == EVENTS
    result = _generate(app, *GENERATED)
    assert result.exit_code != 0
    assert "already holds events" in result.output
    assert _snapshot() == before


def test_the_data_has_a_realistic_shape(generated_client):
    rows = _snapshot()
    actors_per_event = Counter(event_id for event_id, _, _ in rows["event_actor"])
    assert set(actors_per_event.values()) == {1, 2, 3}
    assert len(actors_per_event) == EVENTS
    with database.connection_context():
        types = {row[0] for row in Event.select(Event.type).distinct().tuples()}
        statuses = {row[0] for row in Event.select(Event.status).distinct().tuples()}
        imprecise = Event.select().where(Event.precision != "day").count()
    assert types == {t.slug for t in EVENT_TYPES}
    assert statuses == {s.slug for s in STATUSES}
    assert 0.12 < imprecise / EVENTS < 0.28  # "about a fifth of dates imprecise"
    popularity = Counter(actor_id for _, actor_id, _ in rows["event_actor"])
    counts = sorted(popularity.values(), reverse=True)
    assert counts[0] > 10 * statistics.median(counts)  # a few actors are in most events
    assert all(rows["event_source"])


def test_references_hold(generated_client):
    with database.connection_context():
        orphans = (
            EventActor.select()
            .join(Actor, on=(EventActor.actor == Actor.id), join_type=JOIN.LEFT_OUTER)
            .where(Actor.id.is_null())
            .count()
        )
        missing_sources = (
            EventSource.select()
            .join(Source, on=(EventSource.source == Source.id), join_type=JOIN.LEFT_OUTER)
            .where(Source.id.is_null())
            .count()
        )
    assert (orphans, missing_sources) == (0, 0)


def test_the_rollups_are_what_recounting_the_events_gives(generated_client):
    def cells():
        with database.connection_context():
            return {model: sorted(model.select().tuples()) for model in ROLLUPS}

    generated = cells()
    with database.connection_context(), database.atomic():
        rebuild_rollups()
    assert cells() == generated
    assert [sum(cell[-1] for cell in generated[model]) for model in ROLLUPS[:2]] == [EVENTS] * 2
    with database.connection_context():
        named = EventActor.select(EventActor.event, EventActor.actor).distinct().count()
        linked = LinkWeightRollup.select(fn.SUM(LinkWeightRollup.events)).scalar()
    assert sum(cell[-1] for cell in generated[ActorCountRollup]) == named
    assert sum(cell[-1] for cell in generated[ActorTotalRollup]) == named
    assert linked > 0


@pytest.mark.parametrize("q", ["missiles", "talks drones", "tag-1", "A2-0 OR sanctions"])
def test_the_search_index_is_what_reindexing_gives(generated_client, q):
    def found():
        response = generated_client.get(f"/v1/events?q={q}&limit=200")
        assert response.status_code == 200, response.get_json()
        return [event["id"] for event in response.get_json()["data"]]

    generated = found()
    with database.connection_context(), database.atomic():
        rebuild_search_index()
    assert found() == generated
    assert generated


def test_documents_are_the_events_as_get_shows_them(generated_client):
    assert_documents_match_tables()


def _paged_ids(client, query: str) -> list[str]:
    ids, url = [], f"/v1/events?{query}&limit=500"
    while url:
        page = client.get(url).get_json()
        assert "data" in page, page
        ids += [event["id"] for event in page["data"]]
        url = page["links"]["next"]
    return ids


@pytest.mark.parametrize(
    "query",
    [
        "from=2015-01-01&to=2020-06-30",
        "from=2015-01-01&to=2020-06-30&sort=-date",
        "actor=actor-00001&role=supplier,speaker",
        "from=2010&date_match=within&type=shipment,denial",
        "q=missiles&type=statement,report",
    ],
)
def test_an_export_holds_what_the_pages_hold_in_their_order(generated_client, monkeypatch, query):
    monkeypatch.setattr(exports, "BATCH", 30)  # many batches, each class read in several
    lines = generated_client.get(f"/v1/events/export?{query}").get_data(as_text=True)
    exported = [orjson.loads(line)["id"] for line in lines.splitlines()]
    paged = _paged_ids(generated_client, query)
    assert len(paged) > 60
    assert exported == paged
