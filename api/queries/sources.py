"""Source queries: list sources with how many events cite each."""

from collections.abc import Iterable

from peewee import JOIN, fn

from api.models import EventSource, Source


def source_rows(source_ids: Iterable[str] | None = None, *, after_id=None, limit=None):
    """Select sources (by id and keyset position) with the number of events citing each."""
    query = (
        Source.select(Source, fn.COUNT(fn.DISTINCT(EventSource.event)).alias("event_count"))
        .join(EventSource, JOIN.LEFT_OUTER, on=(EventSource.source == Source.id))
        .group_by(Source.id)
        .order_by(Source.id)
    )
    if source_ids is not None:
        query = query.where(Source.id.in_(list(source_ids)))
    if after_id is not None:
        query = query.where(Source.id > after_id)
    if limit is not None:
        query = query.limit(limit)
    return list(query)


def describe_sources(sources: list[Source]) -> list[dict]:
    """Turn source rows into records with their event counts."""
    return [
        {
            "id": source.id,
            "publisher": source.publisher,
            "title": source.title,
            "url": source.url,
            "published": source.published,
            "note": source.note,
            "event_count": source.event_count,
        }
        for source in sources
    ]
