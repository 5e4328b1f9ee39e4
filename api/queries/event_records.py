"""Events as clients read them: rows joined with their actors, sources, tags and relations."""

import datetime as dt
from collections import defaultdict

from api.models import Actor, Event, EventActor, EventRelation, EventSource, EventTag, Source


def utc_timestamp(value: dt.datetime) -> str:
    """Write a naive UTC time as ISO 8601 with a Z, to the millisecond."""
    return value.isoformat(timespec="milliseconds") + "Z"


def _grouped(query, key_index: int = 0) -> dict[str, list[tuple]]:
    groups: dict[str, list[tuple]] = defaultdict(list)
    for row in query:
        groups[row[key_index]].append(row)
    return groups


def describe_events(events: list[Event]) -> list[dict]:
    """Turn event rows into records as GET shows them, JSON-ready (dates as strings)."""
    ids = [event.id for event in events]
    if not ids:
        return []
    actors = _grouped(
        EventActor.select(EventActor.event, Actor.id, Actor.name, EventActor.role)
        .join(Actor)
        .where(EventActor.event.in_(ids))
        .order_by(EventActor.event, EventActor.position)
        .tuples()
    )
    sources = _grouped(
        EventSource.select(
            EventSource.event,
            Source.id,
            Source.publisher,
            Source.title,
            Source.url,
            Source.published,
            EventSource.quote,
        )
        .join(Source)
        .where(EventSource.event.in_(ids))
        .order_by(EventSource.event, EventSource.position)
        .tuples()
    )
    tags = _grouped(
        EventTag.select(EventTag.event, EventTag.tag)
        .where(EventTag.event.in_(ids))
        .order_by(EventTag.event, EventTag.position)
        .tuples()
    )
    related = _grouped(
        EventRelation.select(EventRelation.event, EventRelation.related, EventRelation.relation)
        .where(EventRelation.event.in_(ids))
        .order_by(EventRelation.event, EventRelation.position)
        .tuples()
    )
    return [
        {
            "id": event.id,
            "title": event.title,
            "summary": event.summary,
            "type": event.type,
            "date": event.date,
            "date_start": event.date_start.isoformat(),
            "date_end": event.date_end.isoformat(),
            "precision": event.precision,
            "status": event.status,
            "note": event.note,
            "actors": [
                {"id": actor_id, "name": name, "role": role}
                for _, actor_id, name, role in actors.get(event.id, [])
            ],
            "sources": [
                {
                    "id": source_id,
                    "publisher": publisher,
                    "title": title,
                    "url": url,
                    "published": published,
                    "quote": quote,
                }
                for _, source_id, publisher, title, url, published, quote in sources.get(
                    event.id, []
                )
            ],
            "tags": [tag for _, tag in tags.get(event.id, [])],
            "related": [
                {"id": related_id, "relation": relation}
                for _, related_id, relation in related.get(event.id, [])
            ],
            "created_at": utc_timestamp(event.created_at),
            "updated_at": utc_timestamp(event.updated_at),
        }
        for event in events
    ]
