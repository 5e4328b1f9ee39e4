"""Stored documents checked against their tables, described and serialized independently."""

import orjson

from api.queries.event_representations import describe_events
from api.storage.connection import database
from api.storage.documents import representation_digest
from api.storage.models import Event


def stored_documents() -> dict[str, tuple[str, str, int]]:
    """Return each live event's stored document, digest and revision, by id."""
    with database.connection_context():
        query = Event.select(Event.id, Event.document, Event.document_digest, Event.revision)
        return {row[0]: row[1:] for row in query.where(Event.deleted_at.is_null()).tuples()}


def described_events(ids) -> dict[str, dict]:
    """Return these events described from their tables, by id."""
    with database.connection_context():
        return {event["id"]: event for event in describe_events(list(ids))}


def assert_documents_match_tables() -> None:
    """Every live event's document is, byte for byte, its tables described and serialized."""
    stored = stored_documents()
    described = described_events(stored)
    assert stored
    for event_id, (document, digest, _) in stored.items():
        assert document == orjson.dumps(described[event_id]).decode(), event_id
        assert digest == representation_digest(described[event_id])
