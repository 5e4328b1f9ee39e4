"""Derived data: what is computed from the events, actors and sources, kept in one place."""

from collections.abc import Iterable

from peewee import chunked

from api.queries.event_representations import describe_events
from api.storage.connection import database
from api.storage.documents import store_documents
from api.storage.models import Event

_CHUNK = 500


def fill_documents(event_ids: Iterable[str] | None = None) -> int:
    """Store documents for these events (default: every live event without one)."""
    if event_ids is None:
        query = Event.select(Event.id).where(Event.document.is_null(), Event.deleted_at.is_null())
        event_ids = [row[0] for row in query.tuples()]
    filled = 0
    for chunk in chunked(list(event_ids), _CHUNK):
        with database.atomic():
            store_documents({event["id"]: event for event in describe_events(chunk)})
        filled += len(chunk)
    return filled
