"""The kinds of record clients write (events, actors, sources): how each is read back and named."""

from collections.abc import Callable
from dataclasses import dataclass

from marshmallow import Schema

from api.domain.names import slugify
from api.queries.actors import actor_rows, describe_actors
from api.queries.event_representations import describe_events
from api.queries.record_bodies import (
    stored_actor_records,
    stored_event_records,
    stored_source_records,
)
from api.queries.sources import describe_sources, source_rows
from api.schemas.actors import ActorPatchSchema, ActorRecordSchema, ActorSchema
from api.schemas.events import EventPatchSchema, EventRecordSchema, EventSchema
from api.schemas.sources import SourcePatchSchema, SourceRecordSchema, SourceSchema
from api.storage.documents import representation_digest
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


@dataclass(frozen=True)
class RecordKind:
    """One kind of record: its table, schemas, how it is read back, named and referenced."""

    name: str
    batch_field: str
    model: type
    record_schema: type[Schema]
    patch_schema: type[Schema]
    schema: type[Schema]
    stored: Callable[[list[str]], dict[str, dict]]
    describe: Callable[[str], dict | None]
    base_id: Callable[[dict], str]
    referrers: Callable[[str], list[str]]
    children: tuple[tuple[type, str], ...]
    delete_scope: str

    def representation(self, record_id: str) -> dict | None:
        """Return the live record as GET shows it, JSON-ready, or None."""
        found = self.describe(record_id)
        return None if found is None else self.schema().dump(found)


def representation_etag(revision: int, representation: dict) -> str:
    """Return the strong ETag of a representation: its revision and a digest of its content."""
    return f"r{revision}-{representation_digest(representation)}"


def _describe_event(event_id: str) -> dict | None:
    # Callers read the row first (writes._live_row), so a deleted event never gets here.
    found = describe_events([event_id])
    return found[0] if found else None


def _describe_actor(actor_id: str) -> dict | None:
    rows = actor_rows([actor_id])
    return describe_actors(rows)[0] if rows else None


def _describe_source(source_id: str) -> dict | None:
    rows = source_rows([source_id])
    return describe_sources(rows)[0] if rows else None


def _ids(query) -> list[str]:
    return sorted({row[0] for row in query.tuples()})


def _event_referrers(event_id: str) -> list[str]:
    return _ids(EventRelation.select(EventRelation.event).where(EventRelation.related == event_id))


def _actor_referrers(actor_id: str) -> list[str]:
    members = Actor.select(Actor.id).where(Actor.parent == actor_id, Actor.deleted_at.is_null())
    events = EventActor.select(EventActor.event).where(EventActor.actor == actor_id)
    return _ids(events) + [f"actor {member}" for member in _ids(members)]


def _source_referrers(source_id: str) -> list[str]:
    return _ids(EventSource.select(EventSource.event).where(EventSource.source == source_id))


EVENTS = RecordKind(
    name="event",
    batch_field="events",
    model=Event,
    record_schema=EventRecordSchema,
    patch_schema=EventPatchSchema,
    schema=EventSchema,
    stored=stored_event_records,
    describe=_describe_event,
    base_id=lambda r: f"{r['date'].split('/')[0]}-{slugify(r['title']) or 'event'}",
    referrers=_event_referrers,
    children=(
        (EventActor, "event"),
        (EventSource, "event"),
        (EventTag, "event"),
        (EventRelation, "event"),
    ),
    delete_scope="write",
)
ACTORS = RecordKind(
    name="actor",
    batch_field="actors",
    model=Actor,
    record_schema=ActorRecordSchema,
    patch_schema=ActorPatchSchema,
    schema=ActorSchema,
    stored=stored_actor_records,
    describe=_describe_actor,
    base_id=lambda r: slugify(r["name"]) or "actor",
    referrers=_actor_referrers,
    children=((ActorAlias, "actor"),),
    delete_scope="admin",
)
SOURCES = RecordKind(
    name="source",
    batch_field="sources",
    model=Source,
    record_schema=SourceRecordSchema,
    patch_schema=SourcePatchSchema,
    schema=SourceSchema,
    stored=stored_source_records,
    describe=_describe_source,
    base_id=lambda r: slugify(f"{r['publisher']} {r['title']}") or "source",
    referrers=_source_referrers,
    children=(),
    delete_scope="admin",
)
