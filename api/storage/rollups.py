"""The monthly rollup of live events, kept current by every write, for fast histograms."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable

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
    by_type: Counter = Counter()
    for (start, end, event_type, _), change in deltas.items():
        by_type[start, end, event_type] += change
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


def rollup_deltas(removed: Iterable[tuple], added: Iterable[tuple]) -> Counter:
    """Count cell changes from (date, type, status) triples leaving and joining the data."""
    deltas: Counter = Counter()
    for triple in removed:
        deltas[rollup_key(*triple)] -= 1
    for triple in added:
        deltas[rollup_key(*triple)] += 1
    return deltas


def rebuild_rollup() -> int:
    """Recount the rollup from the live events; return how many cells it holds."""
    EventMonthRollup.delete().execute()
    EventMonthTypeRollup.delete().execute()
    counts: Counter = Counter()
    query = Event.select(Event.date, Event.type, Event.status).where(Event.deleted_at.is_null())
    for date, event_type, status in query.tuples().iterator():
        counts[rollup_key(date, event_type, status)] += 1
    adjust_rollup(counts)
    return len(counts)
