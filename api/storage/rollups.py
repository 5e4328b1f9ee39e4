"""The monthly rollups of live events, for fast histograms: by type and status, and by type.

A cell counts the live events that start in one month and end in another. `api.writes.derived`
keeps the cells current.
"""

import datetime as dt
from collections import Counter

from peewee import EXCLUDED, chunked

from api.domain.dates import parse_event_date
from api.storage.models import Event, EventMonthRollup, EventMonthTypeRollup

RollupKey = tuple  # (start_month, end_month, type, status)


def rollup_key(date: str, event_type: str, status: str) -> RollupKey:
    """Return the rollup cell of an event with this written date, type and status."""
    span = parse_event_date(date)
    return rollup_cell(span.start, span.end, event_type, status)


def rollup_cell(start: dt.date, end: dt.date, event_type: str, status: str) -> RollupKey:
    """Return the rollup cell of an event spanning start..end, with this type and status."""
    return (start.replace(day=1), end.replace(day=1), event_type, status)


def adjust_rollup(deltas: Counter) -> None:
    """Add `deltas` (cell -> change in event count) to both rollups; drop cells that reach 0."""
    by_type = summed_by_type(deltas)
    for model, changes in ((EventMonthRollup, deltas), (EventMonthTypeRollup, by_type)):
        _add_to_cells(model, changes)


def _add_to_cells(model, changes: Counter) -> None:
    key = model._meta.primary_key.field_names
    rows = [{**dict(zip(key, cell, strict=True)), "events": n} for cell, n in changes.items() if n]
    for chunk in chunked(rows, 200):
        model.insert_many(chunk).on_conflict(
            conflict_target=[getattr(model, name) for name in key],
            update={model.events: model.events + EXCLUDED.events},
        ).execute()
    if rows:
        model.delete().where(model.events <= 0).execute()


def recount() -> Counter:
    """Count the live events of every cell of the finer rollup, from the events themselves."""
    counts: Counter = Counter()
    query = Event.select(Event.date, Event.type, Event.status).where(Event.deleted_at.is_null())
    for date, event_type, status in query.tuples().iterator():
        counts[rollup_key(date, event_type, status)] += 1
    return counts


def summed_by_type(counts: Counter) -> Counter:
    """Sum cells of the finer rollup over statuses: the cells of the rollup by type."""
    by_type: Counter = Counter()
    for (start, end, event_type, _), change in counts.items():
        by_type[start, end, event_type] += change
    return by_type


ROLLUPS = (EventMonthRollup, EventMonthTypeRollup)


def stored_cells(model) -> Counter:
    """Return a rollup's cells as stored: key (as in `rollup_key`, for its columns) -> count."""
    key = [getattr(model, name) for name in model._meta.primary_key.field_names]
    cells: Counter = Counter()
    for *cell, count in model.select(*key, model.events).tuples().iterator():
        cells[tuple(cell)] = count
    return cells


def has_cells() -> bool:
    """Tell whether the rollups hold any cell."""
    return EventMonthTypeRollup.select().exists()


def replace_all(counts: Counter) -> None:
    """Replace both rollups with these counts of the finer one."""
    for model in ROLLUPS:
        model.delete().execute()
    adjust_rollup(counts)
