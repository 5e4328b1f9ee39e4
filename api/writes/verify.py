"""Verification: the database's own integrity checks, and every derived table against a rebuild.

What is derived (see `api.writes.derived`) is rebuilt from the base tables, a chunk of
events at a time, and compared with what is stored: the date columns and their copies on
`event_actor`, documents and their digests, search index rows, both rollups, and the newest
change-feed entry of each live event, which must hold the event as it is now. `repair`
rewrites what differs, in one transaction.
"""

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import orjson
from peewee import DatabaseError

from api.storage import rollups, search_index
from api.storage.bulk import bulk_update
from api.storage.connection import database, is_postgresql, utc_now, write_transaction
from api.storage.models import Event
from api.storage.sql import iso_date, run
from api.writes import derived
from api.writes.journal import record_changes

_CHUNK = 500
_SHOWN = 160
EVENT_DATE_COLUMNS = ("date_start", "date_end", "precision", "span_class")


@dataclass(frozen=True)
class Difference:
    """A stored derived value that is not what a rebuild from the base tables makes.

    `fix` says what `repair` does about it: `("event", id)` renews an event's derived
    values, `("feed", id)` appends its current state to the feed, `("orphan", row key)`
    drops a search row of no live event, `("cell", table, cell)` sets a rollup cell.
    """

    table: str
    key: str
    stored: object
    rebuilt: object
    fix: tuple

    def __str__(self) -> str:
        stored, rebuilt = _shown(self.stored), _shown(self.rebuilt)
        return f"{self.table} {self.key}: stored {stored}, rebuilt {rebuilt}"


def _shown(value: object) -> str:
    text = "(none)" if value is None else str(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


_AMCHECK_SQL = "SELECT 1 FROM pg_extension WHERE extname = 'amcheck'"
_BTREE_INDEXES_SQL = (
    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE am.amname = 'btree' AND n.nspname = current_schema() ORDER BY c.relname"
)


def integrity_checks() -> str:
    """Say which integrity checks `integrity_problems` runs on this database."""
    if not is_postgresql():
        return "SQLite integrity_check, foreign_key_check and the search index's own check"
    if run(_AMCHECK_SQL).fetchone():
        return "amcheck's bt_index_check of every B-tree index"
    # PostgreSQL itself checks keys and types on every write; its index structure needs
    # amcheck, an extension only an administrator may create.
    return "none: PostgreSQL indexes are checked only where the amcheck extension is installed"


def integrity_problems() -> list[str]:
    """Run the database's own integrity checks; return what they report wrong."""
    if is_postgresql():
        if not run(_AMCHECK_SQL).fetchone():
            return []
        problems = []
        for (index,) in run(_BTREE_INDEXES_SQL).fetchall():
            try:
                with database.atomic():
                    run("SELECT bt_index_check(?::regclass)", [index])
            except DatabaseError as error:
                problems.append(f"bt_index_check: {index}: {error}".strip())
        return problems
    problems = [
        f"integrity_check: {row[0]}"
        for row in run("PRAGMA integrity_check").fetchall()
        if row[0] != "ok"
    ]
    problems += [
        f"foreign_key_check: {table} row {rowid} refers to a missing {parent} row"
        for table, rowid, parent, _ in run("PRAGMA foreign_key_check")
    ]
    return problems + search_index.integrity_problems()


_IDS_SQL = "SELECT id FROM event WHERE id > ? ORDER BY id LIMIT ?"
# A chunk is a range of ids: cheaper to select than a list of them.
_DATES_SQL = (
    "SELECT id, date, date_start, date_end, precision, span_class FROM event "
    "WHERE id >= ? AND id <= ?"
)
_COPIES_SQL = (
    "SELECT ea.event_id, ea.actor_id, ea.role, e.date, ea.date_start, ea.date_end, "
    "ea.span_class FROM event_actor ea JOIN event e ON e.id = ea.event_id "
    "WHERE ea.event_id >= ? AND ea.event_id <= ?"
)
_NEWEST_CHANGES_SQL = (
    "SELECT event_id, record FROM change WHERE id IN "
    "(SELECT MAX(id) FROM change WHERE event_id >= ? AND event_id <= ? GROUP BY event_id)"
)
_DOCUMENTS_SQL = (
    "SELECT id, document, document_digest FROM event "
    "WHERE id >= ? AND id <= ? AND deleted_at IS NULL"
)


def _event_ids_in_chunks() -> Iterator[list[str]]:
    after = ""
    while ids := [row[0] for row in run(_IDS_SQL, [after, _CHUNK])]:
        yield ids
        after = ids[-1]


def _stored_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@functools.lru_cache(maxsize=65_536)
def _rebuilt_dates(date: str) -> dict:
    """Return the date columns as stored: dates as `YYYY-MM-DD` (dates repeat: cached)."""
    return {name: _stored_value(value) for name, value in derived.date_columns(date).items()}


def _date_differences(ids: list[str]) -> Iterator[Difference]:
    for event_id, date, *stored in run(_DATES_SQL, [ids[0], ids[-1]]):
        rebuilt = _rebuilt_dates(date)
        for column, value in zip(EVENT_DATE_COLUMNS, stored, strict=True):
            if _stored_value(value) != rebuilt[column]:
                yield Difference(
                    f"event.{column}", event_id, value, rebuilt[column], ("event", event_id)
                )
    for event_id, actor_id, role, date, *stored in run(_COPIES_SQL, [ids[0], ids[-1]]):
        rebuilt = _rebuilt_dates(date)
        for column, value in zip(derived.EVENT_ACTOR_COPIES, stored, strict=True):
            if _stored_value(value) != rebuilt[column]:
                key = f"{event_id} {actor_id} {role}"
                fix = ("event", event_id)
                yield Difference(f"event_actor.{column}", key, value, rebuilt[column], fix)


def _live_event_differences(ids: list[str]) -> Iterator[Difference]:
    rebuilt = {item.event_id: item for item in derived.derive_live(ids)}
    if not rebuilt:
        return
    live = sorted(rebuilt)
    for event_id, document, digest in run(_DOCUMENTS_SQL, [ids[0], ids[-1]]):
        if event_id not in rebuilt:  # written since the chunk was read
            continue
        item, fix = rebuilt[event_id], ("event", event_id)
        if document != item.document:
            yield Difference("event.document", event_id, document, item.document, fix)
        if digest != item.digest:
            yield Difference("event.document_digest", event_id, digest, item.digest, fix)
    rows = search_index.stored_rows(live)
    expected = search_index.as_stored([(item.event_id, *item.search) for item in rebuilt.values()])
    for event_id in live:
        if rows.get(event_id) != expected[event_id]:
            stored_row, fix = rows.get(event_id), ("event", event_id)
            yield Difference(search_index.TABLE, event_id, stored_row, expected[event_id], fix)
    for event_id, record in run(_NEWEST_CHANGES_SQL, [ids[0], ids[-1]]):
        if event_id not in rebuilt:
            continue
        stored, now = orjson.loads(record) if record else None, rebuilt[event_id].representation
        if stored != now:
            fix = ("feed", event_id)
            yield Difference("change (newest entry)", event_id, stored, now, fix)


def _orphan_differences() -> Iterator[Difference]:
    for key, event_id in search_index.orphan_rows():
        table = f"{search_index.TABLE} (a row of no live event)"
        yield Difference(table, event_id, f"row {key}", None, ("orphan", key))


def _rollup_differences() -> Iterator[Difference]:
    finer = rollups.recount()
    for model, rebuilt in zip(
        rollups.ROLLUPS, (finer, rollups.summed_by_type(finer)), strict=True
    ):
        stored, table = rollups.stored_cells(model), model._meta.table_name
        for cell in sorted(stored.keys() | rebuilt.keys(), key=str):
            if stored.get(cell, 0) != rebuilt.get(cell, 0):
                key = "(" + ", ".join(str(iso_date(value)) for value in cell) + ")"
                fix = ("cell", table, cell, rebuilt.get(cell, 0))
                yield Difference(table, key, stored.get(cell, 0), rebuilt.get(cell, 0), fix)


def differences(progress: Callable[[int], None] = lambda _: None) -> Iterator[Difference]:
    """Yield every derived value that differs from a rebuild; `progress(n)` hears n events."""
    for ids in _event_ids_in_chunks():
        yield from _date_differences(ids)
        yield from _live_event_differences(ids)
        progress(len(ids))
    yield from _orphan_differences()
    yield from _rollup_differences()


def _rewrite_date_columns(event_ids: list[str]) -> None:
    if not event_ids:
        return
    dates = dict(Event.select(Event.id, Event.date).where(Event.id.in_(event_ids)).tuples())
    columns = {
        event_id: {
            name: _stored_value(value) for name, value in derived.date_columns(date).items()
        }
        for event_id, date in dates.items()
    }
    bulk_update(
        "event",
        EVENT_DATE_COLUMNS,
        "id",
        [(*(c[name] for name in EVENT_DATE_COLUMNS), event_id) for event_id, c in columns.items()],
    )
    copies = derived.EVENT_ACTOR_COPIES
    bulk_update(
        "event_actor",
        copies,
        "event_id",
        [(*(c[name] for name in copies), event_id) for event_id, c in columns.items()],
    )


def repair(fixes_found: Iterable[tuple]) -> None:
    """Rewrite every derived value these fixes (`Difference.fix`) name, in one transaction."""
    fixes: dict[str, list[tuple]] = defaultdict(list)
    for fix in fixes_found:
        fixes[fix[0]].append(fix[1:])
    events = sorted({event_id for (event_id,) in fixes["event"] + fixes["feed"]})
    cells: dict[str, dict] = defaultdict(dict)
    for table, cell, count in fixes["cell"]:
        cells[table][cell] = count
    with write_transaction():
        _rewrite_date_columns(events)
        search_index.delete_row_keys([key for (key,) in fixes["orphan"]])
        renewed = derived.rebuild(events)
        for model in rollups.ROLLUPS:
            rollups.set_cells(model, cells[model._meta.table_name])
        fed = sorted({event_id for (event_id,) in fixes["feed"]})
        record_changes([(event_id, "updated") for event_id in fed], utc_now(), renewed)
