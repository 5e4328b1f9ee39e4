"""The rows of each record kind, upserted from checked records: only those that changed.

Each writer returns the records it changed, with their state before and after, so that the
journal and the owner of derived data (`api.writes.derived`) can follow.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peewee import chunked

from api.domain.names import alias_key
from api.domain.origins import origin_columns
from api.domain.places import place_columns
from api.queries.record_bodies import (
    ACTOR_COLUMNS,
    EVENT_COLUMNS,
    SOURCE_COLUMNS,
    actor_bodies,
    event_bodies,
    source_bodies,
)
from api.storage.bulk import insert_records
from api.storage.models import ActorAlias, EventActor, EventRelation, EventSource, EventTag
from api.writes.derived import EVENT_ACTOR_COPIES, date_columns
from api.writes.journal import RecordChange

_CHUNK = 500
PROGRESS_EVERY = 1000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowWriter:
    """Upsert one kind's rows at `now`; keep `stamps` of (kind, id) as an import does.

    `kind` is the `api.writes.kinds.RecordKind` whose rows this writes.
    """

    kind: Any
    now: dt.datetime
    stamps: dict
    progress: Progress

    def upsert(self, records: list[dict], stored: dict[str, dict], values) -> list[RecordChange]:
        """Upsert the records that differ from `stored`, each a new revision; return them.

        New records are inserted in bulk; changed ones are updated one by one.
        """
        changed = [record for record in records if stored.get(record["id"]) != record]
        revisions = self._revisions([record["id"] for record in changed])
        written, new_rows = [], []
        for done, record in enumerate(changed, start=1):
            revision = revisions.get(record["id"])
            if revision is None:
                new_rows.append(self._new_row(record, values(record)))
            else:
                # New rows first: a changed record may refer to one (an actor's new parent).
                _insert_rows(self.kind.model, new_rows)
                new_rows.clear()
                self._update(record, values(record), revision)
            written.append(
                RecordChange(
                    self.kind, record["id"], (revision or 0) + 1, stored.get(record["id"]), record
                )
            )
            if done % PROGRESS_EVERY == 0 or done == len(changed):
                _insert_rows(self.kind.model, new_rows)
                new_rows.clear()
                self.progress(self.kind.name, done, len(changed))
        return written

    def _revisions(self, ids: list[str]) -> dict[str, int]:
        model, found = self.kind.model, {}
        for chunk in chunked(ids, _CHUNK):
            found.update(
                model.select(model.id, model.revision).where(model.id.in_(chunk)).tuples()
            )
        return found

    def _stamps(self, record: dict) -> tuple[dt.datetime, dt.datetime]:
        return self.stamps.get((self.kind.name, record["id"]), (self.now, self.now))

    def _new_row(self, record: dict, values: dict) -> dict:
        created_at, updated_at = self._stamps(record)
        return {
            "id": record["id"],
            "revision": 1,
            "created_at": created_at,
            **values,
            "updated_at": updated_at,
            "deleted_at": None,
        }

    def _update(self, record: dict, values: dict, revision: int) -> None:
        model, (_, updated_at) = self.kind.model, self._stamps(record)
        values = {**values, "updated_at": updated_at, "deleted_at": None}
        model.update(revision=revision + 1, **values).where(model.id == record["id"]).execute()


def _insert_rows(model, rows: list[dict]) -> None:
    for chunk in chunked(rows, _CHUNK):
        insert_records(model, chunk)


def _parents_first(records: list[dict]) -> list[dict]:
    by_id = {record["id"]: record for record in records}

    def depth(record: dict) -> int:
        parent = by_id.get(record["parent"])
        return 0 if parent is None else 1 + depth(parent)

    return sorted(records, key=depth)


def write_actors(writer: RowWriter, records: list[dict]) -> list[RecordChange]:
    """Upsert actors (parents before their members) and their aliases."""
    stored = actor_bodies(record["id"] for record in records)
    written = writer.upsert(
        _parents_first(records), stored, lambda r: {k: r[k] for k in ACTOR_COLUMNS}
    )
    ids = [change.record_id for change in written]
    ActorAlias.delete().where(ActorAlias.actor.in_(ids)).execute()
    _insert_rows(
        ActorAlias,
        [
            {"key": alias_key(alias), "alias": alias, "actor": change.record_id, "position": p}
            for change in written
            for p, alias in enumerate(change.after["aliases"])
        ],
    )
    return written


def write_sources(writer: RowWriter, records: list[dict]) -> list[RecordChange]:
    """Upsert sources."""
    stored = source_bodies(record["id"] for record in records)
    return writer.upsert(records, stored, lambda r: {k: r[k] for k in SOURCE_COLUMNS})


def _event_values(record: dict) -> dict:
    return {
        **{key: record[key] for key in EVENT_COLUMNS},
        **date_columns(record["date"]),
        **place_columns(record.get("place")),
        **origin_columns(record.get("origin")),
    }


def write_events(writer: RowWriter, records: list[dict]) -> list[RecordChange]:
    """Upsert events and the rows that link them to actors, sources, tags and other events."""
    stored = event_bodies(record["id"] for record in records)
    written = writer.upsert(records, stored, _event_values)
    # A record at its first revision is a new row: it has no linking rows to replace.
    replaced = [change.record_id for change in written if change.number > 1]
    for chunk in chunked(replaced, _CHUNK):
        for model in (EventActor, EventSource, EventTag, EventRelation):
            model.delete().where(model.event.in_(chunk)).execute()

    def child_rows(list_name: str, make) -> list[dict]:
        return [
            {"event": change.record_id, "position": position, **make(item)}
            for change in written
            for position, item in enumerate(change.after[list_name])
        ]

    dates = {change.record_id: date_columns(change.after["date"]) for change in written}
    _insert_rows(
        EventActor,
        [
            {**row, **{k: dates[row["event"]][k] for k in EVENT_ACTOR_COPIES}}
            for row in child_rows("actors", lambda a: {"actor": a["id"], "role": a["role"]})
        ],
    )
    _insert_rows(
        EventSource,
        child_rows(
            "sources", lambda s: {"source": s["id"], "quote": s["quote"], "via": s.get("via")}
        ),
    )
    _insert_rows(EventTag, child_rows("tags", lambda tag: {"tag": tag}))
    # Relations last: they may point at events created above.
    _insert_rows(
        EventRelation,
        child_rows("related", lambda r: {"related": r["id"], "relation": r["relation"]}),
    )
    return written
