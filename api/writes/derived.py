"""Derived data: everything computed from events, actors and sources, kept current here alone.

Derived from the base tables, and written by nothing but this module:
- each event's date columns (`date_start`, `date_end`, `precision`, `span_class`) and their
  copies on its `event_actor` rows;
- each live event's stored document (its JSON as GET shows it) and the digest its ETag
  carries;
- the search index row of each live event;
- the two monthly rollups of live events.

Every path that changes events, actors or sources ends here. Writes call `refresh` with
what they changed, in their own transaction. A bulk load (the generator) derives its rows
with the same functions (`date_columns`, `derived_event`) and adds them with
`add_search_rows` and `add_to_rollups`. `rebuild` renews given events from their tables,
`complete` fills what an older database lacks, and `api.writes.verify` compares every
derived table with a rebuild.
"""

import functools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from peewee import chunked

from api.domain.dates import SPAN_CLASS_DAYS, parse_event_date, span_class
from api.domain.search_syntax import words_of
from api.queries.actors import aliases_by_actor
from api.queries.event_representations import describe_events
from api.storage import rollups, search_index
from api.storage.connection import database, is_sqlite, write_transaction
from api.storage.documents import serialized, store_documents
from api.storage.models import Event
from api.writes.journal import RecordChange

_CHUNK = 500
# The event's own columns that `event_actor` copies, so an actor's events read in date order.
EVENT_ACTOR_COPIES = ("date_start", "date_end", "span_class")


def date_columns(date: str) -> dict:
    """Return the columns an event's written date determines: its span and span class."""
    span = parse_event_date(date)
    return {
        "date_start": span.start,
        "date_end": span.end,
        "precision": span.precision,
        "span_class": span_class(span.start, span.end),
    }


def _folded(text: str) -> str:
    return " ".join(words_of(text))


# Names, aliases and tags recur across events: fold each once.
_folded_name = functools.lru_cache(maxsize=65_536)(_folded)


def search_columns(event: dict, aliases: Mapping[str, list[str]]) -> tuple[str, ...]:
    """Return an event's searchable words, folded, by column: title, summary, actors, tags.

    `event` is the event as GET shows it; `aliases` holds each of its actors' aliases.
    """
    actor_ids = dict.fromkeys(actor["id"] for actor in event["actors"])
    actors = [_folded_name(actor["name"]) for actor in event["actors"]]
    actors += [
        _folded_name(alias) for actor_id in actor_ids for alias in aliases.get(actor_id, ())
    ]
    return (
        _folded(event["title"]),
        _folded(event["summary"]),
        " ".join(words for words in actors if words),
        " ".join(words for words in map(_folded_name, event["tags"]) if words),
    )


@dataclass(frozen=True)
class DerivedEvent:
    """What one live event contributes to the derived tables."""

    representation: dict
    document: str
    digest: str
    search: tuple[str, ...]
    cell: tuple

    @property
    def event_id(self) -> str:
        """Return the event's id."""
        return self.representation["id"]


def derived_event(representation: dict, aliases: Mapping[str, list[str]]) -> DerivedEvent:
    """Derive an event's document, digest, search row and rollup cell from its representation."""
    document, digest = serialized(representation)
    cell = rollups.rollup_key(
        representation["date"], representation["type"], representation["status"]
    )
    return DerivedEvent(
        representation, document, digest, search_columns(representation, aliases), cell
    )


def derive_live(event_ids: Iterable[str]) -> Iterator[DerivedEvent]:
    """Derive, from the base tables, what each of these events contributes (live ones only)."""
    for chunk in chunked(sorted(set(event_ids)), _CHUNK):
        events = describe_events(chunk, live_only=True)
        aliases = aliases_by_actor({actor["id"] for event in events for actor in event["actors"]})
        for event in events:
            yield derived_event(event, aliases)


def rebuild(event_ids: Iterable[str]) -> dict[str, dict]:
    """Renew the documents and search rows of these events from their tables.

    Returns the live ones as GET now shows them.
    """
    renewed: dict[str, dict] = {}
    for chunk in chunked(sorted(set(event_ids)), _CHUNK):
        derived = list(derive_live(chunk))
        store_documents({item.event_id: item.representation for item in derived})
        search_index.delete_rows(chunk)
        search_index.insert_rows([(item.event_id, *item.search) for item in derived])
        renewed.update((item.event_id, item.representation) for item in derived)
    return renewed


def _changed_fields(change: RecordChange) -> set[str]:
    before, after = change.before or {}, change.after or {}
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def _touches(fields: set[str], watched: frozenset[str] | None) -> bool:
    return bool(fields) and (watched is None or bool(fields & watched))


def refresh(changes: Iterable[RecordChange]) -> dict[str, dict]:
    """Bring every derived table up to date after these changes, in the caller's transaction.

    A change renews the events that show the record (an event shows itself; an actor's
    name, or a source's fields, show in the events citing them) and adds to the rollups
    what it moved between cells. Returns the renewed live events as GET now shows them.
    """
    reshown: set[str] = set()
    reindexed: set[str] = set()
    deltas: Counter = Counter()
    for change in changes:
        kind, fields = change.kind, _changed_fields(change)
        shown = _touches(fields, kind.fields_shown)
        searched = _touches(fields, kind.fields_searched)
        if shown or searched:
            events = kind.events_showing([change.record_id])
            reshown.update(events if shown else ())
            reindexed.update(events if searched else ())
        if kind.rollup_cell is not None:
            if change.before is not None:
                deltas[kind.rollup_cell(change.before)] -= 1
            if change.after is not None:
                deltas[kind.rollup_cell(change.after)] += 1
    rollups.adjust_rollup(deltas)
    renewed = rebuild(reshown | reindexed)
    return {event_id: renewed[event_id] for event_id in sorted(reshown) if event_id in renewed}


def add_search_rows(rows: list[tuple[str, ...]]) -> None:
    """Index new events of a bulk load: `(event_id, *DerivedEvent.search)` rows."""
    search_index.insert_rows(rows)


def add_to_rollups(cells: Counter) -> None:
    """Count new events of a bulk load in the rollups: cell -> how many (`DerivedEvent.cell`)."""
    rollups.adjust_rollup(cells)


def rebuild_rollups() -> int:
    """Recount both rollups from the live events; return how many cells the finer one holds."""
    counts = rollups.recount()
    rollups.replace_all(counts)
    return len(counts)


def rebuild_search_index() -> int:
    """Rebuild the whole search index from the live events; return how many it holds."""
    search_index.delete_all()
    ids = [row[0] for row in Event.select(Event.id).where(Event.deleted_at.is_null()).tuples()]
    rebuild(ids)
    return len(ids)


def _fill_date_columns() -> None:
    """Compute the span classes and copied dates of every event, in SQL (for old databases)."""
    days = (
        "julianday(date_end) - julianday(date_start)" if is_sqlite() else "date_end - date_start"
    )
    cases = " ".join(
        f"WHEN {days} <= {bound} THEN {index}" for index, bound in enumerate(SPAN_CLASS_DAYS)
    )
    database.execute_sql(
        f"UPDATE event SET span_class = CASE {cases} ELSE {len(SPAN_CLASS_DAYS)} END"
    )
    for column in EVENT_ACTOR_COPIES:
        database.execute_sql(
            f"UPDATE event_actor SET {column} = "
            f"(SELECT event.{column} FROM event WHERE event.id = event_actor.event_id)"
        )


# Columns whose arrival in an older database means its date columns need computing.
_DATE_COLUMNS = {"event.span_class", *(f"event_actor.{column}" for column in EVENT_ACTOR_COPIES)}


def complete(added_columns: list[str]) -> list[str]:
    """Fill what an older or bulk-loaded database lacks of its derived data; say what was done.

    Cheap checks only (a full comparison is `timeline verify`): columns just added, an
    empty rollup, a search index that does not hold every live event, missing documents.
    """
    done = []
    live = Event.select().where(Event.deleted_at.is_null())
    with write_transaction():
        if _DATE_COLUMNS & set(added_columns):
            _fill_date_columns()
            done.append("Computed the date columns of every event")
        if live.exists() and not rollups.has_cells():
            done.append(f"Rebuilt the rollups ({rebuild_rollups()} cells)")
        if search_index.indexed_count() != live.count():
            done.append(f"Rebuilt the search index ({rebuild_search_index()} events)")
    undocumented = [
        row[0]
        for row in Event.select(Event.id)
        .where(Event.document.is_null(), Event.deleted_at.is_null())
        .tuples()
    ]
    # A transaction per chunk: a large old database need not fit in one.
    for chunk in chunked(undocumented, _CHUNK):
        with write_transaction():
            rebuild(chunk)
    if undocumented:
        done.append(f"Stored the documents of {len(undocumented)} event(s)")
    return done
