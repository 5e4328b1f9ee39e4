"""Imports: a file of records, or of an upstream dataset's rows, validated and written.

Every import runs in one transaction. Upstream rows (ACLED, UCDP GED, FtM) are read, checked
and written a chunk at a time, so memory stays flat as the file grows; by default the first
bad row dooms the import (the rest is still checked, so that every problem is reported) and
nothing is written. With `skip_invalid`, bad rows are handed to `rejected` and the good ones
written; with `dry_run` everything is checked and counted, then rolled back.
"""

import datetime as dt
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice

from marshmallow import ValidationError

from api.domain.errors import InvalidRecords, Problem, validation_problems
from api.storage.bulk import bulk_insert
from api.storage.connection import database, is_postgresql, write_transaction
from api.writes import derived
from api.writes.batches import batch_problems, write_batch
from api.writes.checks import Located, RecordBatch, live_ids
from api.writes.journal import Author
from api.writes.kinds import ACTORS, EVENTS, KINDS, SOURCES
from api.writes.transfer import IMPORT_READERS
from api.writes.upstream.acled import ACLED, DEFAULT_EVENT_TYPES, read_acled
from api.writes.upstream.ftm import FTM, read_ftm
from api.writes.upstream.rows import Dataset, UpstreamRecords, UpstreamRow
from api.writes.upstream.ucdp_ged import DEFAULT_VIOLENCE_TYPES, UCDP_GED, read_ucdp_ged

CHUNK_ROWS = 2000
# A failed import of a huge file reports this many problems, then counts the rest.
MOST_PROBLEMS = 1000
# Rollup changes are gathered across chunks (most cells recur) and added when this many
# cells are held, and at the end: fewer writes, and memory that stays bounded.
ROLLUP_CELLS_HELD = 20_000


@dataclass(frozen=True)
class UpstreamFormat:
    """A dataset `timeline import` reads: its reader and the mapping table it takes."""

    dataset: Dataset
    read: Callable[..., Iterator[UpstreamRow]]
    table: str | None
    defaults: dict[str, str]


UPSTREAM_FORMATS = {
    "acled": UpstreamFormat(ACLED, read_acled, "event_types", DEFAULT_EVENT_TYPES),
    "ucdp-ged": UpstreamFormat(UCDP_GED, read_ucdp_ged, "violence_types", DEFAULT_VIOLENCE_TYPES),
    "ftm": UpstreamFormat(FTM, read_ftm, None, {}),
}
IMPORT_FORMATS = (*sorted(IMPORT_READERS), *UPSTREAM_FORMATS)


@dataclass(frozen=True)
class ImportOptions:
    """How an import treats bad rows, and whether it writes at all."""

    skip_invalid: bool = False
    dry_run: bool = False
    chunk_rows: int = CHUNK_ROWS


@dataclass
class ImportReport:
    """What an import did (or, dry, would do): counts by kind, rows read, rows rejected."""

    counts: dict[str, Counter] = field(
        default_factory=lambda: {kind.plural: Counter() for kind in KINDS}
    )
    rows: int = 0
    rejected: int = 0
    dry_run: bool = False

    def add(self, counts: dict[str, Counter]) -> None:
        """Add the counts of one chunk written."""
        for plural, counted in counts.items():
            self.counts[plural].update(counted)


Rejected = Callable[[str, dict | None, list[Problem]], None]
Progress = Callable[[str, int, int | None], None]


class _RolledBack(Exception):
    """Ends a dry run's transaction, carrying its report out."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def run_import(
    file_format: str,
    lines: Iterable[str],
    name: str,
    now: dt.datetime,
    author: Author,
    *,
    mapping: dict | None = None,
    options: ImportOptions = ImportOptions(),
    rejected: Rejected = lambda *_: None,
    progress: Progress = lambda *_: None,
) -> ImportReport:
    """Import a file in one transaction; raise InvalidRecords (nothing written) on bad rows.

    `progress(kind, done, total)` hears how far it has got: for our own formats, records of
    each kind written out of `total`; for upstream ones, `("row", rows, None)` a chunk at a time.
    """
    try:
        with write_transaction():
            run = _Run(name, now, author, options, rejected, progress)
            if file_format in UPSTREAM_FORMATS:
                report = _import_upstream(run, UPSTREAM_FORMATS[file_format], lines, mapping or {})
            else:
                report = _import_whole(run, file_format, lines)
            if options.dry_run:
                raise _RolledBack(report)
    except _RolledBack as rolled_back:
        rolled_back.report.dry_run = True
        return rolled_back.report
    return report


@dataclass(frozen=True)
class _Run:
    """One import: its file's name, its time and author, what it does with bad rows."""

    name: str
    now: dt.datetime
    author: Author
    options: ImportOptions
    rejected: Rejected
    progress: Progress


def _import_whole(run: _Run, file_format: str, lines: Iterable[str]) -> ImportReport:
    name, now, author, options = run.name, run.now, run.author, run.options
    rejected, progress = run.rejected, run.progress
    batch, stamps, problems = IMPORT_READERS[file_format](lines, name)
    report = ImportReport(rows=sum(len(getattr(batch, k.plural)) for k in KINDS))
    problems += batch_problems(batch)
    while problems and options.skip_invalid:
        # Dropping a record can break another's reference to it: check again until none.
        bad = _by_where(problems)
        for where, found in bad.items():
            rejected(where, None, found)
        report.rejected += len(bad)
        for kind in KINDS:
            kept = [item for item in getattr(batch, kind.plural) if item.where not in bad]
            setattr(batch, kind.plural, kept)
        problems = batch_problems(batch)
    if problems:
        raise InvalidRecords(problems[:MOST_PROBLEMS])
    report.add(write_batch(batch, now, author, stamps=stamps, progress=progress))
    return report


def _by_where(problems: list[Problem]) -> dict[str, list[Problem]]:
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        found.setdefault(problem.where, []).append(problem)
    return found


def _import_upstream(
    run: _Run, kind: UpstreamFormat, lines: Iterable[str], mapping: dict
) -> ImportReport:
    name, now, author, options = run.name, run.now, run.author, run.options
    rejected, progress = run.rejected, run.progress
    mapped_problems = _mapping_problems(mapping)
    if mapped_problems:
        raise InvalidRecords(mapped_problems)
    records = UpstreamRecords(kind.dataset, mapping.get("actors", {}), mapping.get("sources", {}))
    table = {**kind.defaults, **mapping.get(kind.table, {})} if kind.table else {}
    rows = kind.read(lines, name, records, table)
    report, problems, more = ImportReport(), [], 0
    seen, rollup_deltas = _SeenIds(), Counter()
    chunks = iter(lambda: list(islice(rows, options.chunk_rows)), [])
    for chunk, loaded_by_row in _loaded_chunks(chunks):
        report.rows += len(chunk)
        good, bad = _checked_rows(chunk, loaded_by_row, records)
        for where, repeated in _by_where(seen.repeated(good)).items():
            bad.setdefault(where, []).extend(repeated)
        writing = not problems or options.skip_invalid
        if writing:
            batch = _chunk_batch([(r, e) for r, e in good if r.where not in bad], records)
            found = _by_where(batch_problems(batch))
            bad.update(found)
            if found and options.skip_invalid:
                batch = _chunk_batch([(r, e) for r, e in good if r.where not in found], records)
        if options.skip_invalid:
            raws = {row.where: row.raw for row in chunk}
            for where, row_problems in bad.items():
                rejected(where, raws.get(where), row_problems)
            report.rejected += len(bad)
        else:
            for row_problems in bad.values():
                room = max(MOST_PROBLEMS - len(problems), 0)
                problems += row_problems[:room]
                more += len(row_problems[room:])
        if writing and (options.skip_invalid or not problems):
            report.add(write_batch(batch, now, author, rollup_deltas=rollup_deltas))
            records.written(batch)
            _add_rollup_deltas(rollup_deltas, at_least=ROLLUP_CELLS_HELD)
        progress("row", report.rows, None)
    _add_rollup_deltas(rollup_deltas)
    if problems and not options.skip_invalid:
        if more:
            problems.append(Problem(name, "", f"and {more} more problem(s)"))
        raise InvalidRecords(problems)
    return report


def _add_rollup_deltas(deltas: Counter, *, at_least: int = 0) -> None:
    """Add the gathered rollup changes once `at_least` cells are held; then hold none."""
    if len(deltas) >= at_least:
        derived.add_to_rollups(deltas)
        deltas.clear()


def _mapping_problems(mapping: dict) -> list[Problem]:
    problems = []
    for table, model in (("actors", ACTORS.model), ("sources", SOURCES.model)):
        targets = mapping.get(table, {})
        known = live_ids(model, targets.values())
        problems += [
            Problem("mapping", f"{table}.{upstream}", f"no {table[:-1]} {target!r}")
            for upstream, target in targets.items()
            if target not in known
        ]
    return problems


def load_events(events_by_row: list[list[dict]]) -> list[list[tuple[bool, dict]]]:
    """Load each row's events with the event schema: `(True, loaded)` or `(False, messages)`."""
    schema = EVENTS.record_schema()
    loaded_by_row = []
    for events in events_by_row:
        loaded = []
        for event in events:
            try:
                loaded.append((True, schema.load(event)))
            except ValidationError as error:
                loaded.append((False, error.messages))
        loaded_by_row.append(loaded)
    return loaded_by_row


def _events_to_load(chunk: list[UpstreamRow]) -> list[list[dict]]:
    # A row the reader already found bad is not loaded.
    return [[] if row.problems else row.events for row in chunk]


def _loaded_chunks(chunks: Iterator[list[UpstreamRow]]) -> Iterator[tuple[list, list]]:
    """Yield each chunk of rows with its events loaded (`load_events`).

    A file of more than one chunk has them loaded by a second process, a chunk ahead: the
    schema, a third of an import's time, runs while this process writes. The next chunk is
    read before this one is written, which `UpstreamRecords` allows: the new actors and
    sources it holds are written with the first chunk that names them.
    """
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if second is None:
        if first is not None:
            yield first, load_events(_events_to_load(first))
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as loader:
        current, pending = first, loader.submit(load_events, _events_to_load(first))
        for chunk in chain([second], chunks):
            following = loader.submit(load_events, _events_to_load(chunk))
            yield current, pending.result()
            current, pending = chunk, following
        yield current, pending.result()


def _checked_rows(chunk: list[UpstreamRow], loaded_by_row: list, records: UpstreamRecords):
    """Split a chunk's rows, their events loaded, into good rows and bad ones.

    A row is bad when the schema refused an event, or when it names an actor or source that
    cannot be made (`invalid`).
    """
    good, bad = [], {}
    for row, results in zip(chunk, loaded_by_row, strict=True):
        problems, loaded = list(row.problems), []
        for (ok, result), event in zip(results, row.events, strict=False):
            if not ok:
                problems += [
                    Problem(p.where, _column(row, p.field), p.message)
                    for p in validation_problems(row.where, result)
                ]
                continue
            loaded.append(result)
            for field_name, refs in (("actors", event["actors"]), ("sources", event["sources"])):
                problems += [
                    Problem(row.where, _column(row, field_name), records.invalid[ref["id"]])
                    for ref in refs
                    if ref["id"] in records.invalid
                ]
        if problems:
            bad[row.where] = problems
        else:
            good.append((row, loaded))
    return good, bad


def _column(row: UpstreamRow, field_name: str) -> str:
    """Name the upstream column an event field came from, with the field in brackets."""
    for ours, column in row.columns.items():
        if field_name == ours or field_name.startswith((f"{ours}.", f"{ours}[")):
            return f"{column} ({field_name})"
    return field_name


def _chunk_batch(good: list, records: UpstreamRecords) -> RecordBatch:
    """Make the batch of a chunk's good rows: events, and the new actors and sources named."""
    events = [Located(row.where, event) for row, loaded in good for event in loaded]
    actor_ids = {a["id"] for item in events for a in item.record["actors"]}
    source_ids = {
        value
        for item in events
        for citation in item.record["sources"]
        for value in (citation["id"], citation["via"])
        if value
    }
    actors, sources = records.wanted(actor_ids, source_ids)
    return RecordBatch(
        actors=[Located(records.dataset.name, ACTORS.record_schema().load(a)) for a in actors],
        sources=[Located(records.dataset.name, SOURCES.record_schema().load(s)) for s in sources],
        events=events,
    )


class _SeenIds:
    """The event ids an import has read, kept in a temporary table: memory stays flat."""

    def __init__(self) -> None:
        database.execute_sql("DROP TABLE IF EXISTS import_seen_event")
        database.execute_sql(
            "CREATE TEMPORARY TABLE import_seen_event (id TEXT PRIMARY KEY, line TEXT NOT NULL)"
        )

    def repeated(self, good: list) -> list[Problem]:
        """Note the ids of these rows' events; return a problem for each read before."""
        ids = [(event["id"], row.where) for row, loaded in good for event in loaded]
        if not ids:
            return []
        marks = ", ".join(["%s" if is_postgresql() else "?"] * len(ids))
        earlier = dict(
            database.execute_sql(
                f"SELECT id, line FROM import_seen_event WHERE id IN ({marks})",  # noqa: S608
                [event_id for event_id, _ in ids],
            ).fetchall()
        )
        problems, fresh = [], {}
        for event_id, where in ids:
            first = earlier.get(event_id) or fresh.get(event_id)
            if first:
                problems.append(Problem(where, "id", f"event {event_id!r} is also {first}"))
            else:
                fresh[event_id] = where
        bulk_insert("import_seen_event", ("id", "line"), list(fresh.items()))
        return problems
