"""Verification: the database's own integrity checks, and every derived table against a rebuild.

What is derived (see `api.writes.derived`) is rebuilt from the base tables, a chunk of
events at a time, and compared with what is stored: the date columns and their copies on
`event_actor`, documents and their digests, search index rows, every rollup, and the newest
change-feed entry of each event (a live event's holds it as it is now; a deleted event's
says it was deleted). Each chunk is compared under the write lock, so a write in progress
never reads as a difference. `repair` has `api.writes.derived` rewrite what differs, in one
transaction, judging each value afresh there.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import orjson
from peewee import DatabaseError, chunked

from api.storage import rollups, search_index
from api.storage.connection import database, is_postgresql, utc_now, write_transaction
from api.storage.sql import iso_date, marks, run
from api.writes import derived
from api.writes.journal import record_changes

_CHUNK = 500
_SHOWN = 160


@dataclass(frozen=True)
class Difference:
    """A stored derived value that is not what a rebuild from the base tables makes.

    `fix` says what `repair` does about it: `("event", id)` renews an event's derived
    values, `("feed", id)` brings its change feed up to date, `("orphan", row key)` drops a
    search row of no live event, `("cell", table, cell)` recounts the rollups.
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


_AMCHECK_SQL = (
    "SELECT has_function_privilege('bt_index_check(regclass)', 'execute') "
    "FROM pg_extension WHERE extname = 'amcheck'"
)
_BTREE_INDEXES_SQL = (
    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE am.amname = 'btree' AND n.nspname = current_schema() ORDER BY c.relname"
)


def _amcheck_usable() -> bool:
    row = run(_AMCHECK_SQL).fetchone()
    return bool(row and row[0])


def integrity_checks() -> str:
    """Say which integrity checks `integrity_problems` runs on this database."""
    if not is_postgresql():
        return "SQLite integrity_check, foreign_key_check and the search index's own check"
    if _amcheck_usable():
        return "amcheck's bt_index_check of every B-tree index"
    # PostgreSQL itself checks keys and types on every write; its index structure needs
    # amcheck, an extension an administrator creates and grants.
    return (
        "none: PostgreSQL indexes are checked only where the amcheck extension is installed "
        "and this role may run bt_index_check"
    )


def integrity_problems() -> list[str]:
    """Run the database's own integrity checks; return what they report wrong."""
    if is_postgresql():
        if not _amcheck_usable():
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
_DOCUMENTS_SQL = (
    "SELECT id, document, document_digest FROM event "
    "WHERE id >= ? AND id <= ? AND deleted_at IS NULL"
)
_NEWEST_CHANGES_SQL = (
    "SELECT event_id, op, record FROM change WHERE id IN "
    "(SELECT MAX(id) FROM change WHERE event_id IN ({}) GROUP BY event_id)"
)


def _event_ids_in_chunks() -> Iterator[list[str]]:
    after = ""
    while ids := [row[0] for row in run(_IDS_SQL, [after, _CHUNK])]:
        yield ids
        after = ids[-1]


def _date_differences(ids: list[str]) -> Iterator[Difference]:
    for event_id, date, *stored in run(_DATES_SQL, [ids[0], ids[-1]]):
        rebuilt = derived.stored_date_columns(date)
        for column, value in zip(derived.EVENT_DATE_COLUMNS, stored, strict=True):
            if derived.as_stored(value) != rebuilt[column]:
                yield Difference(
                    f"event.{column}", event_id, value, rebuilt[column], ("event", event_id)
                )
    for event_id, actor_id, role, date, *stored in run(_COPIES_SQL, [ids[0], ids[-1]]):
        rebuilt = derived.stored_date_columns(date)
        for column, value in zip(derived.EVENT_ACTOR_COPIES, stored, strict=True):
            if derived.as_stored(value) != rebuilt[column]:
                key = f"{event_id} {actor_id} {role}"
                fix = ("event", event_id)
                yield Difference(f"event_actor.{column}", key, value, rebuilt[column], fix)


def newest_changes(event_ids: list[str]) -> dict[str, tuple[str, dict | None]]:
    """Return the op and record of each of these events' newest change-feed entry."""
    found = {}
    for chunk in chunked(event_ids, _CHUNK):
        for event_id, op, record in run(_NEWEST_CHANGES_SQL.format(marks(len(chunk))), chunk):
            found[event_id] = (op, orjson.loads(record) if record else None)
    return found


def _feed_difference(event_id: str, newest: tuple, now: dict | None) -> Difference | None:
    """Compare an event's newest feed entry with the event now (None once deleted)."""
    op, record = newest
    if now is None:
        if op == "deleted":
            return None
        return Difference("change (newest entry)", event_id, op, "deleted", ("feed", event_id))
    if record == now:
        return None
    return Difference("change (newest entry)", event_id, record, now, ("feed", event_id))


def _event_differences(ids: list[str]) -> Iterator[Difference]:
    rebuilt = {item.event_id: item for item in derived.derive_live(ids)}
    for event_id, document, digest in run(_DOCUMENTS_SQL, [ids[0], ids[-1]]):
        item, fix = rebuilt[event_id], ("event", event_id)
        if document != item.document:
            yield Difference("event.document", event_id, document, item.document, fix)
        if digest != item.digest:
            yield Difference("event.document_digest", event_id, digest, item.digest, fix)
    live = sorted(rebuilt)
    rows = search_index.stored_rows(live) if live else {}
    expected = search_index.as_stored([(item.event_id, *item.search) for item in rebuilt.values()])
    for event_id in live:
        if rows.get(event_id) != expected[event_id]:
            stored_row, fix = rows.get(event_id), ("event", event_id)
            yield Difference(search_index.TABLE, event_id, stored_row, expected[event_id], fix)
    for event_id, newest in newest_changes(ids).items():
        now = rebuilt[event_id].representation if event_id in rebuilt else None
        difference = _feed_difference(event_id, newest, now)
        if difference is not None:
            yield difference


def _orphan_differences() -> Iterator[Difference]:
    for key, event_id in search_index.orphan_rows():
        table = f"{search_index.TABLE} (a row of no live event)"
        yield Difference(table, event_id, f"row {key}", None, ("orphan", key))


def _key_text(value) -> str:
    """Return a rollup key's value as verify prints it: dates as YYYY-MM-DD."""
    return iso_date(value) if isinstance(value, str | dt.date) else str(value)


def _rollup_differences() -> Iterator[Difference]:
    for model, rebuilt in rollups.rebuilt_cells(rollups.recount()).items():
        stored, table = rollups.stored_cells(model), model._meta.table_name
        for cell in sorted(stored.keys() | rebuilt.keys(), key=str):
            if stored.get(cell, 0) != rebuilt.get(cell, 0):
                key = "(" + ", ".join(map(_key_text, cell)) + ")"
                fix = ("cell", table, cell)
                yield Difference(table, key, stored.get(cell, 0), rebuilt.get(cell, 0), fix)


def differences(progress: Callable[[int], None] = lambda _: None) -> Iterator[Difference]:
    """Yield every derived value that differs from a rebuild; `progress(n)` hears n events."""
    for ids in _event_ids_in_chunks():
        with write_transaction():
            found = [*_date_differences(ids), *_event_differences(ids)]
        yield from found
        progress(len(ids))
    with write_transaction():
        found = [*_orphan_differences(), *_rollup_differences()]
    yield from found


def repair(fixes_found: Iterable[tuple]) -> None:
    """Rewrite every derived value these fixes (`Difference.fix`) name, in one transaction.

    Each is rebuilt from the base tables as they are now, so a write made since the
    comparison is not undone.
    """
    fixes: dict[str, set] = defaultdict(set)
    for fix in fixes_found:
        fixes[fix[0]].add(fix[1])
    events = sorted(fixes["event"] | fixes["feed"])
    with write_transaction():
        derived.rewrite_date_columns(events)
        derived.drop_search_rows(sorted(fixes["orphan"], key=str))
        renewed = derived.rebuild(events)
        if fixes["cell"]:
            derived.rebuild_rollups()
        fed = sorted(fixes["feed"])
        newest = newest_changes(fed)
        ops = [
            (event_id, "updated" if event_id in renewed else "deleted")
            for event_id in fed
            if event_id in newest
            and _feed_difference(event_id, newest[event_id], renewed.get(event_id))
        ]
        record_changes(ops, utc_now(), renewed)
