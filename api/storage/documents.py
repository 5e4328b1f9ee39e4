"""Stored documents: each event as GET shows it, serialized once per write, read as it is.

Reading an event back from its five tables costs more than everything else in a page of
them (measured in bench/), so every write also stores the event's JSON and the digest its
ETag carries, in the same transaction. The tables stay the truth: a document is derived
from them by `describe_events` and is rebuilt whenever it could be missing.
"""

import hashlib
from collections.abc import Iterable

import orjson
from peewee import chunked

from api.queries.event_representations import describe_events
from api.storage.bulk import bulk_update
from api.storage.connection import database
from api.storage.models import Event

_CHUNK = 500


def representation_digest(representation: dict) -> str:
    """Return the digest of a representation that its strong ETag carries."""
    canonical = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:16]


def serialized(representation: dict) -> tuple[str, str]:
    """Return an event's stored document (JSON, keys as GET orders them) and its digest."""
    return orjson.dumps(representation).decode(), representation_digest(representation)


def store_documents(representations: dict[str, dict]) -> None:
    """Store the document and digest of each event, by id."""
    rows = [(*serialized(record), event_id) for event_id, record in representations.items()]
    bulk_update("event", ("document", "document_digest"), "id", rows)


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
