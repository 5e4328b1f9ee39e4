"""Upserts: write checked records in one transaction, touching and journaling only what changed."""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from peewee import chunked

from api.domain.dates import parse_event_date, span_class
from api.domain.names import alias_key
from api.queries.record_bodies import (
    ACTOR_COLUMNS,
    EVENT_COLUMNS,
    SOURCE_COLUMNS,
    stored_actor_records,
    stored_event_records,
    stored_source_records,
)
from api.storage.connection import write_transaction
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
from api.storage.rollups import adjust_rollup, rollup_deltas
from api.storage.search_index import index_events
from api.writes.checks import InvalidRecords, RecordBatch, batch_problems
from api.writes.journal import Author, events_citing, record_changes, record_revisions

_CHUNK = 500
_SPAN = ("date_start", "date_end", "span_class")
# Source fields that events show inline: changing one changes those events.
SOURCE_FIELDS_IN_EVENTS = ("publisher", "title", "url", "published")


def _row_revisions(model, ids: list[str]) -> dict[str, int]:
    query = model.select(model.id, model.revision).where(model.id.in_(ids)).tuples()
    return dict(query)


def _insert_rows(model, rows: list[dict]) -> None:
    for chunk in chunked(rows, _CHUNK):
        model.insert_many(chunk).execute()


def _parents_first(records: list[dict]) -> list[dict]:
    by_id = {record["id"]: record for record in records}

    def depth(record: dict) -> int:
        parent = by_id.get(record["parent"])
        return 0 if parent is None else 1 + depth(parent)

    return sorted(records, key=depth)


Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1000


@dataclass
class _Writer:
    """Write one kind of record: upsert changed rows, journal each as a revision."""

    model: type
    kind: str
    now: dt.datetime
    author: Author
    stamps: dict
    progress: Progress

    def write(self, records: list[dict], stored: dict[str, dict], fields) -> tuple[list, Counter]:
        """Upsert the records that differ from `stored`; return them with their ops."""
        changed = [record for record in records if stored.get(record["id"]) != record]
        revisions = _row_revisions(self.model, [record["id"] for record in changed])
        written = []
        for done, record in enumerate(changed, start=1):
            number = self._upsert(record, fields(record), revisions.get(record["id"]))
            written.append((record, number, "updated" if record["id"] in stored else "created"))
            if done % PROGRESS_EVERY == 0 or done == len(changed):
                self.progress(self.kind, done, len(changed))
        record_revisions(
            self.kind,
            [(r["id"], number, op, r) for r, number, op in written],
            self.now,
            self.author,
        )
        created = sum(op == "created" for _, _, op in written)
        counts = Counter(
            created=created, updated=len(written) - created, unchanged=len(records) - len(written)
        )
        return [(record, op) for record, _, op in written], counts

    def _upsert(self, record: dict, values: dict, revision: int | None) -> int:
        created_at, updated_at = self.stamps.get((self.kind, record["id"]), (self.now, self.now))
        values = {**values, "updated_at": updated_at, "deleted_at": None}
        if revision is None:
            self.model.insert(
                id=record["id"], revision=1, created_at=created_at, **values
            ).execute()
            return 1
        query = self.model.update(revision=revision + 1, **values)
        query.where(self.model.id == record["id"]).execute()
        return revision + 1


def _write_actors(writer: _Writer, records: list[dict]) -> tuple[Counter, list[str], list[str]]:
    """Write actors; return counts, the renamed ones, and those renamed or re-aliased."""
    stored = stored_actor_records(record["id"] for record in records)
    ordered = _parents_first(records)
    written, counts = writer.write(ordered, stored, lambda r: {k: r[k] for k in ACTOR_COLUMNS})
    ids = [record["id"] for record, _ in written]
    ActorAlias.delete().where(ActorAlias.actor.in_(ids)).execute()
    _insert_rows(
        ActorAlias,
        [
            {"key": alias_key(alias), "alias": alias, "actor": record["id"], "position": position}
            for record, _ in written
            for position, alias in enumerate(record["aliases"])
        ],
    )
    updated = [record for record, op in written if op == "updated"]
    renamed = [r["id"] for r in updated if stored[r["id"]]["name"] != r["name"]]
    relabelled = [
        r["id"]
        for r in updated
        if stored[r["id"]]["name"] != r["name"] or stored[r["id"]]["aliases"] != r["aliases"]
    ]
    return counts, renamed, relabelled


def _write_sources(writer: _Writer, records: list[dict]) -> tuple[Counter, list[str]]:
    stored = stored_source_records(record["id"] for record in records)
    written, counts = writer.write(records, stored, lambda r: {k: r[k] for k in SOURCE_COLUMNS})
    reshown = [
        record["id"]
        for record, op in written
        if op == "updated"
        and any(stored[record["id"]][k] != record[k] for k in SOURCE_FIELDS_IN_EVENTS)
    ]
    return counts, reshown


def _event_fields(record: dict) -> dict:
    span = parse_event_date(record["date"])
    return {
        **{key: record[key] for key in EVENT_COLUMNS},
        "date_start": span.start,
        "date_end": span.end,
        "precision": span.precision,
        "span_class": span_class(span.start, span.end),
    }


def _write_events(writer: _Writer, records: list[dict]) -> tuple[Counter, list[tuple[str, str]]]:
    stored = stored_event_records(record["id"] for record in records)
    written, counts = writer.write(records, stored, _event_fields)
    changed = [record for record, _ in written]
    ids = [record["id"] for record in changed]
    for chunk in chunked(ids, _CHUNK):
        for model in (EventActor, EventSource, EventTag, EventRelation):
            model.delete().where(model.event.in_(chunk)).execute()

    def child_rows(list_name: str, make) -> list[dict]:
        return [
            {"event": record["id"], "position": position, **make(item)}
            for record in changed
            for position, item in enumerate(record[list_name])
        ]

    dates = {r["id"]: _event_fields(r) for r in changed}
    _insert_rows(
        EventActor,
        [
            {
                **row,
                **{k: dates[row["event"]][k] for k in ("date_start", "date_end", "span_class")},
            }
            for row in child_rows("actors", lambda a: {"actor": a["id"], "role": a["role"]})
        ],
    )
    _insert_rows(
        EventSource, child_rows("sources", lambda s: {"source": s["id"], "quote": s["quote"]})
    )
    _insert_rows(EventTag, child_rows("tags", lambda tag: {"tag": tag}))
    # Relations last: they may point at events created above.
    _insert_rows(
        EventRelation,
        child_rows("related", lambda r: {"related": r["id"], "relation": r["relation"]}),
    )
    adjust_rollup(
        rollup_deltas(
            removed=[_triple(stored[r["id"]]) for r, op in written if op == "updated"],
            added=[_triple(record) for record, _ in written],
        )
    )
    return counts, [(record["id"], op) for record, op in written]


def _triple(record: dict) -> tuple[str, str, str]:
    return record["date"], record["type"], record["status"]


def write_batch(
    batch: RecordBatch,
    now: dt.datetime,
    author: Author,
    *,
    stamps: dict[tuple[str, str], tuple[dt.datetime, dt.datetime]] | None = None,
    progress: Progress | None = None,
) -> dict[str, Counter]:
    """Upsert a checked batch in one transaction; count records created, updated, unchanged.

    `stamps` maps `(kind, id)` to the `(created_at, updated_at)` to keep, as an import does;
    `progress(kind, done, total)` hears how far the writing has got.
    """

    def writer(model, kind: str) -> _Writer:
        return _Writer(
            model=model,
            kind=kind,
            now=now,
            author=author,
            stamps=stamps or {},
            progress=progress or (lambda *_: None),
        )

    with write_transaction():
        actor_counts, renamed, relabelled = _write_actors(
            writer(Actor, "actor"), [i.record for i in batch.actors]
        )
        source_counts, reshown = _write_sources(
            writer(Source, "source"), [i.record for i in batch.sources]
        )
        event_counts, event_ops = _write_events(
            writer(Event, "event"), [i.record for i in batch.events]
        )
        written = {event_id for event_id, _ in event_ops}
        shown_elsewhere = events_citing(actors=renamed, sources=reshown)
        cascade = [
            (event_id, "updated") for event_id in shown_elsewhere if event_id not in written
        ]
        record_changes(event_ops + cascade, now)
        # Actor names and aliases are searchable text of their events.
        index_events(written | set(events_citing(actors=relabelled)))
    return {"actors": actor_counts, "sources": source_counts, "events": event_counts}


def check_and_write(
    batch: RecordBatch,
    now: dt.datetime,
    author: Author,
    *,
    stamps: dict | None = None,
    progress: Progress | None = None,
) -> dict[str, Counter]:
    """Check a batch's references and write it, in one transaction; raise InvalidRecords."""
    with write_transaction():
        problems = batch_problems(batch)
        if problems:
            raise InvalidRecords([str(problem) for problem in problems])
        return write_batch(batch, now, author, stamps=stamps, progress=progress)
