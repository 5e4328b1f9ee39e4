"""The kinds of record clients write (events, actors, sources), each described once.

Seeding, import and export, the journal's backfill, the write routes and the owner of
derived data all work from these descriptions; none of them asks which kind it holds.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from marshmallow import Schema

from api.domain.errors import Gone, NotFound
from api.domain.names import alias_key, slugify
from api.queries.actors import actor_rows, describe_actors
from api.queries.event_representations import describe_events
from api.queries.events import events_citing, events_naming
from api.queries.record_bodies import actor_bodies, event_bodies, source_bodies
from api.queries.sources import describe_sources, source_rows
from api.schemas.actors import ActorPatchSchema, ActorRecordSchema, ActorSchema
from api.schemas.events import (
    RESERVED_EVENT_IDS,
    EventPatchSchema,
    EventRecordSchema,
    EventSchema,
)
from api.schemas.sources import SourcePatchSchema, SourceRecordSchema, SourceSchema
from api.storage.documents import representation_digest, strong_etag
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
from api.storage.rollups import record_cells
from api.writes.checks import actor_problems, event_problems, no_problems
from api.writes.record_rows import write_actors, write_events, write_sources


@dataclass(frozen=True)
class RecordKind:
    """One kind of record: its table, schemas, rules, and what derives from it."""

    name: str
    plural: str
    model: type
    # What clients write (a whole record, or a merge patch) and what they read.
    record_schema: type[Schema]
    patch_schema: type[Schema]
    schema: type[Schema]
    # Live records by id, as clients write them; one record as GET shows it.
    read_bodies: Callable[[Iterable[str]], dict[str, dict]]
    describe: Callable[[str], dict | None]
    # The id given to a record written without one, and ids it may never take.
    base_id: Callable[[dict], str]
    reserved_ids: frozenset[str]
    id_clashes: Callable[[str], bool]
    # Upserts the kind's rows; finds its records' references that do not hold.
    write_rows: Callable
    problems: Callable
    # Deleting: what still refers to a record, the rows deleted with it, the scope it needs.
    referrers: Callable[[str], list[str]]
    children: tuple[tuple[type, str], ...]
    delete_scope: str
    # Whether its changes are entries of the change feed.
    in_change_feed: bool
    # What derives from it: the events showing a record, the fields they show and index
    # (None: every field), and the rollup cells a record counts in (None: none).
    events_showing: Callable[[list[str]], list[str]]
    fields_shown: frozenset[str] | None
    fields_searched: frozenset[str] | None
    counted_in: Callable[[dict], Counter] | None

    def representation(self, record_id: str) -> dict | None:
        """Return the live record as GET shows it, JSON-ready, or None."""
        found = self.describe(record_id)
        return None if found is None else self.schema().dump(found)

    def live_row(self, record_id: str):
        """Return the record's row; 404 if there is none, 410 if it was deleted."""
        row = self.model.get_or_none(self.model.id == record_id)
        if row is None:
            raise NotFound(f"No {self.name} with id {record_id!r}.")
        if row.deleted_at is not None:
            raise Gone(f"The {self.name} {record_id!r} was deleted.")
        return row

    def current(self, record_id: str) -> tuple[str, dict]:
        """Return the ETag and representation of a live record (404 or 410 otherwise)."""
        row = self.live_row(record_id)
        representation = self.representation(record_id)
        return strong_etag(row.revision, representation_digest(representation)), representation


def _describe_event(event_id: str) -> dict | None:
    # Callers read the row first (RecordKind.live_row), so a deleted event never gets here.
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
    # An event refers to a source it cites and to one it read a citation in (`via`).
    return _ids(
        EventSource.select(EventSource.event).where(
            (EventSource.source == source_id) | (EventSource.via == source_id)
        )
    )


def _is_alias(actor_id: str) -> bool:
    # An actor id may not equal an alias either, or lookups would be ambiguous.
    return ActorAlias.select().where(ActorAlias.key == alias_key(actor_id)).exists()


def _never(_record_id: str) -> bool:
    return False


EVENTS = RecordKind(
    name="event",
    plural="events",
    model=Event,
    record_schema=EventRecordSchema,
    patch_schema=EventPatchSchema,
    schema=EventSchema,
    read_bodies=event_bodies,
    describe=_describe_event,
    base_id=lambda r: f"{r['date'].split('/')[0]}-{slugify(r['title']) or 'event'}",
    reserved_ids=RESERVED_EVENT_IDS,
    id_clashes=_never,
    write_rows=write_events,
    problems=event_problems,
    referrers=_event_referrers,
    children=(
        (EventActor, "event"),
        (EventSource, "event"),
        (EventTag, "event"),
        (EventRelation, "event"),
    ),
    delete_scope="write",
    in_change_feed=True,
    events_showing=list,
    fields_shown=None,
    fields_searched=None,
    counted_in=record_cells,
)
ACTORS = RecordKind(
    name="actor",
    plural="actors",
    model=Actor,
    record_schema=ActorRecordSchema,
    patch_schema=ActorPatchSchema,
    schema=ActorSchema,
    read_bodies=actor_bodies,
    describe=_describe_actor,
    base_id=lambda r: slugify(r["name"]) or "actor",
    reserved_ids=frozenset(),
    id_clashes=_is_alias,
    write_rows=write_actors,
    problems=actor_problems,
    referrers=_actor_referrers,
    children=((ActorAlias, "actor"),),
    delete_scope="admin",
    in_change_feed=False,
    events_showing=events_naming,
    fields_shown=frozenset({"name"}),
    fields_searched=frozenset({"name", "aliases"}),
    counted_in=None,
)
SOURCES = RecordKind(
    name="source",
    plural="sources",
    model=Source,
    record_schema=SourceRecordSchema,
    patch_schema=SourcePatchSchema,
    schema=SourceSchema,
    read_bodies=source_bodies,
    describe=_describe_source,
    base_id=lambda r: slugify(f"{r['publisher']} {r['title']}") or "source",
    reserved_ids=frozenset(),
    id_clashes=_never,
    write_rows=write_sources,
    problems=no_problems,
    referrers=_source_referrers,
    children=(),
    delete_scope="admin",
    in_change_feed=False,
    events_showing=events_citing,
    # The source fields that events show inline; a note is the source's own.
    fields_shown=frozenset({"publisher", "title", "url", "published"}),
    fields_searched=frozenset(),
    counted_in=None,
)
# In the order a batch writes them: events refer to actors and sources.
KINDS = (ACTORS, SOURCES, EVENTS)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
