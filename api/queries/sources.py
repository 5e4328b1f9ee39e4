"""Source queries: list sources with how many events cite each."""

from collections.abc import Iterable

from api.queries.counted import rows_with_event_counts
from api.storage.models import EventSource, Source


def source_rows(source_ids: Iterable[str] | None = None, *, after_id=None, limit=None):
    """Select sources (by id and keyset position) with the number of events citing each."""
    return rows_with_event_counts(
        Source, EventSource, ids=source_ids, after_id=after_id, limit=limit
    )


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


def publishers_of(source_ids: Iterable[str]) -> dict[str, str]:
    """Return the publisher of each of these sources, by id."""
    ids = sorted(set(source_ids))
    if not ids:
        return {}
    return dict(Source.select(Source.id, Source.publisher).where(Source.id.in_(ids)).tuples())


def relay_publishers(events: Iterable[dict]) -> dict[str, str]:
    """Return the publishers of the sources these events' citations were read in (`via`)."""
    return publishers_of(
        citation["via"]
        for event in events
        for citation in event["sources"]
        if citation["via"] is not None
    )
