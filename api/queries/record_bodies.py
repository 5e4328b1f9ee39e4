"""Record bodies: records read back from the tables in the shape clients write them."""

from collections import defaultdict
from collections.abc import Iterable

from api.domain.origins import origin_of
from api.domain.places import PLACE_COLUMNS, place_of
from api.storage.models import (
    Actor,
    ActorAlias,
    Event,
    EventActor,
    EventRelation,
    EventSource,
    EventTag,
    Source,
)

ACTOR_COLUMNS = ("name", "kind", "country", "parent", "note")
SOURCE_COLUMNS = ("publisher", "title", "url", "published", "note")
EVENT_COLUMNS = ("title", "summary", "type", "date", "status", "note")


def _rows_by_id(query) -> dict[str, list[tuple]]:
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in query.tuples():
        grouped[row[0]].append(row[1:])
    return grouped


def _live(model, ids: list[str]):
    return model.select().where(model.id.in_(ids), model.deleted_at.is_null())


def actor_bodies(ids: Iterable[str]) -> dict[str, dict]:
    """Read live actors back in the shape clients write them."""
    ids = sorted(set(ids))
    aliases = _rows_by_id(
        ActorAlias.select(ActorAlias.actor, ActorAlias.alias)
        .where(ActorAlias.actor.in_(ids))
        .order_by(ActorAlias.actor, ActorAlias.position)
    )
    return {
        actor.id: {
            "id": actor.id,
            **{name: getattr(actor, name) for name in ACTOR_COLUMNS if name != "parent"},
            "aliases": [alias for (alias,) in aliases.get(actor.id, [])],
            "parent": actor.parent_id,
        }
        for actor in _live(Actor, ids)
    }


def source_bodies(ids: Iterable[str]) -> dict[str, dict]:
    """Read live sources back in the shape clients write them."""
    query = _live(Source, sorted(set(ids)))
    return {
        source.id: {"id": source.id, **{name: getattr(source, name) for name in SOURCE_COLUMNS}}
        for source in query
    }


def event_bodies(ids: Iterable[str]) -> dict[str, dict]:
    """Read live events back in the shape clients write them."""
    events = list(_live(Event, sorted(set(ids))))
    # Only events found have rows to read: an import's new events cost one query, not five.
    found = [event.id for event in events]

    def children(model, *columns):
        if not found:
            return {}
        query = model.select(model.event, *columns).where(model.event.in_(found))
        return _rows_by_id(query.order_by(model.event, model.position))

    actors = children(EventActor, EventActor.actor, EventActor.role)
    sources = children(EventSource, EventSource.source, EventSource.quote, EventSource.via)
    tags = children(EventTag, EventTag.tag)
    related = children(EventRelation, EventRelation.related, EventRelation.relation)
    return {
        event.id: {
            "id": event.id,
            **{name: getattr(event, name) for name in EVENT_COLUMNS},
            "actors": [{"id": a, "role": r} for a, r in actors.get(event.id, [])],
            "sources": [{"id": s, "quote": q, "via": v} for s, q, v in sources.get(event.id, [])],
            "tags": [tag for (tag,) in tags.get(event.id, [])],
            "related": [{"id": e, "relation": r} for e, r in related.get(event.id, [])],
            "place": place_of([getattr(event, column) for column in PLACE_COLUMNS.values()]),
            "origin": origin_of(event.origin_dataset, event.origin_id, event.origin_fields),
        }
        for event in events
    }
