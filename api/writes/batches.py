"""Batches: check records and write them in one transaction, touching only what changed.

Every write ends in `settle`: revisions for the records changed, derived data brought up
to date, change-feed entries for the events whose representation changed.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable

from api.domain.errors import InvalidRecords, Problem
from api.storage.connection import write_transaction
from api.writes import derived
from api.writes.checks import RecordBatch, duplicate_id_problems
from api.writes.journal import Author, RecordChange, record_changes, record_revisions
from api.writes.kinds import KINDS
from api.writes.record_rows import Progress, RowWriter


def batch_problems(batch: RecordBatch) -> list[Problem]:
    """Return every repeated id, broken reference or alias clash in the batch."""
    problems = []
    for kind in KINDS:
        problems += duplicate_id_problems(getattr(batch, kind.plural), kind.name)
        problems += kind.problems(batch)
    return problems


def settle(
    changes: list[RecordChange],
    now: dt.datetime,
    author: Author,
    *,
    rollup_deltas: Counter | None = None,
) -> None:
    """Journal these changes and renew what derives from them, in the caller's transaction.

    `rollup_deltas`, if given, gathers the rollups' changes instead (see `derived.refresh`).
    """
    record_revisions(changes, now, author)
    renewed = derived.refresh(changes, rollup_deltas=rollup_deltas)
    fed = [(c.record_id, c.op) for c in changes if c.kind.in_change_feed]
    written = {event_id for event_id, _ in fed}
    # Events that show a changed actor or source changed too, though nobody wrote them.
    shown_elsewhere = [(event_id, "updated") for event_id in renewed if event_id not in written]
    record_changes(fed + shown_elsewhere, now, renewed)


def write_batch(
    batch: RecordBatch,
    now: dt.datetime,
    author: Author,
    *,
    stamps: dict[tuple[str, str], tuple[dt.datetime, dt.datetime]] | None = None,
    progress: Progress | None = None,
    rollup_deltas: Counter | None = None,
) -> dict[str, Counter]:
    """Upsert a checked batch in one transaction; count records created, updated, unchanged.

    `stamps` maps `(kind, id)` to the `(created_at, updated_at)` to keep, as an import does;
    `progress(kind, done, total)` hears how far the writing has got; `rollup_deltas`
    gathers the rollups' changes for the caller to add (see `derived.refresh`).
    """
    counts: dict[str, Counter] = {}
    changes: list[RecordChange] = []
    with write_transaction():
        for kind in KINDS:
            records = [item.record for item in getattr(batch, kind.plural)]
            writer = RowWriter(kind, now, stamps or {}, progress or (lambda *_: None))
            written = kind.write_rows(writer, records)
            created = sum(change.op == "created" for change in written)
            counts[kind.plural] = Counter(
                created=created,
                updated=len(written) - created,
                unchanged=len(records) - len(written),
            )
            changes += written
        settle(changes, now, author, rollup_deltas=rollup_deltas)
    return counts


def check_and_write(
    batch: RecordBatch,
    now: dt.datetime,
    author: Author,
    *,
    stamps: dict | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Counter]:
    """Check a batch's references and write it, in one transaction; raise InvalidRecords."""
    with write_transaction():
        problems = batch_problems(batch)
        if problems:
            raise InvalidRecords(problems)
        return write_batch(batch, now, author, stamps=stamps, progress=progress)
