"""Derived data: everything computed from events, actors and sources, kept current here alone.

Derived from the base tables, and written by nothing but this module:
- each event's date columns (`date_start`, `date_end`, `precision`, `span_class`) and their
  copies on its `event_actor` rows;
- each live event's stored document (its JSON as GET shows it) and the digest its ETag
  carries;
- the search index row of each live event;
- the rollups of live events (by month, type and status; by actor; by link between actors).

Every path that changes events, actors or sources ends here. Writes call `refresh` with
what they changed, in their own transaction. A bulk load (the generator) derives its rows
with the same functions (`date_columns`, `derived_event`) and adds them with
`add_search_rows` and `add_to_rollups`. `rebuild` renews given events from their tables,
`complete` fills what an older database lacks, and `api.writes.verify` compares every
derived table with a rebuild and has this module rewrite what differs.
"""

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from peewee import chunked

from api.domain.dates import parse_event_date, span_class
from api.domain.search_syntax import words_of
from api.queries.actors import aliases_by_actor
from api.queries.event_representations import describe_events
from api.storage import rollups, search_index
from api.storage.bulk import bulk_update
from api.storage.connection import write_transaction
from api.storage.documents import serialized, store_documents
from api.storage.models import Event
from api.storage.sql import run
from api.writes.journal import RecordChange

_CHUNK = 500
# The columns an event's written date determines, and those `event_actor` copies so that
# an actor's events read in date order.
EVENT_DATE_COLUMNS = ("date_start", "date_end", "precision", "span_class")
EVENT_ACTOR_COPIES = ("date_start", "date_end", "span_class")
_SHOWN_DATE_FIELDS = ("date_start", "date_end", "precision")


def date_columns(date: str) -> dict:
    """Return the columns an event's written date determines: its span and span class."""
    span = parse_event_date(date)
    values = (span.start, span.end, span.precision, span_class(span.start, span.end))
    return dict(zip(EVENT_DATE_COLUMNS, values, strict=True))


def as_stored(value):
    """Return a column value as both databases hand it back to compare: dates as text."""
    return value.isoformat() if isinstance(value, dt.date) else value


@functools.lru_cache(maxsize=65_536)
def stored_date_columns(date: str) -> dict:
    """Return the date columns of a written date as stored (dates repeat: cached)."""
    return {name: as_stored(value) for name, value in date_columns(date).items()}


def _folded(text: str) -> str:
    return " ".join(words_of(text))


# Names, aliases and tags recur across events: fold each once.
_folded_name = functools.lru_cache(maxsize=65_536)(_folded)


def search_columns(event: dict, aliases: Mapping[str, list[str]]) -> tuple[str, ...]:
    """Return an event's searchable words, folded, by column: title, summary, actors, tags.

    `event` is the event as GET shows it; `aliases` holds each of its actors' aliases. The
    place's name and region are searched with the tags: keywords, not prose.
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
        " ".join(
            words for words in map(_folded_name, [*event["tags"], *_place_names(event)]) if words
        ),
    )


def _place_names(event: dict) -> list[str]:
    place = event.get("place")
    return [name for name in (place["name"], place["admin1"]) if name] if place else []


@dataclass(frozen=True)
class DerivedEvent:
    """What one live event contributes to the derived tables."""

    representation: dict
    document: str
    digest: str
    search: tuple[str, ...]
    cells: Counter

    @property
    def event_id(self) -> str:
        """Return the event's id."""
        return self.representation["id"]


def derived_event(representation: dict, aliases: Mapping[str, list[str]]) -> DerivedEvent:
    """Derive an event's document, digest, search row and rollup cells from its representation."""
    document, digest = serialized(representation)
    cells = rollups.record_cells(representation)
    return DerivedEvent(
        representation, document, digest, search_columns(representation, aliases), cells
    )


def derive_live(event_ids: Iterable[str]) -> Iterator[DerivedEvent]:
    """Derive, from the base tables, what each of these events contributes (live ones only)."""
    for chunk in chunked(sorted(set(event_ids)), _CHUNK):
        events = describe_events(chunk, live_only=True)
        aliases = aliases_by_actor({actor["id"] for event in events for actor in event["actors"]})
        for event in events:
            # The date fields come from the written date, not from its stored copies.
            dates = stored_date_columns(event["date"])
            event.update((name, dates[name]) for name in _SHOWN_DATE_FIELDS)
            yield derived_event(event, aliases)


def rebuild(event_ids: Iterable[str], *, documents: bool = True) -> dict[str, dict]:
    """Renew the search rows of these events from their tables, and their documents too.

    Returns the live ones as GET now shows them.
    """
    renewed: dict[str, dict] = {}
    for chunk in chunked(sorted(set(event_ids)), _CHUNK):
        derived = list(derive_live(chunk))
        if documents:
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


def refresh(
    changes: Iterable[RecordChange], *, rollup_deltas: Counter | None = None
) -> dict[str, dict]:
    """Bring every derived table up to date after these changes, in the caller's transaction.

    A change renews the events that show the record (an event shows itself; an actor's
    name, or a source's fields, show in the events citing them) and adds to the rollups
    what it moved between cells. Returns the renewed live events as GET now shows them.
    Given `rollup_deltas`, what moved is added there instead, for the caller to add to the
    rollups (`add_to_rollups`) before its transaction ends: an import writing many chunks
    adds each cell once, not once a chunk.
    """
    kinds = {}
    shown_ids: dict[str, set[str]] = defaultdict(set)
    searched_ids: dict[str, set[str]] = defaultdict(set)
    deltas: Counter = Counter()
    for change in changes:
        kind, fields = change.kind, _changed_fields(change)
        kinds[kind.name] = kind
        if _touches(fields, kind.fields_shown):
            shown_ids[kind.name].add(change.record_id)
        if _touches(fields, kind.fields_searched):
            searched_ids[kind.name].add(change.record_id)
        if kind.counted_in is not None:
            if change.before is not None:
                deltas.subtract(kind.counted_in(change.before))
            if change.after is not None:
                deltas.update(kind.counted_in(change.after))
    if rollup_deltas is None:
        rollups.adjust_rollups(deltas)
    else:
        rollup_deltas.update(deltas)

    def events_showing(ids_by_kind: dict[str, set[str]]) -> set[str]:
        return {
            event_id
            for name, ids in ids_by_kind.items()
            for event_id in kinds[name].events_showing(sorted(ids))
        }

    reshown = events_showing(shown_ids)
    renewed = rebuild(reshown)
    rebuild(events_showing(searched_ids) - reshown, documents=False)
    return {event_id: renewed[event_id] for event_id in sorted(reshown) if event_id in renewed}


def add_search_rows(rows: list[tuple[str, ...]]) -> None:
    """Index new events of a bulk load: `(event_id, *DerivedEvent.search)` rows."""
    search_index.insert_rows(rows)


def add_to_rollups(cells: Counter) -> None:
    """Add to the rollups: cell -> change in event count (a bulk load's, or gathered deltas).

    A bulk load adds its events' `DerivedEvent.cells`; an import, the `rollup_deltas` that
    `refresh` gathered.
    """
    rollups.adjust_rollups(cells)


def rebuild_rollups() -> int:
    """Recount every rollup from the live events; return how many fine cells they hold."""
    counts = rollups.recount()
    rollups.replace_all(counts)
    return len(+counts)


def rebuild_search_index() -> int:
    """Rebuild the whole search index from the live events; return how many it holds."""
    search_index.delete_all()
    ids = [row[0] for row in Event.select(Event.id).where(Event.deleted_at.is_null()).tuples()]
    rebuild(ids, documents=False)
    return len(ids)


def rewrite_date_columns(event_ids: Iterable[str]) -> None:
    """Write these events' date columns, and their `event_actor` copies, from their dates."""
    for chunk in chunked(sorted(set(event_ids)), _CHUNK):
        dates = dict(Event.select(Event.id, Event.date).where(Event.id.in_(chunk)).tuples())
        columns = {event_id: stored_date_columns(date) for event_id, date in dates.items()}
        for table, names, key in (
            ("event", EVENT_DATE_COLUMNS, "id"),
            ("event_actor", EVENT_ACTOR_COPIES, "event_id"),
        ):
            rows = [(*(c[name] for name in names), event_id) for event_id, c in columns.items()]
            bulk_update(table, names, key, rows)


def drop_search_rows(keys: list[object]) -> None:
    """Remove index rows that belong to no live event, by the keys verify found them under."""
    search_index.delete_row_keys(keys)


_MISSING_COPIES_SQL = "SELECT DISTINCT event_id FROM event_actor WHERE date_start IS NULL"
# Columns an upgrade may add whose values events show: documents stored before lack them.
_SHOWN_COLUMNS = frozenset({"event_source.via_id", "event.place_name", "event.origin_dataset"})


def complete(added_columns: Iterable[str] = ()) -> list[str]:
    """Fill what an older or bulk-loaded database lacks of its derived data; say what was done.

    Cheap checks only (a full comparison is `timeline verify`): date copies that are missing
    (columns an upgrade added), an empty rollup, a search index that does not hold every
    live event, missing documents, and documents older than a column just added
    (`added_columns`) that events show. Each is judged from the data, so a run that was
    interrupted is finished by the next.
    """
    done = []
    if _SHOWN_COLUMNS & set(added_columns):
        with write_transaction():
            Event.update(document=None).where(Event.deleted_at.is_null()).execute()
    missing = [row[0] for row in run(_MISSING_COPIES_SQL)]
    # A transaction per chunk: a large old database need not fit in one.
    for chunk in chunked(missing, _CHUNK):
        with write_transaction():
            rewrite_date_columns(chunk)
    if missing:
        done.append(f"Computed the date columns of {len(missing)} event(s)")
    live = Event.select().where(Event.deleted_at.is_null())
    with write_transaction():
        if rollups.missing():
            done.append(f"Rebuilt the rollups ({rebuild_rollups()} cells)")
        if search_index.indexed_count() != live.count():
            done.append(f"Rebuilt the search index ({rebuild_search_index()} events)")
    undocumented = [
        row[0]
        for row in Event.select(Event.id)
        .where(Event.document.is_null(), Event.deleted_at.is_null())
        .tuples()
    ]
    for chunk in chunked(undocumented, _CHUNK):
        with write_transaction():
            rebuild(chunk)
    if undocumented:
        done.append(f"Stored the documents of {len(undocumented)} event(s)")
    return done
