"""Upserts: write checked records in one transaction, touching only what changed."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from peewee import chunked

from api.database import database
from api.dates import parse_event_date
from api.models import (
    Actor,
    ActorAlias,
    Event,
    EventActor,
    EventRelation,
    EventSource,
    EventTag,
    Source,
)
from api.queries.actors import alias_key
from api.records import RecordBatch

_CHUNK = 500


def _rows_by_id(query) -> dict[str, list[tuple]]:
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in query.tuples():
        grouped[row[0]].append(row[1:])
    return grouped


def stored_actor_records(ids: Iterable[str]) -> dict[str, dict]:
    """Read actors back in the shape clients write them."""
    ids = sorted(set(ids))
    aliases = _rows_by_id(
        ActorAlias.select(ActorAlias.actor, ActorAlias.alias)
        .where(ActorAlias.actor.in_(ids))
        .order_by(ActorAlias.actor, ActorAlias.position)
    )
    return {
        actor.id: {
            "id": actor.id,
            "name": actor.name,
            "kind": actor.kind,
            "country": actor.country,
            "aliases": [alias for (alias,) in aliases.get(actor.id, [])],
            "parent": actor.parent_id,
            "note": actor.note,
        }
        for actor in Actor.select().where(Actor.id.in_(ids))
    }


def stored_source_records(ids: Iterable[str]) -> dict[str, dict]:
    """Read sources back in the shape clients write them."""
    columns = ("id", "publisher", "title", "url", "published", "note")
    query = Source.select().where(Source.id.in_(sorted(set(ids))))
    return {source.id: {name: getattr(source, name) for name in columns} for source in query}


def stored_event_records(ids: Iterable[str]) -> dict[str, dict]:
    """Read events back in the shape clients write them."""
    ids = sorted(set(ids))

    def children(model, *columns):
        query = model.select(model.event, *columns).where(model.event.in_(ids))
        return _rows_by_id(query.order_by(model.event, model.position))

    actors = children(EventActor, EventActor.actor, EventActor.role)
    sources = children(EventSource, EventSource.source, EventSource.quote)
    tags = children(EventTag, EventTag.tag)
    related = children(EventRelation, EventRelation.related, EventRelation.relation)
    columns = ("id", "title", "summary", "type", "date", "status", "note")
    return {
        event.id: {
            **{name: getattr(event, name) for name in columns},
            "actors": [{"id": a, "role": r} for a, r in actors.get(event.id, [])],
            "sources": [{"id": s, "quote": q} for s, q in sources.get(event.id, [])],
            "tags": [tag for (tag,) in tags.get(event.id, [])],
            "related": [{"id": e, "relation": r} for e, r in related.get(event.id, [])],
        }
        for event in Event.select().where(Event.id.in_(ids))
    }


def _upsert_row(model, record_id: str, fields: dict, exists: bool, now: dt.datetime) -> None:
    if exists:
        model.update(**fields, updated_at=now).where(model.id == record_id).execute()
    else:
        model.insert(id=record_id, **fields, created_at=now, updated_at=now).execute()


def _insert_rows(model, rows: list[dict]) -> None:
    for chunk in chunked(rows, _CHUNK):
        model.insert_many(chunk).execute()


def _parents_first(records: list[dict]) -> list[dict]:
    by_id = {record["id"]: record for record in records}

    def depth(record: dict) -> int:
        parent = by_id.get(record["parent"])
        return 0 if parent is None else 1 + depth(parent)

    return sorted(records, key=depth)


def _write_actors(records: list[dict], now: dt.datetime) -> Counter:
    stored = stored_actor_records(record["id"] for record in records)
    changed = [record for record in records if stored.get(record["id"]) != record]
    ActorAlias.delete().where(ActorAlias.actor.in_([r["id"] for r in changed])).execute()
    for record in _parents_first(changed):
        fields = {key: record[key] for key in ("name", "kind", "country", "parent", "note")}
        _upsert_row(Actor, record["id"], fields, record["id"] in stored, now)
    aliases = [
        {"key": alias_key(alias), "alias": alias, "actor": record["id"], "position": position}
        for record in changed
        for position, alias in enumerate(record["aliases"])
    ]
    _insert_rows(ActorAlias, aliases)
    return _counts(records, changed, stored)


def _write_sources(records: list[dict], now: dt.datetime) -> Counter:
    stored = stored_source_records(record["id"] for record in records)
    changed = [record for record in records if stored.get(record["id"]) != record]
    for record in changed:
        fields = {key: value for key, value in record.items() if key != "id"}
        _upsert_row(Source, record["id"], fields, record["id"] in stored, now)
    return _counts(records, changed, stored)


def _write_events(records: list[dict], now: dt.datetime) -> Counter:
    stored = stored_event_records(record["id"] for record in records)
    changed = [record for record in records if stored.get(record["id"]) != record]
    changed_ids = [record["id"] for record in changed]
    for model in (EventActor, EventSource, EventTag, EventRelation):
        model.delete().where(model.event.in_(changed_ids)).execute()
    for record in changed:
        span = parse_event_date(record["date"])
        fields = {
            **{key: record[key] for key in ("title", "summary", "type", "date", "status", "note")},
            "date_start": span.start,
            "date_end": span.end,
            "precision": span.precision,
        }
        _upsert_row(Event, record["id"], fields, record["id"] in stored, now)

    def child_rows(list_name: str, make) -> list[dict]:
        return [
            {"event": record["id"], "position": position, **make(item)}
            for record in changed
            for position, item in enumerate(record[list_name])
        ]

    _insert_rows(EventActor, child_rows("actors", lambda a: {"actor": a["id"], "role": a["role"]}))
    _insert_rows(
        EventSource, child_rows("sources", lambda s: {"source": s["id"], "quote": s["quote"]})
    )
    _insert_rows(EventTag, child_rows("tags", lambda tag: {"tag": tag}))
    # Relations last: they may point at events created above.
    _insert_rows(
        EventRelation,
        child_rows("related", lambda r: {"related": r["id"], "relation": r["relation"]}),
    )
    return _counts(records, changed, stored)


def _counts(records: list[dict], changed: list[dict], stored: dict) -> Counter:
    created = sum(record["id"] not in stored for record in changed)
    return Counter(
        created=created, updated=len(changed) - created, unchanged=len(records) - len(changed)
    )


def write_batch(batch: RecordBatch, now: dt.datetime) -> dict[str, Counter]:
    """Upsert a checked batch in one transaction; count records created, updated, unchanged."""
    with database.atomic():
        return {
            "actors": _write_actors([item.record for item in batch.actors], now),
            "sources": _write_sources([item.record for item in batch.sources], now),
            "events": _write_events([item.record for item in batch.events], now),
        }
