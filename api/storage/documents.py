"""Stored documents: each event as GET shows it, serialized once per write, read as it is.

Reading an event back from its five tables costs more than everything else in a page of
them (measured in bench/), so every write also stores the event's JSON and the digest its
ETag carries, in the same transaction. The tables stay the truth: a document is derived
from them (`api.queries.event_representations.describe_events`), and
`api.writes.derived` renews it.
"""

import hashlib

import orjson

from api.storage.bulk import bulk_update


def representation_digest(representation: dict) -> str:
    """Return the digest of a representation that its strong ETag carries."""
    canonical = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:16]


def strong_etag(revision: int, digest: str) -> str:
    """Return the strong ETag of a record: its revision and the digest of its content."""
    return f"r{revision}-{digest}"


def serialized(representation: dict) -> tuple[str, str]:
    """Return an event's stored document (JSON, keys as GET orders them) and its digest."""
    return orjson.dumps(representation).decode(), representation_digest(representation)


def store_documents(representations: dict[str, dict]) -> None:
    """Store the document and digest of each event, by id."""
    rows = [(*serialized(record), event_id) for event_id, record in representations.items()]
    bulk_update("event", ("document", "document_digest"), "id", rows)
